// Samples CPU (utime+stime from /proc/<pid>/stat) and RSS of named process groups,
// plus whole-machine CPU from /proc/stat, once per interval. 100% = one core busy.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICK = 100; // USER_HZ on Linux
const NCPU = (() => { try { return readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length; } catch { return 1; } })();

function readStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // rest[0] = state (field 3); utime = field 14 -> rest[11], stime = rest[12], ppid = rest[1]
    return { ppid: +rest[1], ticks: +rest[11] + +rest[12] };
  } catch { return null; }
}
export function rssKiB(pid) {
  try { const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/); return m ? +m[1] : null; } catch { return null; }
}
export function threadCount(pid) {
  try { const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/Threads:\s+(\d+)/); return m ? +m[1] : null; } catch { return null; }
}
export function fdCount(pid) { try { return readdirSync(`/proc/${pid}/fd`).length; } catch { return null; } }

function allPids() { return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number); }
function comm(pid) { try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { return ''; } }
function cmdline(pid) { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; } }

/** Postmaster of the external Postgres (and, via descendants(), all its backends). */
export function findPostgresPid() {
  for (const f of ['/var/lib/postgresql/15/main/postmaster.pid', '/run/postgresql/15-main.pid']) {
    if (existsSync(f)) { const pid = +readFileSync(f, 'utf8').split('\n')[0]; if (pid && readStat(pid)) return pid; }
  }
  try { const pid = +execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-tAc', "select pid from pg_stat_activity where backend_type='checkpointer'"]).toString().trim(); const st = readStat(pid); return st ? st.ppid : null; } catch { return null; }
}
export function findRedisPid(port = 6379) {
  try { const m = execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'info', 'server']).toString().match(/process_id:(\d+)/); if (m) return +m[1]; } catch {}
  return allPids().find((p) => comm(p).startsWith('redis-server') && cmdline(p).includes(`:${port}`)) ?? null;
}
/**
 * Postgres processes that work for database `db`: its client backends and autovacuum workers plus
 * the shared auxiliary processes (WAL writer, checkpointer, ...). Backends of other databases (other
 * people's tests on the same Postgres) are left out; without `db` every Postgres process counts.
 */
export function postgresPids(postmaster, db) {
  const all = descendants(postmaster);
  if (!db) return all;
  return all.filter((p) => {
    const c = cmdline(p);
    const b = c.match(/postgres: [^:]+: \S+ (\S+) (\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\])/);
    if (b) return b[1] === db;
    const av = c.match(/autovacuum worker (\S+)/);
    if (av) return av[1] === db;
    return true;
  });
}
export { cmdline };

/** pid plus all descendants (Postgres backends are children of the postmaster). */
export function descendants(root) {
  const kids = new Map();
  for (const p of allPids()) { const st = readStat(p); if (st) { if (!kids.has(st.ppid)) kids.set(st.ppid, []); kids.get(st.ppid).push(p); } }
  const out = [root]; for (let i = 0; i < out.length; i++) for (const k of kids.get(out[i]) || []) out.push(k);
  return out;
}
function machineTicks() {
  const l = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = l[3] + (l[4] || 0); const total = l.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/**
 * groups: { name: () => number[] }  (functions returning the pids to sum; re-evaluated each tick
 * so new Postgres backends and load-generator child processes are counted).
 * Counting is per pid delta, so a process that exits between samples loses only its last interval.
 */
export class ProcSampler {
  constructor(groups, intervalMs = 1000) { this.groups = groups; this.intervalMs = intervalMs; this.samples = []; this.prev = {}; this.timer = null; }
  snapshot() {
    const now = performance.now(); const snap = { now, groups: {}, machine: machineTicks() };
    for (const [name, fn] of Object.entries(this.groups)) {
      let pids = []; try { pids = fn() || []; } catch {}
      const per = {}; let rss = 0;
      for (const p of pids) { const st = readStat(p); if (st) { per[p] = st.ticks; rss += rssKiB(p) || 0; } }
      snap.groups[name] = { per, rss };
    }
    return snap;
  }
  start() {
    this.t0 = performance.now(); this.last = this.snapshot(); this.first = this.last;
    this.timer = setInterval(() => this.tick(), this.intervalMs); this.timer.unref?.();
    return this;
  }
  tick() {
    const cur = this.snapshot(); const dt = (cur.now - this.last.now) / 1000; if (dt <= 0) return;
    const row = { t: Math.round((cur.now - this.t0) / 100) / 10 };
    for (const name of Object.keys(this.groups)) {
      const a = this.last.groups[name].per, b = cur.groups[name].per; let d = 0;
      for (const [p, t] of Object.entries(b)) d += t - (a[p] ?? t); // new pids: count from their first sight
      row[name] = Math.round((d / TICK / dt) * 1000) / 10; // percent of one core
      row[name + 'RssMiB'] = Math.round(cur.groups[name].rss / 102.4) / 10;
    }
    const dm = cur.machine.total - this.last.machine.total, di = cur.machine.idle - this.last.machine.idle;
    row.machine = dm > 0 ? Math.round(((dm - di) / dm) * NCPU * 1000) / 10 : 0;
    const known = Object.keys(this.groups).reduce((s, n) => s + row[n], 0);
    row.other = Math.max(0, Math.round((row.machine - known) * 10) / 10);
    this.samples.push(row); this.last = cur;
  }
  stop() { if (this.timer) clearInterval(this.timer); this.timer = null; this.tick(); return this.result(); }
  /** Average CPU% per group over [fromSec, toSec] of the sampler's clock. */
  result(fromSec = -Infinity, toSec = Infinity) {
    const rows = this.samples.filter((r) => r.t >= fromSec && r.t <= toSec + 1);
    const avg = {}; const peakRss = {};
    for (const k of [...Object.keys(this.groups), 'machine', 'other']) avg[k] = rows.length ? Math.round((rows.reduce((s, r) => s + r[k], 0) / rows.length) * 10) / 10 : null;
    for (const k of Object.keys(this.groups)) peakRss[k] = rows.length ? Math.max(...rows.map((r) => r[k + 'RssMiB'])) : null;
    return { ncpu: NCPU, avgCpuPct: avg, peakRssMiB: peakRss, samples: this.samples };
  }
  elapsedSec() { return (performance.now() - this.t0) / 1000; }
}
export { NCPU };
