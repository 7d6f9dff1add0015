// idle: N authenticated sockets held open; server memory per socket and idle CPU.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createUsers } from '../lib/api.mjs';
import { rssKiB, threadCount, fdCount } from '../lib/sampler.mjs';
import { heapInfo, promMemory } from '../lib/server.mjs';
import { sleep, round } from '../lib/stats.mjs';

const WORKER = fileURLToPath(new URL('../lib/idle-worker.mjs', import.meta.url));
const PER_WORKER = 8000;

function fdLimit(pid) {
  try { const m = readFileSync(`/proc/${pid}/limits`, 'utf8').match(/Max open files\s+(\d+)\s+(\d+)/); return m ? +m[1] : null; } catch { return null; }
}
function onceMsg(child, type, timeoutMs) {
  return new Promise((res, rej) => {
    const t = setTimeout(() => { child.off('message', h); rej(new Error(`worker timeout waiting for ${type}`)); }, timeoutMs);
    const h = (m) => { if (m.type === type) { clearTimeout(t); child.off('message', h); res(m); } };
    child.on('message', h);
  });
}

export async function run(ctx) {
  const { opts, nodes, log, sampler } = ctx;
  const pids = nodes.map((n) => n.pid).filter(Boolean);
  const limit = pids.length ? fdLimit(pids[0]) : null;
  const requested = opts.sockets || (opts.quick ? 5000 : 50000);
  const perNodeMax = limit ? limit - 1000 : Infinity;
  const target = Math.min(requested, perNodeMax * nodes.length);
  const perNode = Math.ceil(target / nodes.length);
  const notes = [];
  if (limit && requested > perNodeMax) notes.push(`A server process may open only ${limit} files here (hard RLIMIT_NOFILE of this container; raising it needs CAP_SYS_RESOURCE), so one process cannot hold ${requested} sockets.`);
  if (nodes.length > 1) notes.push(`The ${target} sockets are spread over ${nodes.length} nodes of one cluster (${perNode} each, same database and Redis); memory and CPU are the sum over the nodes.`);
  if (target < requested) notes.push(`Held ${target} of the ${requested} requested; per-socket figures extrapolate linearly.`);
  const note = notes.length ? notes.join(' ') : null;
  const holdSec = opts.hold || (opts.quick ? 15 : 60);
  const users = await createUsers(ctx.api, 100, { prefix: 'i', concurrency: 8 });
  const tokens = users.map((u) => u.token);
  const measureNode = async (node) => {
    const heap = node.pid ? heapInfo(node.pid, { gc: true }) : {};
    return { rssMiB: node.pid ? round(rssKiB(node.pid) / 1024, 1) : null, heapUsedMiB: heap.usedMiB ?? null, heapRaw: heap.raw ?? heap.error,
      prom: await promMemory(node.managementUrl ?? node.url), threads: node.pid ? threadCount(node.pid) : null, fds: node.pid ? fdCount(node.pid) : null };
  };
  const sum = (rows, k) => (rows.every((r) => r[k] != null) ? round(rows.reduce((a, r) => a + r[k], 0), 1) : null);
  const measure = async (sockets) => {
    await sleep(2000);
    const perNodeRows = [];
    for (const n of nodes) perNodeRows.push(await measureNode(n));
    await sleep(1000);
    const row = { sockets, rssMiB: sum(perNodeRows, 'rssMiB'), heapUsedMiB: sum(perNodeRows, 'heapUsedMiB'), threads: sum(perNodeRows, 'threads'), fds: sum(perNodeRows, 'fds'),
      heapRaw: perNodeRows[0].heapRaw, prom: perNodeRows[0].prom, nodes: nodes.length > 1 ? perNodeRows.map(({ rssMiB, heapUsedMiB, fds }) => ({ rssMiB, heapUsedMiB, fds })) : undefined };
    log(`idle: ${sockets} sockets rss ${row.rssMiB} MiB heap ${row.heapUsedMiB} MiB threads ${row.threads} fds ${row.fds}${nodes.length > 1 ? ` (${nodes.length} nodes)` : ''}`);
    return row;
  };
  const serverCpu = (cpu) => { const v = Object.entries(cpu).filter(([k, x]) => k.startsWith('server') && x != null).map(([, x]) => x); return v.length ? round(v.reduce((a, b) => a + b, 0), 1) : null; };
  // baseline: server warmed up by the user creation, no sockets
  const steps = [await measure(0)];
  let s0 = sampler.elapsedSec(); await sleep(10000);
  const baselineCpuPct = serverCpu(sampler.result(s0, s0 + 9).avgCpuPct);

  // every worker holds up to PER_WORKER sockets of one node, from its own source address (ports)
  const workers = [];
  for (const [ni, node] of nodes.entries()) {
    for (let k = 0; k < Math.ceil(perNode / PER_WORKER); k++) {
      const child = fork(WORKER, [], { env: { ...process.env, MAX_LIFETIME_MS: String((holdSec + 900) * 1000) }, execArgv: ['--max-old-space-size=4096'] });
      await onceMsg(child, 'ready', 10000); workers.push({ child, node, ni, k, addr: `127.0.0.${2 + workers.length}` });
    }
  }
  let connected = 0, failed = 0; const errors = {};
  const fractions = opts.quick ? [0.5, 1] : [0.25, 0.5, 0.75, 1];
  const tConn0 = performance.now(); let connectMs = 0;
  try {
    let done = 0;
    for (const f of fractions) {
      const goal = Math.round(perNode * f); const stepCount = goal - done;
      const t0 = performance.now();
      const rs = await Promise.all(workers.map((w) => {
        const mine = workers.filter((x) => x.ni === w.ni).length; const per = Math.ceil(stepCount / mine);
        const count = Math.max(0, Math.min(per, stepCount - per * w.k));
        w.child.send({ cmd: 'connect', socketUrl: w.node.socketUrl, tokens, count, localAddress: w.addr, concurrency: 100 });
        return onceMsg(w.child, 'connected', 600000);
      }));
      connectMs += performance.now() - t0;
      done = goal;
      connected = rs.reduce((a, r) => a + r.connected, 0); // cumulative per worker
      failed = rs.reduce((a, r) => a + r.failed, 0);
      for (const r of rs) for (const [k, v] of Object.entries(r.errors || {})) errors[k] = (errors[k] || 0) + v;
      log(`idle: connected ${connected}/${goal * nodes.length}, failed ${failed} (${Math.round(performance.now() - t0)} ms)`);
      steps.push(await measure(connected));
    }
    // hold and measure idle CPU
    s0 = sampler.elapsedSec(); log(`idle: holding ${connected} sockets for ${holdSec} s`);
    await sleep(holdSec * 1000);
    const idleCpuAll = sampler.result(s0 + 1, s0 + holdSec - 1).avgCpuPct;
    const idleCpu = serverCpu(idleCpuAll);
    const st = await Promise.all(workers.map((w) => { w.child.send({ cmd: 'status' }); return onceMsg(w.child, 'status', 30000); }));
    const still = st.reduce((a, r) => a + r.connected, 0), dropped = st.reduce((a, r) => a + r.dropped, 0);
    const last = steps.at(-1), base = steps[0];
    const perSocketKiB = connected ? { rss: round(((last.rssMiB - base.rssMiB) * 1024) / connected, 2), heap: last.heapUsedMiB != null && base.heapUsedMiB != null ? round(((last.heapUsedMiB - base.heapUsedMiB) * 1024) / connected, 2) : null } : null;
    log(`idle: per socket ${JSON.stringify(perSocketKiB)} KiB; idle cpu of the server${nodes.length > 1 ? 's' : ''} ${idleCpu}% (${JSON.stringify(idleCpuAll)}); still connected ${still}, dropped ${dropped}`);
    const memOk = perSocketKiB && perSocketKiB.rss <= 10 && (perSocketKiB.heap == null || perSocketKiB.heap <= 10);
    return {
      params: { requested, target, holdSec, nodes: nodes.length, workers: workers.length, users: users.length }, note, connected, failed, connectErrors: errors,
      connectPerSec: round(connected / (connectMs / 1000)), steps, perSocketKiB, baselineCpuPct, idleCpuPct: idleCpu, idleCpuAll,
      stillConnected: still, droppedDuringHold: dropped,
      targets: [
        { name: '≤ 10 KiB server memory per idle socket (RSS and heap)', value: perSocketKiB ? `${perSocketKiB.rss} KiB RSS, ${perSocketKiB.heap} KiB heap` : null, pass: !!memOk },
        { name: `${connected >= 50000 ? '50k' : `${connected} (max here)`} idle sockets at near-zero server CPU (≤ 5% of a core${nodes.length > 1 ? `, ${nodes.length} nodes together` : ''})`, value: `${idleCpu}%`, pass: connected >= target * 0.99 && still >= connected * 0.99 && idleCpu != null && idleCpu <= 5 },
      ],
    };
  } finally {
    await Promise.all(workers.map(async (w) => { try { w.child.send({ cmd: 'close' }); await onceMsg(w.child, 'closed', 30000); } catch {} w.child.kill(); }));
    log(`idle: closed (connect phase ${Math.round((performance.now() - tConn0) / 1000)} s)`);
  }
}
