// profile: JFR of the server while send-socket (and send-rest) run at C=64; aggregates execution samples.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, unlinkSync } from 'node:fs';
import { setupPairs, runLevel, jitWarmup } from './send.mjs';
import { JCMD, JFR } from '../lib/server.mjs';

// A sample belongs to the category of its leaf-most frame that is not plain JDK code (JDK frames are
// charged to the library or app code that called them), i.e. self time per library.
const CATEGORIES = [
  ['bcrypt (password hashing)', /bcrypt/i],
  ['Postgres JDBC driver', /^org\.postgresql\./],
  ['HikariCP', /^com\.zaxxer\.hikari\./],
  ['Spring JDBC', /^org\.springframework\.jdbc\./],
  ['Redis client (Lettuce / Spring Data Redis)', /^(io\.lettuce|org\.springframework\.data\.redis)\./],
  ['Socket.IO protocol (netty-socketio)', /^com\.corundumstudio\./],
  ['JSON (Jackson 2 and 3)', /^(com\.fasterxml\.jackson|tools\.jackson)\./],
  ['JWT (nimbus-jose)', /^com\.nimbusds\./],
  ['Metrics (Micrometer)', /^io\.micrometer\./],
  ['Logging', /^(ch\.qos\.logback|org\.slf4j|org\.apache\.logging)\./],
  ['Netty I/O', /^io\.netty\./],
  ['Parley application code', /^dev\.parley\./],
  ['Spring MVC / framework', /^org\.springframework\./],
  ['Tomcat / HTTP', /^org\.apache\.(coyote|tomcat|catalina)\./],
  ['JFR', /^jdk\.jfr\./],
];
const JDK_CATEGORY = 'JDK only (threads, scheduler, I/O syscalls, GC barriers…)';
function categorize(frames) {
  for (const f of frames) { const c = CATEGORIES.find(([, re]) => re.test(f)); if (c) return c[0]; }
  return JDK_CATEGORY;
}

/** Streams `jfr print` text output (JSON of a 20 s REST profile exceeds V8's string limit). */
export async function analyzeJfr(file, event = 'jdk.ExecutionSample', topN = 25) {
  const self = new Map(), incl = new Map(), app = new Map(), cats = new Map(), threads = new Map();
  let total = 0, frames = null, thread = '?', inStack = false;
  const finish = () => {
    if (!frames || !frames.length) return;
    total++;
    const names = frames;
    self.set(names[0], (self.get(names[0]) || 0) + 1);
    const seen = new Set(names);
    for (const nme of seen) incl.set(nme, (incl.get(nme) || 0) + 1);
    for (const nme of seen) if (nme.startsWith('dev.parley.') && !/Filter\.doFilter/.test(nme)) app.set(nme, (app.get(nme) || 0) + 1);
        const cat = categorize(names);
    cats.set(cat, (cats.get(cat) || 0) + 1);
    const tn = thread.replace(/[-#]?\d+$/g, '').replace(/\d+/g, 'N');
    threads.set(tn, (threads.get(tn) || 0) + 1);
  };
  const child = spawn(JFR, ['print', '--stack-depth', '48', '--events', event, file], { stdio: ['ignore', 'pipe', 'ignore'] });
  const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.startsWith(event + ' {')) { finish(); frames = []; thread = '?'; inStack = false; continue; }
    const t = line.trim();
    if (t.startsWith('sampledThread = ') || t.startsWith('eventThread = ')) { const m = t.match(/= "([^"]*)"/); thread = m ? m[1] : '?'; continue; }
    if (t === 'stackTrace = [') { inStack = true; continue; }
    if (inStack) {
      if (t === ']') { inStack = false; continue; }
      if (t === '...') continue;
      const i = t.indexOf('('); if (i > 0) frames.push(t.slice(0, i));
    }
  }
  finish();
  await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
  const T = total || 1;
  const top = (m, k = topN) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, c]) => ({ name, count: c, pct: Math.round((c / T) * 1000) / 10 }));
  return { event, samples: total, topSelf: top(self), topInclusive: top(incl), topApp: top(app), categories: top(cats, 30), threads: top(threads, 12) };
}

export async function run(ctx) {
  const { opts, nodes, log } = ctx; const pid = nodes[0].pid;
  if (!pid) throw new Error('profile needs the server pid (start it from the jar or pass --pid)');
  const C = opts.levels?.[0] || 64, duration = opts.duration ?? (opts.quick ? 10 : 20);
  const modes = opts.mode ? [opts.mode] : ['socket', 'rest'];
  const h = await setupPairs(ctx, { pairs: opts.pairs || 50, senderNode: nodes[0], receiverNode: nodes[0], label: 'p' });
  const runs = [];
  try {
    for (const mode of modes) {
      const file = `/tmp/parley-bench-profile-${mode}-${Date.now()}.jfr`;
      // warm-up without recording, then record only the measured window
      await jitWarmup(ctx, h, { mode, restApi: ctx.apiFor(C) });
      execFileSync(JCMD, [String(pid), 'JFR.start', 'name=bench', 'settings=profile', 'jdk.ExecutionSample#period=2ms', 'jdk.CPUTimeSample#enabled=true', 'jdk.CPUTimeSample#throttle=2ms'], { stdio: 'ignore' });
      const level = await runLevel(ctx, h, { mode, C, duration, warmup: 0, restApi: ctx.apiFor(C) });
      execFileSync(JCMD, [String(pid), 'JFR.dump', 'name=bench', `filename=${file}`], { stdio: 'ignore' });
      execFileSync(JCMD, [String(pid), 'JFR.stop', 'name=bench'], { stdio: 'ignore' });
      log(`profile ${mode}: analysing ${file}`);
      const profile = await analyzeJfr(file, 'jdk.ExecutionSample');
      let cpuProfile = null; try { cpuProfile = await analyzeJfr(file, 'jdk.CPUTimeSample'); } catch (e) { log(`no CPU-time samples: ${e.message.slice(0, 100)}`); }
      log(`profile ${mode}: ${profile.samples} execution samples; ${profile.categories.map((c) => `${c.name} ${c.pct}%`).join(', ')}`);
      if (cpuProfile) log(`profile ${mode}: ${cpuProfile.samples} cpu-time samples; ${cpuProfile.categories.map((c) => `${c.name} ${c.pct}%`).join(', ')}`);
      if (!opts.keepJfr && existsSync(file)) unlinkSync(file); else log(`kept ${file}`);
      runs.push({ mode, C, duration, level, profile, cpuProfile, jfrFile: opts.keepJfr ? file : null });
    }
    return { params: { modes, C, duration }, runs, targets: [] };
  } finally { h.close(); }
}
