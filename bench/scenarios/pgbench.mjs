// pgbench: Postgres commit-rate ceiling on this machine for (a) a minimal one-row transaction and
// (b) the same statements the server's send transaction runs (pgbench/send.sql, once known), with
// synchronous_commit on (what the server does) and off (for comparison). No Parley server involved.
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
const execFileP = promisify(execFile);
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { psql } from '../lib/server.mjs';
import { readFileSync } from 'node:fs';
import { findPostgresPid, postgresPids } from '../lib/sampler.mjs';

const DIR = fileURLToPath(new URL('../pgbench/', import.meta.url));

const pgPid = findPostgresPid();
function pgTicks(db) {
  return postgresPids(pgPid, db).reduce((s, p) => { try { const r = readFileSync(`/proc/${p}/stat`, 'utf8'); const f = r.slice(r.lastIndexOf(')') + 2).split(' '); return s + +f[11] + +f[12]; } catch { return s; } }, 0);
}
const commits = (db) => +psql('postgres', `select xact_commit from pg_stat_database where datname='${db}'`);
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

async function pgbench(db, script, clients, secs, syncOff) {
  const env = { ...process.env, PGOPTIONS: syncOff ? '-c synchronous_commit=off' : '' };
  // Postgres CPU per transaction, measured in the middle of the run (backends of this db + WAL writer etc.)
  const probe = (async () => { await wait(1500); const t0 = pgTicks(db), c0 = commits(db); await wait((secs - 3) * 1000); const t1 = pgTicks(db), c1 = commits(db); return c1 > c0 ? Math.round(((t1 - t0) * 10 / (c1 - c0)) * 1000) / 1000 : null; })();
  const { stdout: out } = await execFileP('pgbench', ['-h', '127.0.0.1', '-U', 'postgres', '-n', '-M', 'prepared', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(secs), '-f', script, db], { env, timeout: (secs + 60) * 1000 });
  const tps = +(out.match(/tps = ([\d.]+)/) || [])[1];
  const lat = +(out.match(/latency average = ([\d.]+) ms/) || [])[1];
  return { tps: Math.round(tps), latencyMs: lat, pgCpuMsPerTx: await probe };
}

export async function run(ctx) {
  const { opts, log, root } = ctx;
  const db = `parley_pgbench_${Date.now().toString(36)}`;
  const secs = opts.duration ?? (opts.quick ? 5 : 15);
  execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qc', `create database ${db}`], { stdio: 'ignore' });
  const runs = [];
  try {
    psql(db, 'create table bench_minimal (id bigserial primary key, conv bigint not null, body text not null, created_at timestamptz not null default now())');
    const scripts = [['minimal one-row insert', join(DIR, 'minimal.sql')]];
    // the server's own send transaction, on the server's schema (Flyway SQL applied in order)
    const mig = join(root, 'server/src/main/resources/db/migration');
    if (existsSync(join(DIR, 'send.sql')) && existsSync(mig)) {
      for (const f of readdirSync(mig).filter((x) => x.endsWith('.sql')).sort((a, b) => +a.match(/V(\d+)/)[1] - +b.match(/V(\d+)/)[1])) execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-f', join(mig, f)], { stdio: 'ignore' });
      if (existsSync(join(DIR, 'send-setup.sql'))) execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-f', join(DIR, 'send-setup.sql')], { stdio: 'ignore' });
      scripts.push(['server send transaction (pgbench/send.sql)', join(DIR, 'send.sql')]);
      for (const [label, f] of [['send without the sender read-mark UPDATE (pgbench/send-nomark.sql)', 'send-nomark.sql'], ['lean send: one INSERT, no mark, no dedupe probe (pgbench/send-lean.sql)', 'send-lean.sql']]) if (existsSync(join(DIR, f))) scripts.push([label, join(DIR, f)]);
      if (false) scripts.push(['send without sender read-mark UPDATE (pgbench/send-nomark.sql)', join(DIR, 'send-nomark.sql')]);
    }
    for (const [name, file] of scripts) {
      for (const clients of opts.quick ? [8, 64] : [1, 8, 64]) {
        for (const syncOff of [false, true]) {
          const r = await pgbench(db, file, clients, secs, syncOff);
          runs.push({ script: `${name}${syncOff ? ', synchronous_commit=off' : ''}`, clients, ...r });
          log(`pgbench ${name} c=${clients} sync=${!syncOff}: ${r.tps} tps, ${r.latencyMs} ms, PG CPU ${r.pgCpuMsPerTx} ms/tx`);
        }
      }
    }
  } finally { try { execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qc', `drop database ${db}`], { stdio: 'ignore' }); } catch {} }
  const best = Math.max(...runs.filter((r) => r.script.startsWith('server send') && !r.script.includes('off')).map((r) => r.tps), 0);
  return {
    params: { secs }, runs,
    note: 'pgbench runs on the same 2 cores as everything else (`-M prepared`, `-j 2`). With synchronous_commit=on every transaction waits for its WAL flush; concurrent commits share flushes (group commit), so tps grows with clients until CPU runs out. This is the ceiling the server\'s send path can reach on this machine if it did nothing but run these statements.',
    targets: best ? [{ name: 'Postgres ceiling for the send statement alone (best of 1/8/64 clients, sync commit) ≥ 6000 tps', value: best, pass: best >= 6000 }] : [],
  };
}
