// Thin REST client over undici Pool (keep-alive, bounded connections, per-request timeout).
import { Pool } from 'undici';
import { randomUUID } from 'node:crypto';

export const PASSWORD = 'bench-password-1';

export class Api {
  constructor(baseUrl, { connections = 64, timeoutMs = 30000 } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.pool = new Pool(this.baseUrl, { connections, pipelining: 1, keepAliveTimeout: 60000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: 10000 } });
    this.timeoutMs = timeoutMs;
  }
  /** Never throws: returns {status, body, ms, headers}; status 'neterr'/'timeout' on transport failure. */
  async req(method, path, body, token) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const t0 = performance.now();
    try {
      const res = await this.pool.request({ method, path, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.body.text();
      let json = null; try { json = text ? JSON.parse(text) : null; } catch { json = { raw: text.slice(0, 200) }; }
      return { status: res.statusCode, body: json, ms: performance.now() - t0, headers: res.headers };
    } catch (e) {
      const status = e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' ? 'timeout' : 'neterr';
      return { status, body: { error: String(e.code || e.message) }, ms: performance.now() - t0 };
    }
  }
  get(p, t) { return this.req('GET', p, undefined, t); }
  post(p, b, t) { return this.req('POST', p, b ?? {}, t); }
  close() { return this.pool.close(); }
}

export function must(r, what) {
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)?.slice(0, 300)}`);
  return r.body?.data;
}

/** Runs fn over items with at most `limit` in flight. */
export async function pmap(items, limit, fn) {
  const out = new Array(items.length); let i = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) { const k = i++; out[k] = await fn(items[k], k); }
  }));
  return out;
}

const runTag = () => Math.random().toString(36).slice(2, 8);

/** Registers n users through the public API, logs each in; returns [{id, name, email, token, refreshToken}]. */
export async function createUsers(api, n, { prefix = 'u', concurrency = 8, login = true } = {}) {
  const tag = runTag();
  const specs = Array.from({ length: n }, (_, i) => ({ name: `${prefix}${tag}${i}`.slice(0, 20), email: `${prefix}.${tag}.${i}@bench.test`, password: PASSWORD }));
  await pmap(specs, concurrency, async (s) => must(await api.post('/api/user', s), `register ${s.email}`));
  if (!login) return specs;
  return pmap(specs, concurrency, async (s) => {
    const d = must(await api.post('/api/auth/login', { email: s.email, password: PASSWORD, os: 'bench', browser: 'node' }), `login ${s.email}`);
    return { ...s, id: d.userID, token: d.accessToken, refreshToken: d.refreshToken };
  });
}

export async function login(api, email) {
  return api.post('/api/auth/login', { email, password: PASSWORD, os: 'bench', browser: 'node' });
}

export { randomUUID };

/**
 * JIT warm-up for read paths (results discarded): GETs the paths round-robin from `concurrency`
 * loops for `seconds`. A few requests are not enough: C2 compiles Tomcat/Spring's path only after
 * thousands of calls, and on 2 cores that takes tens of seconds.
 */
export async function warmGets(api, token, paths, { seconds = 15, concurrency = 4 } = {}) {
  const end = performance.now() + seconds * 1000; let n = 0;
  await Promise.all(Array.from({ length: concurrency }, async (_, k) => {
    for (let i = k; performance.now() < end; i += concurrency) { await api.get(paths[i % paths.length], token); n++; }
  }));
  return n;
}
