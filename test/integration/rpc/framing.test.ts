/**
 * A framing error on stdio (a Content-Length that is not a length) cannot be recovered from: the
 * daemon answers with a parse error (id null) that says so, and exits with status 1, while the
 * client still holds stdin open. It never goes silently deaf.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { within } from '../../support/deadline';
import { BTD } from './daemon-process';
import { RawClient } from './raw-client';

for (const header of ['Content-Length: -5', 'Content-Length: abc', 'Content-Length: 1e20', 'Content-Type: text/plain']) {
  test(`"${header}": a parse error with id null, then exit 1 with stdin still open`, { timeout: 30_000 }, async (t) => {
    const state = mkdtempSync(join(tmpdir(), 'btd-framing-'));
    const child = spawn(process.execPath, [BTD, '--rpc', 'stdio', '--state-dir', state], { stdio: ['pipe', 'pipe', 'pipe'] });
    t.after(() => {
      child.kill('SIGKILL');
      rmSync(state, { recursive: true, force: true });
    });
    const client = new RawClient(child);
    const exited = once(child, 'exit');
    child.stdin.write(`${header}\r\n\r\n{"jsonrpc":"2.0","id":1,"method":"shutdown"}`);
    const answer = await within(10_000, client.next((m) => m.id === null), 'no answer to a framing error');
    assert.equal(answer.error?.code, -32700);
    assert.match(answer.error?.message ?? '', /^framing error, closing: /);
    const [code] = (await within(10_000, exited, 'the daemon did not exit')) as [number | null];
    assert.equal(code, 1);
  });
}
