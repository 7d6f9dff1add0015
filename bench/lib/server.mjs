// Starts Parley from its jar against the EXTERNAL Postgres/Redis (fresh database per run),
// or attaches to a running server given --url.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { openSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { sleep } from './stats.mjs';

export const JAVA_HOME = process.env.BENCH_JAVA_HOME || '/usr/lib/jvm/temurin-25-jdk-amd64';
export const JAVA = `${JAVA_HOME}/bin/java`;
export const JCMD = `${JAVA_HOME}/bin/jcmd`;
export const JFR = `${JAVA_HOME}/bin/jfr`;

export function psql(db, sql, { tuples = true } = {}) {
  const args = ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-d', db];
  if (tuples) args.push('-tA');
  return execFileSync('psql', [...args, '-c', sql], { maxBuffer: 64 << 20 }).toString().trim();
}
export function psqlFile(db, file) {
  return execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-d', db, '-f', file], { maxBuffer: 64 << 20 }).toString();
}

export function freePort() {
  return new Promise((res, rej) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); s.on('error', rej); });
}

export async function waitHttp(url, timeoutMs = 180000, proc) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc && proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode} before becoming ready`);
    try { const r = await fetch(url, { signal: AbortSignal.timeout(2000) }); if (r.status < 500) return r; } catch {}
    await sleep(500);
  }
  throw new Error(`timeout waiting for ${url}`);
}

/**
 * Start one node. db/prefix are shared when starting a cluster.
 * Returns {pid, url, socketUrl, db, prefix, stop(), logFile}
 */
/** The JVM flags `./parley run` starts the server with (keep the two in step). */
export const PRODUCTION_JVM_FLAGS = (process.env.PARLEY_JVM_OPTS ?? '-XX:+UseCompactObjectHeaders -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30').split(' ').filter(Boolean);

// every server we started is killed when the generator exits, whatever the reason
const LIVE = new Set();
const killAll = () => { for (const p of LIVE) { try { p.kill('SIGKILL'); } catch {} } };
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { killAll(); process.exit(130); });

export async function startServer({ jar, db, prefix, createDb = true, name = 'node', jvmArgs = [], extraArgs = [], logDir }) {
  const port = await freePort(); const socketPort = await freePort(); const managementPort = await freePort();
  if (createDb) {
    execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qc', `drop database if exists ${db}`], { stdio: 'ignore' });
    execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qc', `create database ${db}`], { stdio: 'ignore' });
  }
  mkdirSync(logDir, { recursive: true });
  const logFile = `${logDir}/${db}-${name}.log`;
  const out = openSync(logFile, 'w');
  const args = [
    '--enable-native-access=ALL-UNNAMED', ...PRODUCTION_JVM_FLAGS, ...jvmArgs, '-jar', jar,
    `--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/${db}`, '--spring.datasource.username=postgres',
    '--spring.data.redis.url=redis://127.0.0.1:6379', `--parley.redis.key-prefix=${prefix}`,
    '--parley.auth.require-email-confirmation=false', '--parley.rate-limit.enabled=false',
    `--server.port=${port}`, `--parley.socket.port=${socketPort}`,
    // metrics live on the management port (127.0.0.1) since they left the main port
    `--management.server.port=${managementPort}`,
    `--parley.public-url=http://127.0.0.1:${port}`, ...extraArgs,
  ];
  const proc = spawn(JAVA, args, { stdio: ['ignore', out, out], detached: false });
  LIVE.add(proc); proc.on('exit', () => LIVE.delete(proc));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  try { await waitHttp(`${url}/api/config`, 180000, proc); } catch (e) { try { proc.kill('SIGKILL'); } catch {} throw new Error(`${e.message}; see ${logFile}:\n${tail(logFile)}`); }
  // socket listener may come up a moment later
  let socketUp = true;
  try { await waitTcp('127.0.0.1', socketPort, 15000); } catch { socketUp = false; console.warn(`warning: socket port ${socketPort} not listening (no realtime gateway in this build?)`); }
  const node = { name, pid: proc.pid, proc, url, socketUrl: `http://127.0.0.1:${socketPort}`, managementUrl: `http://127.0.0.1:${managementPort}`, port, socketPort, db, prefix, logFile, startupMs: Date.now() - t0, socketUp };
  node.stop = () => stopProc(proc);
  return node;
}

export function tail(file, n = 30) { try { return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; } }

async function waitTcp(host, port, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const ok = await new Promise((r) => { const s = net.connect(port, host, () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (ok) return; await sleep(250);
  }
  throw new Error(`socket port ${port} not listening`);
}

export async function stopProc(proc, graceMs = 15000) {
  if (!proc || proc.exitCode !== null) return;
  proc.kill('SIGTERM');
  const end = Date.now() + graceMs;
  while (proc.exitCode === null && Date.now() < end) await sleep(100);
  if (proc.exitCode === null) proc.kill('SIGKILL');
}

/** Attach to a running server: socketUrl from GET /api/config unless given. */
export async function attachServer({ url, socketUrl, pid }) {
  let sUrl = socketUrl;
  if (!sUrl) {
    const r = await fetch(`${url}/api/config`).then((x) => x.json()).catch(() => null);
    sUrl = r?.data?.socketUrl || r?.socketUrl;
    if (!sUrl) throw new Error('cannot learn socketUrl from /api/config; pass --socket-url');
  }
  return { name: 'node', url, socketUrl: sUrl, pid: pid ?? findListenerPid(new URL(url).port), stop: async () => {} };
}

/** pid of the process listening on a TCP port (via /proc/net/tcp inode -> /proc/<pid>/fd). */
export function findListenerPid(port) {
  try {
    const hex = Number(port).toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set();
    for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const l of readFileSync(f, 'utf8').split('\n').slice(1)) { const c = l.trim().split(/\s+/); if (c[1]?.endsWith(':' + hex) && c[3] === '0A') inodes.add(c[9]); }
    }
    const out = spawnSync('sh', ['-c', 'ls -l /proc/[0-9]*/fd 2>/dev/null'], { maxBuffer: 256 << 20 }).stdout.toString();
    let pid = null;
    for (const l of out.split('\n')) { const m = l.match(/^\/proc\/(\d+)\/fd:/); if (m) pid = +m[1]; const s = l.match(/socket:\[(\d+)\]/); if (s && inodes.has(s[1])) return pid; }
  } catch {}
  return null;
}

/** Heap used/committed (MiB) via jcmd GC.heap_info; optional full GC first. */
export function heapInfo(pid, { gc = false } = {}) {
  try {
    if (gc) execFileSync(JCMD, [String(pid), 'GC.run'], { timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = execFileSync(JCMD, [String(pid), 'GC.heap_info'], { timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    const m = out.match(/total (?:reserved )?(\d+)K, (?:committed (\d+)K, )?used (\d+)K/) || out.match(/total (\d+)K, used (\d+)K/);
    if (!m) return { raw: out.slice(0, 400) };
    const used = +(m[3] ?? m[2]); const total = +m[1];
    return { usedMiB: Math.round(used / 102.4) / 10, totalMiB: Math.round(total / 102.4) / 10, raw: out.split('\n').slice(0, 3).join(' | ') };
  } catch (e) { return { error: String(e.message).slice(0, 200) }; }
}

/** Sum of jvm_memory_used_bytes by area from /actuator/prometheus on the management port (if exposed). */
export async function promMemory(url) {
  try {
    const t = await fetch(`${url}/actuator/prometheus`, { signal: AbortSignal.timeout(5000) }).then((r) => (r.ok ? r.text() : ''));
    const out = {};
    for (const l of t.split('\n')) { const m = l.match(/^jvm_memory_used_bytes\{.*area="(\w+)".*\}\s+([\d.eE+]+)/); if (m) out[m[1]] = (out[m[1]] || 0) + Number(m[2]); }
    return Object.keys(out).length ? Object.fromEntries(Object.entries(out).map(([k, v]) => [k + 'MiB', Math.round(v / 104857.6) / 10])) : null;
  } catch { return null; }
}
