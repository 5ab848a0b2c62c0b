// The one test command (`npm test`): lint, type-check, then every suite in order.
// Each stage is a command; the first failure stops the run with its exit code.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const stages = [
  ['system packages', 'bash', ['scripts/setup-system.sh']],
  ['build', 'npx', ['tsc', '-b']],
  ['lint', 'npx', ['eslint', '.']],
  ['unit', 'node', ['scripts/run-node-tests.mjs', 'out/test/unit']],
  ['integration', 'node', ['scripts/run-node-tests.mjs', 'out/test/integration']],
  ['interop', 'node', ['scripts/run-node-tests.mjs', 'out/test/interop'], 'out/test/interop'],
  ['python client', 'python3', ['test/clients/python/run_story.py'], 'test/clients/python/run_story.py'],
  ['extension', 'node', ['out/test/extension/run.js'], 'out/test/extension/run.js'],
];

// btd in every stage (the Python client's daemon, the extension's) dials and sends to loopback only.
process.env.BTD_LOOPBACK_ONLY = '1';

// A stage that hangs fails the run instead of holding it (CI allows 90 minutes for everything).
const STAGE_TIMEOUT_MS = 25 * 60_000;

const only = process.argv.slice(2);
for (const [name, cmd, args, needs] of stages) {
  if (only.length > 0 && !only.includes(name)) continue;
  if (needs !== undefined && !existsSync(needs)) {
    console.log(`\n== ${name}: not present, nothing to run`);
    continue;
  }
  console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', timeout: STAGE_TIMEOUT_MS, killSignal: 'SIGKILL' });
  if (r.error?.code === 'ETIMEDOUT') {
    console.error(`\n== ${name} did not finish within ${STAGE_TIMEOUT_MS / 60_000} minutes; killed`);
    process.exit(1);
  }
  if (r.status !== 0) {
    console.error(`\n== ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}
console.log('\n== all stages passed');
