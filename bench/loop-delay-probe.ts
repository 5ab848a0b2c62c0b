/**
 * Preloaded into a daemon by the benchmarks (`node -r out/bench/loop-delay-probe.js bin/btd.js …`):
 * watches the event loop with perf_hooks.monitorEventLoopDelay and writes one JSON line on stderr at exit.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
process.once('exit', () => {
  h.disable();
  process.stderr.write(`${JSON.stringify({ loopDelay: { maxDelayMs: h.max / 1e6, p99DelayMs: h.percentile(99) / 1e6 } })}\n`);
});
