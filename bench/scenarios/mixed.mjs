// mixed: send-rest at C=64 alone, then again while logins run at ~40/s. Does message latency hold?
import { createUsers } from '../lib/api.mjs';
import { setupPairs, runLevel, jitWarmup } from './send.mjs';
import { loginLoop } from './login.mjs';

export async function run(ctx) {
  const { opts, nodes, log } = ctx;
  const duration = opts.duration ?? (opts.quick ? 5 : 15), warmup = opts.warmup ?? (opts.quick ? 2 : 5), C = 64, loginRate = opts.loginRate || 40;
  const h = await setupPairs(ctx, { pairs: opts.pairs || 50, senderNode: nodes[0], receiverNode: nodes[0], label: 'm' });
  const lusers = await createUsers(ctx.api, 32, { prefix: 'ml', login: false });
  try {
    await jitWarmup(ctx, h, { mode: 'rest', restApi: ctx.apiFor(C) });
    const baseline = await runLevel(ctx, h, { mode: 'rest', C, duration, warmup, restApi: ctx.apiFor(C) });
    const loginApi = ctx.apiFor(32);
    const [mixed, logins] = await Promise.all([
      runLevel(ctx, h, { mode: 'rest', C, duration, warmup, restApi: ctx.apiFor(C) }),
      loginLoop(loginApi, lusers, { concurrency: 32, durationSec: warmup + duration, ratePerSec: loginRate }),
    ]);
    log(`mixed: logins ${logins.perSec}/s p99 ${logins.latencyMs.p99}`);
    return {
      params: { C, duration, warmup, loginRate }, baseline, mixed, logins,
      targets: [
        { name: `send-rest p99 ≤ 100 ms while logins run at ~${loginRate}/s`, value: mixed.latencyMs.p99, pass: mixed.latencyMs.p99 != null && mixed.latencyMs.p99 <= 100 },
        { name: `logins sustained ≥ 90% of ${loginRate}/s`, value: logins.perSec, pass: logins.perSec >= loginRate * 0.9 },
      ],
    };
  } finally { h.close(); }
}
