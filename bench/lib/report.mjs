// Regenerates bench/RESULTS.md (+ SVG charts in bench/results/charts) from the newest JSON per scenario.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { lineChart, barChart } from './svg.mjs';

const ORDER = ['send-rest', 'send-socket', 'history', 'dialogs', 'login', 'mixed', 'idle', 'cluster', 'profile', 'pgbench'];
const n = (v, d = 1) => (v == null ? '–' : typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : (+v.toFixed(d)).toString()) : String(v));
const errs = (e) => (!e || !Object.keys(e).length ? '0' : Object.entries(e).map(([k, v]) => `${k}×${v}`).join(' '));

/** Every run of a send-like scenario at C=64, to show run-to-run spread on this shared machine. */
function runHistory(dir, scenario) {
  const rows = [];
  for (const f of readdirSync(dir).filter((x) => x.startsWith(scenario + '-') && x.endsWith('.json')).sort()) {
    try {
      const d = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      const l = (d.levels || []).find((x) => x.C === 64); if (!l) continue;
      rows.push(`| ${d.startedAt.slice(0, 16).replace('T', ' ')} | ${d.quick ? 'quick' : 'full'} | ${n(l.deliveredPerSec)} | ${n(l.latencyMs?.p99, 1)} | ${n(l.cpu?.avgCpuPct?.other)} | ${n(d.machine?.loadavgAtStart?.split(' ')[0])} |`);
    } catch {}
  }
  return rows.length > 1 ? `All runs of ${scenario} at C=64 (spread caused by the shared machine):\n\n| started (UTC) | kind | delivered/s | p99 ms | other CPU % | load avg |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n\n` : '';
}

export function latestResults(dir) {
  if (!existsSync(dir)) return {};
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const out = {};
  for (const f of files) { try { const d = JSON.parse(readFileSync(join(dir, f), 'utf8')); d._file = f; const k = d.tag ? `${d.scenario}.${d.tag}` : d.scenario; if (!out[k] || (out[k].quick && !d.quick) || out[k].quick === d.quick) out[k] = d; } catch {} }
  return out; // newest full run wins over quick runs; among equals the newest
}

function cpuTable(doc) {
  const a = doc.cpu?.avgCpuPct; if (!a) return '';
  const keys = Object.keys(a);
  return `CPU over the whole scenario (% of one core; ${doc.cpu.ncpu} cores = ${doc.cpu.ncpu * 100}%): ` + keys.map((k) => `${k} ${n(a[k])}`).join(', ') + (a.other > 20 ? ` — **noisy: other processes used ${n(a.other)}% while this ran**` : '') + '\n';
}
function cpuChart(doc, chartDir, rel) {
  const s = doc.cpu?.samples; if (!s?.length) return '';
  const keys = Object.keys(s[0]).filter((k) => k !== 't' && !k.endsWith('RssMiB') && k !== 'machine');
  const f = `${doc.scenario}-cpu.svg`;
  writeFileSync(join(chartDir, f), lineChart({ title: `${doc.scenario}: CPU by process (% of one core)`, xLabel: 'seconds', yLabel: '% CPU', series: keys.map((k) => ({ name: k, points: s.map((r) => [r.t, r[k]]) })) }));
  return `![cpu](${rel}/${f})\n`;
}
function levelRow(l) {
  const L = l.latencyMs || {};
  const cm = l.cpuMsPerMsg || Object.fromEntries(Object.entries(l.cpu?.avgCpuPct || {}).filter(([k, v]) => v != null && l.acceptedPerSec > 0).map(([k, v]) => [k, (v * 10) / l.acceptedPerSec])); const srvMs = ['server', 'serverA', 'serverB'].reduce((a, k) => a + (cm[k] || 0), 0);
  return `| ${l.label ?? l.mode} | ${l.C} | ${n(l.acceptedPerSec)} | ${n(l.deliveredPerSec)} | ${n(L.p50, 2)} | ${n(L.p95, 2)} | ${n(L.p99, 2)} | ${n(L.max, 1)} | ${n(l.ackLatencyMs?.p99, 2)} | ${l.lost} | ${l.duplicated} | ${errs(l.errors)} | ${['server', 'serverA', 'serverB', 'postgres', 'redis', 'loadgen', 'other'].filter((k) => l.cpu?.avgCpuPct?.[k] != null).map((k) => `${k[0] === 's' ? k.replace('server', 'srv') : k.slice(0, 2)} ${n(l.cpu.avgCpuPct[k], 0)}`).join(' / ')} | ${cm.server != null || cm.serverA != null ? n(srvMs, 3) : '–'} / ${n(cm.postgres, 3)} |`;
}
const LEVEL_HEAD = '| run | C | accepted/s | delivered/s | p50 ms | p95 ms | p99 ms | max ms | ack p99 ms | lost | dup | errors | CPU % (srv/pg/re/lg/other) | CPU ms per msg (server / Postgres) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n';

function sendSection(doc, chartDir, rel) {
  let md = LEVEL_HEAD + doc.levels.map(levelRow).join('\n') + '\n\n';
  const cats = doc.levels.map((l) => `C=${l.C}`);
  const f1 = `${doc.scenario}-throughput.svg`, f2 = `${doc.scenario}-latency.svg`, f3 = `${doc.scenario}-timeline.svg`;
  writeFileSync(join(chartDir, f1), barChart({ title: `${doc.scenario}: messages/s by concurrency`, categories: cats, yLabel: 'msg/s', series: [{ name: 'accepted/s', values: doc.levels.map((l) => l.acceptedPerSec) }, { name: 'delivered/s', values: doc.levels.map((l) => l.deliveredPerSec) }], hlines: [{ y: 6000, label: 'target 6000/s' }] }));
  writeFileSync(join(chartDir, f2), barChart({ title: `${doc.scenario}: send→delivery latency (log)`, categories: cats, yLabel: 'ms', logY: true, series: ['p50', 'p95', 'p99', 'max'].map((p) => ({ name: p, values: doc.levels.map((l) => l.latencyMs?.[p]) })), hlines: [{ y: 50, label: 'p99 target 50 ms' }] }));
  writeFileSync(join(chartDir, f3), lineChart({ title: `${doc.scenario}: delivered/s per second of the measured window`, xLabel: 'second', yLabel: 'msg/s', series: doc.levels.map((l) => ({ name: `C=${l.C}`, points: (l.series || []).map((r) => [r.t, r.delivered ?? 0]) })) }));
  const pgl = doc.levels.filter((l) => l.postgres?.counters);
  if (pgl.length) {
    md += 'Postgres during the measured window (counters from pg_stat_database/pg_stat_wal; waits = average number of this database\'s backends in each state, sampled every 100 ms):\n\n| C | msg/s | commits/s | commits/msg | WAL syncs/s | msgs per WAL sync | rows inserted/msg | rows updated/msg | WAL bytes/msg | backend states (avg count) |\n|---|---|---|---|---|---|---|---|---|---|\n';
    md += pgl.map((l) => { const c = l.postgres.counters; return `| ${l.C} | ${n(c.messagesPerSec)} | ${n(c.commitsPerSec)} | ${n(c.commitsPerMsg, 2)} | ${n(c.walSyncsPerSec)} | ${n(c.msgsPerWalSync)} | ${n(c.tupInsertedPerMsg, 2)} | ${n(c.tupUpdatedPerMsg, 2)} | ${n(c.walBytesPerMsg)} | ${Object.entries(l.postgres.waits).slice(0, 5).map(([k, v]) => `${k} ${v}`).join(', ')} |`; }).join('\n') + '\n\n';
  }
  if (doc.httpFloor) { const f = doc.httpFloor; md += `HTTP ceiling on this machine: the same load generator on \`${f.path}\` (no auth, no database, no delivery) at C=${f.C} does **${n(f.requestsPerSec)} req/s** (CPU % ${Object.entries(f.cpu || {}).filter(([, v]) => v != null).map(([k, v]) => `${k} ${n(v, 0)}`).join(' / ')}). A REST send is that request plus a JSON body, the send transaction and two socket deliveries the generator must also read.\n\n`; }
  if (doc.params?.jitWarmup) { const w = doc.params.jitWarmup; md += `JIT warm-up before the levels: ${w.rounds} rounds, ${n(w.seconds)} s (last round ${n(w.lastRate)} msg/s).\n\n`; }
  md += `![throughput](${rel}/${f1}) ![latency](${rel}/${f2})\n![timeline](${rel}/${f3})\n`;
  return md;
}

const SECTIONS = {
  'send-rest': sendSection,
  'send-socket': sendSection,
  cluster: (doc, cd, rel) => sendSection(doc, cd, rel) + (doc.note ? `\n${doc.note}\n` : ''),
  history: (doc, chartDir, rel) => {
    let md = '| page | method | p50 ms | p95 ms | p99 ms | max ms | rows |\n|---|---|---|---|---|---|---|\n';
    md += doc.pages.map((p) => `| ${p.position} | ${p.method} | ${n(p.latencyMs.p50, 2)} | ${n(p.latencyMs.p95, 2)} | ${n(p.latencyMs.p99, 2)} | ${n(p.latencyMs.max, 2)} | ${p.rows} |`).join('\n') + '\n\n';
    md += `Seeded ${n(doc.params.historySize)} messages in ${n(doc.seedSec)} s (${doc.seedMethod}).\n\n`;
    if (doc.sendEmpty && doc.sendFull) md += 'Send rate with the messages table empty vs. holding the seeded rows (same C, same duration):\n\n' + LEVEL_HEAD + [{ ...doc.sendEmpty, label: 'empty table' }, { ...doc.sendFull, label: `${n(doc.params.historySize)} rows` }].map(levelRow).join('\n') + '\n\n';
    const f = 'history-pages.svg'; const pos = [...new Set(doc.pages.map((p) => p.position))]; const meth = [...new Set(doc.pages.map((p) => p.method))];
    writeFileSync(join(chartDir, f), barChart({ title: 'history: page latency p50 (log)', categories: pos, logY: true, yLabel: 'ms', series: meth.map((m) => ({ name: m, values: pos.map((p) => doc.pages.find((x) => x.position === p && x.method === m)?.latencyMs.p50) })), hlines: [{ y: 3, label: 'keyset target 3 ms' }] }));
    return md + `![pages](${rel}/${f})\n`;
  },
  dialogs: (doc) => `| dialogs | requests | p50 ms | p95 ms | p99 ms | max ms | bytes |\n|---|---|---|---|---|---|---|\n| ${doc.dialogsReturned} | ${doc.latencyMs.count} | ${n(doc.latencyMs.p50, 2)} | ${n(doc.latencyMs.p95, 2)} | ${n(doc.latencyMs.p99, 2)} | ${n(doc.latencyMs.max, 2)} | ${n(doc.responseBytes)} |\n`,
  login: (doc) => `| concurrency | logins/s | p50 ms | p95 ms | p99 ms | max ms | errors | server CPU % | server CPU ms per login |\n|---|---|---|---|---|---|---|---|---|\n| ${doc.params.concurrency} | ${n(doc.loginsPerSec)} | ${n(doc.latencyMs.p50, 1)} | ${n(doc.latencyMs.p95, 1)} | ${n(doc.latencyMs.p99, 1)} | ${n(doc.latencyMs.max, 1)} | ${errs(doc.errors)} | ${n(doc.windowCpu?.server)} | ${doc.windowCpu?.server && doc.loginsPerSec ? n((doc.windowCpu.server * 10) / doc.loginsPerSec) : '–'} |\n\nOther processes took ${n(doc.windowCpu?.other)} % of a core during the window. Login is bcrypt-bound: at cost 10 one login costs ~80 ms of CPU, so 2 dedicated cores top out near 25 logins/s.\n`,
  mixed: (doc) => LEVEL_HEAD + [{ ...doc.baseline, label: 'send only' }, { ...doc.mixed, label: `send + logins ${n(doc.logins.perSec)}/s` }].map(levelRow).join('\n') + `\n\nLogins during the mixed run: ${n(doc.logins.perSec)}/s (target ${doc.params.loginRate}/s), latency p50 ${n(doc.logins.latencyMs.p50)} ms / p99 ${n(doc.logins.latencyMs.p99)} ms, errors ${errs(doc.logins.errors)}.\n`,
  idle: (doc, chartDir, rel) => {
    let md = '| sockets | server RSS MiB | heap used MiB (after GC) | threads | fds |\n|---|---|---|---|---|\n' + doc.steps.map((s) => `| ${n(s.sockets)} | ${n(s.rssMiB)} | ${n(s.heapUsedMiB)} | ${n(s.threads)} | ${n(s.fds)} |`).join('\n') + '\n\n';
    md += `Per socket: **${n(doc.perSocketKiB?.rss, 2)} KiB RSS**, **${n(doc.perSocketKiB?.heap, 2)} KiB heap** (slope between the baseline and ${n(doc.connected)} sockets). Idle server CPU with ${n(doc.connected)} sockets held ${doc.params.holdSec} s: **${n(doc.idleCpuPct, 2)} % of one core** (baseline with no sockets ${n(doc.baselineCpuPct, 2)} %). Connect rate ${n(doc.connectPerSec)}/s; failed connects ${doc.failed}; disconnected during hold ${doc.droppedDuringHold}.\n`;
    if (doc.note) md += `\n${doc.note}\n`;
    const f = 'idle-memory.svg';
    writeFileSync(join(chartDir, f), lineChart({ title: 'idle: server memory vs. sockets', xLabel: 'sockets', yLabel: 'MiB', series: [{ name: 'RSS', points: doc.steps.map((s) => [s.sockets, s.rssMiB]) }, { name: 'heap (after GC)', points: doc.steps.map((s) => [s.sockets, s.heapUsedMiB]) }] }));
    return md + `![idle](${rel}/${f})\n`;
  },
  profile: (doc) => {
  const runs = doc.runs || (doc.profile ? [{ mode: doc.params.mode, C: doc.params.C, level: doc.level, profile: doc.profile }] : []);
    let md = runs.length ? LEVEL_HEAD + runs.map((r) => levelRow(r.level)).join('\n') + '\n\n' : '';
    for (const r of runs) {
      md += `### ${r.mode} send at C=${r.C}: where the server's CPU goes\n\n`;
      const profs = [r.profile, r.cpuProfile].filter((p) => p && p.samples);
      md += `Samples: ${profs.map((p) => `${p.samples} ${p.event}`).join(', ')}. Category = the library of the leaf-most non-JDK frame (self time per library; JDK frames are charged to their caller).\n\n`;
      const cats = [...new Set(profs.flatMap((p) => p.categories.map((c) => c.name)))];
      md += `| category | ${profs.map((p) => p.event.replace('jdk.', '') + ' %').join(' | ')} |\n|---|${profs.map(() => '---').join('|')}|\n` + cats.map((c) => `| ${c} | ${profs.map((p) => n(p.categories.find((x) => x.name === c)?.pct)).join(' | ')} |`).join('\n') + '\n\n';
      const p = r.cpuProfile?.samples > 200 ? r.cpuProfile : r.profile;
      md += `Top self (leaf) methods (${p.event}):\n\n| method | self % |\n|---|---|\n` + p.topSelf.slice(0, 15).map((m) => `| \`${m.name}\` | ${n(m.pct)} |`).join('\n');
      md += `\n\nTop inclusive application frames (dev.parley.*, servlet filters left out):\n\n| method | incl. % |\n|---|---|\n` + p.topApp.slice(0, 15).map((m) => `| \`${m.name}\` | ${n(m.pct)} |`).join('\n') + '\n';
      if (p.threads) md += '\nSamples by thread group:\n\n| threads | % |\n|---|---|\n' + p.threads.slice(0, 8).map((t) => `| ${t.name} | ${n(t.pct)} |`).join('\n') + '\n\n';
    }
    return md;
  },
  pgbench: (doc) => '| script | clients | tps | latency avg ms | Postgres CPU ms/tx |\n|---|---|---|---|---|\n' + doc.runs.map((r) => `| ${r.script} | ${r.clients} | ${n(r.tps)} | ${n(r.latencyMs, 3)} | ${n(r.pgCpuMsPerTx, 3)} |`).join('\n') + `\n\n${doc.note || ''}\n`,
};

export function writeReport(resultsDir, outFile) {
  const chartDir = join(resultsDir, 'charts'); mkdirSync(chartDir, { recursive: true });
  const rel = 'results/charts';
  const docs = latestResults(resultsDir);
  const any = Object.values(docs)[0];
  let md = `# Parley benchmark results\n\nGenerated ${new Date().toISOString()} by \`node bench/run.mjs report\` from the newest JSON per scenario in \`bench/results/\` (a full run wins over a \`--quick\` one).\n\n`;
  md += 'Run everything: `node bench/run.mjs all` (starts the server from `server/target/*.jar` against Postgres/Redis on 127.0.0.1; `--quick` for short runs; `--url http://127.0.0.1:8080` to target a running server). See `bench/README.md`.\n\n';
  if (any?.machine) { const m = any.machine; md += `**Machine:** ${m.nproc} cores (${m.cpuModel}), ${m.memGiB} GiB RAM, kernel ${m.kernel}; ${m.java}; ${m.postgres}; Redis ${m.redis}; Node ${m.node}. Load generator, server, Postgres and Redis all share these ${m.nproc} cores, so every number below includes the generator's own CPU cost. The "other" CPU column is everything else on the machine (in the first round, before 12:00 UTC, other engineers' builds; since then idle background services).\n\n`; }
  const yard = Object.values(docs).filter((d) => d.machine?.calibration).map((d) => ({ s: d.scenario, t: d.startedAt, c: d.machine.calibration }));
  const byValue = new Map(); for (const y of yard) { const k = JSON.stringify(y.c); if (!byValue.has(k)) byValue.set(k, { c: y.c, s: [] }); byValue.get(k).s.push(y.s); }
  if (yard.length) md += `**Machine yardstick** (taken at the start of each benchmark process; this host kind varies a lot from day to day, so compare msg/s across runs only together with these): ` + [...byValue.values()].map((g) => `Node sha256 ${n(g.c.nodeSha256KiBPerSec)} KiB/s, pgbench one-row insert c=8 ${n(g.c.pgbenchInsertTpsC8)} tps (sync commit off ${n(g.c.pgbenchInsertTpsC8SyncOff)}) for ${g.s.join(', ')}`).join('; ') + `. On the host of the first round (before 12:00 UTC) the same pgbench gave 14,328 tps (39,903 with sync commit off).\n\n`;
  const targets = ORDER.flatMap((s) => (docs[s]?.targets || []).map((t) => ({ ...t, scenario: s, quick: docs[s].quick })));
  if (targets.length) md += '## Targets\n\n| scenario | target | measured | result |\n|---|---|---|---|\n' + targets.map((t) => `| ${t.scenario}${t.quick ? ' (quick)' : ''} | ${t.name} | ${typeof t.value === 'object' ? JSON.stringify(t.value) : n(t.value, 2)} | ${t.pass === null ? 'n/a' : t.pass ? '**PASS**' : '**FAIL**'} |`).join('\n') + '\n\n';
  // best full run per send scenario at C=64 (the table above uses the newest run; the spread is large here)
  const best = [];
  for (const sc of ['send-socket', 'send-rest', 'cluster']) {
    let b = null;
    for (const f of readdirSync(resultsDir).filter((x) => x.startsWith(sc + '-') && x.endsWith('.json'))) {
      try { const d = JSON.parse(readFileSync(join(resultsDir, f), 'utf8')); if (d.quick) continue; const l = (d.levels || []).find((x) => x.C === 64); if (l && (!b || l.deliveredPerSec > b.l.deliveredPerSec)) b = { l, d }; } catch {}
    }
    if (b) best.push(`${sc} ${n(b.l.deliveredPerSec)} msg/s, p99 ${n(b.l.latencyMs.p99, 1)} ms (${b.d.startedAt.slice(11, 16)} UTC)`);
  }
  if (best.length) md += `Best full run at C=64 so far: ${best.join('; ')}.\n\n`;
  const findings = join(dirname(outFile), 'FINDINGS.md');
  if (existsSync(findings)) md += readFileSync(findings, 'utf8') + '\n\n';
  const experiments = Object.keys(docs).filter((k) => k.includes('.')).sort();
  for (const s of [...ORDER, ...experiments]) {
    const d = docs[s]; if (!d) continue;
    md += `## ${d.tag ? `${d.scenario} — experiment \`${d.tag}\`` : s}${d.quick ? ' (quick run)' : ''}\n\n${d.server?.serverArgs ? `Server started with extra settings \`${d.server.serverArgs}\`. ` : ''}_${d._file}, started ${d.startedAt}, ${n(d.wallSec)} s wall, server ${d.server?.mode ?? ''}${d.machine?.loadavgAtStart ? `, load average at start ${d.machine.loadavgAtStart}` : ''}._\n\n`;
    try { md += (SECTIONS[d.scenario]?.(d.tag ? { ...d, scenario: `${d.scenario}.${d.tag}` } : d, chartDir, rel) || '') + '\n'; if (!d.tag && ['send-rest', 'send-socket', 'cluster'].includes(s)) md += runHistory(resultsDir, s); } catch (e) { md += `(render error: ${e.message})\n`; }
    md += cpuTable(d) + '\n' + cpuChart(d, chartDir, rel) + '\n';
  }
  // written by hand from the fault test's output (server FaultToleranceTest), kept across regenerations
  const faults = join(dirname(outFile), 'FAULTS.md');
  if (existsSync(faults)) md += '\n' + readFileSync(faults, 'utf8');
  writeFileSync(outFile, md);
}
