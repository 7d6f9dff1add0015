#!/usr/bin/env node
// Parley benchmark suite — one entry point.
//   node bench/run.mjs <scenario|all|report> [--url http://127.0.0.1:8080 [--socket-url ..] [--pid N]]
//        [--jar server/target/parley-server-*.jar] [--quick] [--duration S] [--levels 8,64] [--pairs 50]
//        [--sockets 20000] [--history-size 1000000] [--url2 ..] [--jfr] [--jvm-opts "-Xmx2g"]
// Scenarios: send-rest send-socket history dialogs login mixed idle cluster profile (all = every one).
// Without --url it starts the server from the jar against the external Postgres (fresh database
// per scenario) and Redis on 127.0.0.1. Writes bench/results/<scenario>-<time>.json and regenerates bench/RESULTS.md.
import { readdirSync, readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api } from './lib/api.mjs';
import { ProcSampler, findPostgresPid, findRedisPid, descendants, postgresPids } from './lib/sampler.mjs';
import { startServer, attachServer, PRODUCTION_JVM_FLAGS } from './lib/server.mjs';
import { machineInfo, calibrate } from './lib/machine.mjs';
import { writeReport } from './lib/report.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const RESULTS = join(HERE, 'results');

const SCENARIOS = {
  'send-rest': async (ctx) => (await import('./scenarios/send.mjs')).run(ctx, 'rest'),
  'send-socket': async (ctx) => (await import('./scenarios/send.mjs')).run(ctx, 'socket'),
  history: async (ctx) => (await import('./scenarios/history.mjs')).run(ctx),
  dialogs: async (ctx) => (await import('./scenarios/dialogs.mjs')).run(ctx),
  login: async (ctx) => (await import('./scenarios/login.mjs')).run(ctx),
  mixed: async (ctx) => (await import('./scenarios/mixed.mjs')).run(ctx),
  idle: async (ctx) => (await import('./scenarios/idle.mjs')).run(ctx),
  cluster: async (ctx) => (await import('./scenarios/cluster.mjs')).run(ctx),
  profile: async (ctx) => (await import('./scenarios/profile.mjs')).run(ctx),
  pgbench: async (ctx) => (await import('./scenarios/pgbench.mjs')).run(ctx),
};
const NODES_NEEDED = { cluster: 2, pgbench: 0 };
const ORDER = ['pgbench', 'send-rest', 'send-socket', 'history', 'dialogs', 'login', 'mixed', 'idle', 'cluster', 'profile'];

function parseArgs(argv) {
  const o = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=');
      const key = k.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
      if (v !== undefined) o[key] = v; else if (argv[i + 1] && !argv[i + 1].startsWith('--')) o[key] = argv[++i]; else o[key] = true;
    } else o._.push(a);
  }
  for (const k of ['duration', 'warmup', 'pairs', 'sockets', 'historySize', 'pid', 'loginRate', 'hold']) if (o[k] !== undefined) o[k] = Number(o[k]);
  if (typeof o.levels === 'string') o.levels = o.levels.split(',').map(Number);
  return o;
}

function findJar() {
  const dir = join(ROOT, 'server/target');
  if (!existsSync(dir)) return null;
  const j = readdirSync(dir).filter((f) => f.endsWith('.jar') && !f.endsWith('-plain.jar') && !f.includes('original')).map((f) => join(dir, f));
  return j[0] || null;
}

const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

/** Waits (bounded) until the machine is mostly idle, so others' builds disturb the run less. */
async function waitQuiet(maxSec, thresholdPct = 40) {
  const { readFileSync } = await import('node:fs');
  const read = () => { const l = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number); return { idle: l[3] + l[4], total: l.reduce((a, b) => a + b, 0) }; };
  const end = Date.now() + maxSec * 1000; let busy = 100;
  while (Date.now() < end) {
    const a = read(); await new Promise((r) => setTimeout(r, 2000)); const b = read();
    busy = ((b.total - a.total - (b.idle - a.idle)) / (b.total - a.total)) * 100;
    if (busy < thresholdPct) return busy;
  }
  log(`machine still ${Math.round(busy)}% busy after waiting ${maxSec} s; running anyway (numbers will be noisy)`);
  return busy;
}

/**
 * A process may hold only as many sockets as it may open files (RLIMIT_NOFILE, inherited by the
 * servers we start). When `idle` is asked for more than one process can hold, it starts a cluster
 * sharing the sockets, so 50,000 can be held where the limit is 20,000 per process.
 */
function idleNodesNeeded(opts) {
  const requested = opts.sockets || (opts.quick ? 5000 : 50000);
  let limit = null;
  try { const m = readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+(\d+)\s+(\d+)/); limit = m ? Math.min(+m[1], +m[2]) : null; } catch {}
  return limit ? Math.max(1, Math.ceil(requested / (limit - 1000))) : 1;
}

async function runScenario(name, opts) {
  if (opts.waitQuiet) await waitQuiet(Number(opts.waitQuiet));
  const calibration = await calibrate();
  log(`machine yardstick: ${JSON.stringify(calibration)}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const db = `parley_bench_${name.replace(/-/g, '_')}_${Date.now().toString(36)}`;
  const prefix = `bench_${Date.now().toString(36)}:`;
  const nodes = []; const ownServer = !opts.url;
  const jvmArgs = (opts.jvmOpts ? String(opts.jvmOpts).split(' ').filter(Boolean) : []);
  const count = opts.nodes ? Number(opts.nodes) : name === 'idle' && !opts.url ? idleNodesNeeded(opts) : (NODES_NEEDED[name] ?? 1);
  let jfrFile = null;
  try {
    if (count === 0) { /* no server needed */ } else if (ownServer) {
      const jar = opts.jar ? resolve(opts.jar) : findJar();
      if (!jar || !existsSync(jar)) throw new Error('no server jar: build it (mvn -pl server package) or pass --jar / --url');
      for (let i = 0; i < count; i++) {
        const extra = [...jvmArgs];
        const serverArgs = opts.serverArgs ? String(opts.serverArgs).split(' ').filter(Boolean) : [];
        if ((name === 'profile' || opts.jfr) && i === 0) { jfrFile = `/tmp/parley-bench-${stamp}.jfr`; extra.push(`-XX:StartFlightRecording=filename=${jfrFile},settings=profile,dumponexit=true`); }
        log(`starting node ${i} from ${jar}`);
        nodes.push(await startServer({ jar, db, prefix, createDb: i === 0, name: `node${i}`, jvmArgs: extra, extraArgs: serverArgs, logDir: join(RESULTS, 'logs') }));
        log(`node ${i} up: ${nodes[i].url} socket ${nodes[i].socketUrl} pid ${nodes[i].pid} (${nodes[i].startupMs} ms)`);
      }
    } else if (count > 0) {
      nodes.push(await attachServer({ url: opts.url, socketUrl: opts.socketUrl, pid: opts.pid }));
      if (count > 1) { if (!opts.url2) throw new Error('cluster against running servers needs --url2'); nodes.push(await attachServer({ url: opts.url2, socketUrl: opts.socketUrl2 })); }
    }
    const pg = findPostgresPid(), redis = findRedisPid();
    const groups = {};
    nodes.forEach((n, i) => { if (n.pid) groups[nodes.length > 1 ? `server${'ABCDEFGH'[i]}` : 'server'] = () => [n.pid]; });
    const pgDb = ownServer ? db : opts.db;
    if (pg) groups.postgres = () => postgresPids(pg, name === 'pgbench' ? null : pgDb);
    if (redis) groups.redis = () => [redis];
    groups.loadgen = () => descendants(process.pid).filter((p) => !nodes.some((n) => n.pid === p));
    const sampler = new ProcSampler(groups, 1000).start();
    const apis = new Map();
    const ctx = {
      opts, nodes, log, sampler, db: ownServer ? db : opts.db, ownServer, root: ROOT, resultsDir: RESULTS, jfrFile,
      api: nodes.length ? new Api(nodes[0].url, { connections: 64 }) : null,
      apiFor: (c, node = nodes[0]) => { const k = `${node.url}|${c}`; if (!apis.has(k)) apis.set(k, new Api(node.url, { connections: Math.max(8, c) })); return apis.get(k); },
      apiOf: (node) => new Api(node.url, { connections: 64 }),
    };
    if (ctx.db && nodes.length) { try { const { PgMonitor } = await import('./lib/pgmon.mjs'); ctx.pgmon = await new PgMonitor(ctx.db).open(); } catch (e) { log(`pg monitor unavailable: ${e.message}`); } }
    const t0 = Date.now();
    let result;
    try { result = await SCENARIOS[name](ctx); } finally { await ctx.pgmon?.close(); }
    const cpu = sampler.stop();
    for (const a of apis.values()) await a.close().catch(() => {});
    await ctx.api?.close().catch(() => {});
    const doc = {
      scenario: name, startedAt: new Date(t0).toISOString(), wallSec: Math.round((Date.now() - t0) / 100) / 10,
      quick: !!opts.quick, machine: { ...machineInfo(), calibration },
      server: count === 0 ? { mode: 'none' } : ownServer ? { mode: 'started from jar', nodes: nodes.map((n) => ({ url: n.url, socketUrl: n.socketUrl, startupMs: n.startupMs })), db, jvmArgs: [...PRODUCTION_JVM_FLAGS, ...jvmArgs], serverArgs: opts.serverArgs || null } : { mode: 'attached', url: opts.url },
      tag: opts.tag || null,
      ...result, cpu: { avgCpuPct: cpu.avgCpuPct, peakRssMiB: cpu.peakRssMiB, ncpu: cpu.ncpu, samples: cpu.samples },
    };
    mkdirSync(RESULTS, { recursive: true });
    const file = join(RESULTS, `${name}${opts.tag ? '.' + opts.tag : ''}-${stamp}.json`);
    writeFileSync(file, JSON.stringify(doc, null, 1));
    log(`wrote ${file}`);
    for (const t of result.targets || []) log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${typeof t.value === 'object' ? JSON.stringify(t.value) : t.value}`);
    return doc;
  } finally {
    for (const n of nodes) await n.stop().catch(() => {});
    if (ownServer && !opts.keepDb) {
      try { const { execFileSync } = await import('node:child_process'); execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-c', `drop database if exists ${db}`], { stdio: 'ignore' }); } catch {}
    }
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const what = opts._[0] || 'all';
  if (what === 'report') { writeReport(RESULTS, join(HERE, 'RESULTS.md')); log('RESULTS.md regenerated'); return; }
  const list = what === 'all' ? ORDER : what.split(',');
  for (const s of list) if (!SCENARIOS[s]) { console.error(`unknown scenario ${s}; one of ${ORDER.join(', ')}, all, report`); process.exit(2); }
  const hardStop = setTimeout(() => { console.error('global time limit reached, exiting'); process.exit(3); }, (opts.maxMinutes ? Number(opts.maxMinutes) : 120) * 60000);
  hardStop.unref();
  let failed = 0;
  for (const s of list) {
    log(`=== ${s} ===`);
    try { await runScenario(s, opts); } catch (e) { failed++; log(`scenario ${s} failed: ${e.stack || e}`); }
    writeReport(RESULTS, join(HERE, 'RESULTS.md'));
  }
  log('RESULTS.md regenerated');
  process.exit(failed ? 1 : 0);
}
main();
