import { readFileSync } from 'node:fs';
import os from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
export function machineInfo() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8');
  const model = (cpu.match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0]?.model;
  const mem = +(readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s+(\d+)/) || [])[1];
  let pg = null; try { pg = execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-tAc', "select version() || ' | synchronous_commit=' || current_setting('synchronous_commit') || ' fsync=' || current_setting('fsync') || ' shared_buffers=' || current_setting('shared_buffers')"]).toString().trim().replace(/ on x86_64.*?\|/, ' |'); } catch {}
  let redis = null; try { redis = (execFileSync('redis-cli', ['-h', '127.0.0.1', 'info', 'server']).toString().match(/redis_version:(\S+)/) || [])[1]; } catch {}
  const jv = spawnSync(`${process.env.BENCH_JAVA_HOME || '/usr/lib/jvm/temurin-25-jdk-amd64'}/bin/java`, ['-version']); const java = String(jv.stderr || '').split('\n')[1] || null;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return { nproc: os.cpus().length, cpuModel: model, memGiB: Math.round(mem / 1048576 * 10) / 10, kernel: os.release(), node: process.version, java, postgres: pg, redis, loadavgAtStart: load };
}

let calibrationCache = null;
/**
 * How fast this machine is today. Hosts of the same "2-core" kind differ a lot (the same pgbench
 * script ran 2.8× faster in one session than in another), so every result carries a yardstick:
 * a 1-second single-thread hash loop in Node (CPU) and pgbench's one-row insert at 8 clients with
 * synchronous_commit on (durable commits/s) and off (Postgres CPU + loopback). Compare msg/s between
 * runs only together with these. Taken once per generator process, before the scenario starts.
 */
export async function calibrate() {
  if (calibrationCache) return calibrationCache;
  const { createHash } = await import('node:crypto');
  const buf = Buffer.alloc(1024, 7); let n = 0; const end = performance.now() + 1000;
  while (performance.now() < end) { for (let i = 0; i < 100; i++) createHash('sha256').update(buf).digest(); n += 100; }
  const out = { nodeSha256KiBPerSec: n };
  const db = 'parley_bench_calibration';
  try {
    const psql = (sql, d = 'postgres') => execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qtAc', sql, d], { stdio: ['ignore', 'pipe', 'ignore'] });
    psql(`drop database if exists ${db}`); psql(`create database ${db}`);
    psql('create table bench_minimal (id bigserial primary key, conv int, body text)', db);
    const script = new URL('../pgbench/minimal.sql', import.meta.url).pathname;
    const tps = (sync) => { const r = spawnSync('pgbench', ['-h', '127.0.0.1', '-U', 'postgres', '-n', '-M', 'prepared', '-c', '8', '-j', '2', '-T', '4', '-f', script, db], { env: { ...process.env, PGOPTIONS: `-c synchronous_commit=${sync}` }, timeout: 30000 }); const m = String(r.stdout).match(/tps = ([\d.]+)/); return m ? Math.round(+m[1]) : null; };
    out.pgbenchInsertTpsC8 = tps('on'); out.pgbenchInsertTpsC8SyncOff = tps('off');
    psql(`drop database if exists ${db}`);
  } catch (e) { out.error = String(e.message).slice(0, 200); }
  calibrationCache = out;
  return out;
}
