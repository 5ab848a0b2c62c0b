/** `$/cancelRequest` stops a real `torrent/create` while it hashes; the daemon keeps serving. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancellationTokenSource, ProgressType, ResponseError } from 'vscode-jsonrpc/node';
import * as P from '../../../protocol/src';
import { spawnDaemon } from './daemon-process';

test('cancelling torrent/create at its first progress report answers RequestCancelled', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-cancel-'));
  const d = spawnDaemon(join(dir, 'state'));
  t.after(() => {
    d.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const big = join(dir, 'big.bin');
  writeFileSync(big, '');
  truncateSync(big, 1024 * 1024 * 1024);
  await d.initialize({ downloadDir: join(dir, 'dl'), port: 0 });
  const cts = new CancellationTokenSource();
  const ends: P.TorrentCreateProgress[] = [];
  d.conn.onProgress(new ProgressType<P.TorrentCreateProgress>(), 'big', (v) => {
    if (v.kind === 'report') cts.cancel();
    if (v.kind === 'end') ends.push(v);
  });
  const outcome = await d.conn.sendRequest(P.TorrentCreateRequest.type, { path: big, pieceLength: 1024 * 1024, workDoneToken: 'big' }, cts.token).then(
    () => 'finished',
    (err: unknown) => (err instanceof ResponseError ? err.code : String(err)),
  );
  assert.equal(outcome, P.ErrorCodes.RequestCancelled);
  assert.deepEqual(ends.map((e) => e.message), ['cancelled']);
  assert.deepEqual(await d.conn.sendRequest(P.TorrentListRequest.type), { torrents: [] });
  assert.equal(await d.stop(), 0);
});
