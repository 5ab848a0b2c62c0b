// Runs every compiled `*.test.js` below the given folders with Node's test runner.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const dirs = process.argv.slice(2);
const files = dirs.flatMap((d) => collect(d, []));
if (files.length === 0) {
  console.error(`no test files under ${dirs.join(', ')}`);
  process.exit(1);
}
// Every test has a deadline: one that hangs (an open socket, a stalled transfer) fails with Node's
// "test timed out" instead of holding the run. Tests bound their own waits far below this.
const TEST_TIMEOUT_MS = 180_000;
// Loopback-only mode (daemon/src/util/loopback.ts) for every test and every process a test starts: nothing
// is sent to, and no DHT bootstrap name is resolved for, an address outside 127.0.0.0/8 and ::1.
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', `--test-timeout=${TEST_TIMEOUT_MS}`, ...files], {
  stdio: 'inherit',
  env: { ...process.env, BTD_LOOPBACK_ONLY: '1' },
});
process.exit(r.status ?? 1);
