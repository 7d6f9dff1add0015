// login: closed loop of POST /api/auth/login at concurrency 16 over 64 users.
import { createUsers, login } from '../lib/api.mjs';
import { summarize, round } from '../lib/stats.mjs';

export async function loginLoop(api, users, { concurrency, durationSec, ratePerSec }) {
  const lat = []; const errors = {}; let ok = 0; let i = 0;
  const t0 = performance.now(); const end = t0 + durationSec * 1000;
  const one = async () => { const u = users[i++ % users.length]; const r = await login(api, u.email); if (r.status === 200) { ok++; lat.push(r.ms); } else errors[r.status] = (errors[r.status] || 0) + 1; };
  if (!ratePerSec) {
    await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < end) await one(); }));
  } else { // open loop at a fixed rate, at most `concurrency` in flight (excess arrivals are counted as skipped)
    let inflight = 0, skipped = 0; const pending = new Set(); const interval = 1000 / ratePerSec; let next = t0;
    while (performance.now() < end) {
      const now = performance.now();
      while (next <= now) { next += interval; if (inflight >= concurrency) { skipped++; continue; } inflight++; const p = one().finally(() => { inflight--; pending.delete(p); }); pending.add(p); }
      await new Promise((r) => setTimeout(r, Math.max(1, next - performance.now())));
    }
    await Promise.all(pending);
    if (skipped) errors.skipped = skipped;
  }
  const secs = (performance.now() - t0) / 1000;
  return { ok, perSec: round(ok / secs), latencyMs: summarize(lat), errors };
}

export async function run(ctx) {
  const { api, opts, log, sampler } = ctx;
  const users = await createUsers(ctx.apiFor(16), 64, { prefix: 'l', concurrency: 8, login: false });
  const concurrency = 16, duration = opts.duration ?? (opts.quick ? 5 : 20);
  await loginLoop(ctx.apiFor(16), users, { concurrency, durationSec: 2 }); // warm-up
  const s0 = sampler.elapsedSec();
  const r = await loginLoop(ctx.apiFor(16), users, { concurrency, durationSec: duration });
  const cpu = sampler.result(s0, s0 + duration);
  log(`login: ${r.perSec}/s p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} errors ${JSON.stringify(r.errors)}`);
  return { params: { concurrency, duration, users: users.length }, loginsPerSec: r.perSec, latencyMs: r.latencyMs, errors: r.errors, windowCpu: cpu.avgCpuPct,
    targets: [{ name: 'login at C=16: no errors', value: `${r.perSec}/s, errors ${JSON.stringify(r.errors)}`, pass: Object.keys(r.errors).length === 0 }] };
}
