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
