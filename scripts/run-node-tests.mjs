// Runs every compiled `*.test.js` below the given folders (or the given test files) with Node's test runner.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  if (statSync(dir).isFile()) {
    if (dir.endsWith('.test.js')) out.push(dir);
    return out;
  }
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
// Nothing leaves this machine: every test process, and every node process a test starts, loads the
// network guard (a connection, datagram or lookup outside loopback throws), and btd runs loopback-only.
const guard = resolve('out/test/support/net-guard.js');
if (!existsSync(guard)) {
  console.error(`missing ${guard}: build first (npx tsc -b)`);
  process.exit(1);
}
const env = {
  ...process.env,
  BTD_LOOPBACK_ONLY: '1',
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(guard)}`.trim(),
};
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', `--test-timeout=${TEST_TIMEOUT_MS}`, ...files], {
  stdio: 'inherit',
  env,
});
process.exit(r.status ?? 1);
