/** Bad input over stdio is answered with the right JSON-RPC error, and the daemon keeps serving. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes } from '../../../protocol/src';
import { BTD } from './daemon-process';
import { RawClient } from './raw-client';

test('parse errors, invalid requests, unknown methods, bad params and btd errors; still serving', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-rpc-errors-'));
  const child = spawn(process.execPath, [BTD, '--rpc', 'stdio', '--state-dir', join(dir, 'state'), '--listen-host', '127.0.0.1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const c = new RawClient(child);

  const early = await c.request(1, 'torrent/list');
  assert.equal(early.error?.code, ErrorCodes.ServerNotInitialized);
  const init = await c.request(2, 'initialize', { processId: null, rootUri: null, capabilities: {}, initializationOptions: { downloadDir: join(dir, 'dl'), port: 0 } });
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, 'btd');
  c.send({ jsonrpc: '2.0', method: 'initialized', params: {} });

  c.sendRaw('{"jsonrpc":"2.0","id":3,"method":');
  assert.equal((await c.next((m) => m.id === null && m.error?.code === ErrorCodes.ParseError)).error?.code, ErrorCodes.ParseError);
  c.send({ jsonrpc: '1.0', id: 4, method: 'torrent/list' });
  assert.equal((await c.next((m) => m.id === 4)).error?.code, ErrorCodes.InvalidRequest);
  c.send([{ jsonrpc: '2.0', id: 5, method: 'torrent/list' }]);
  assert.equal((await c.next((m) => m.id === null && m.error?.code === ErrorCodes.InvalidRequest)).error?.code, ErrorCodes.InvalidRequest);
  assert.equal((await c.request(6, 'torrent/fly')).error?.code, ErrorCodes.MethodNotFound);

  const badHash = await c.request(7, 'torrent/get', { infoHash: 'xyz' });
  assert.equal(badHash.error?.code, ErrorCodes.InvalidParams);
  assert.match(badHash.error!.message, /infoHash/);
  const badPort = await c.request(8, 'session/setSettings', { port: 70000 });
  assert.equal(badPort.error?.code, ErrorCodes.InvalidParams);
  assert.deepEqual(badPort.error?.data, { field: 'port' });
  const typo = await c.request(9, 'torrent/add', { torrent: { base64: 'AAAA' }, pasued: true });
  assert.deepEqual(typo.error?.data, { field: 'pasued' });
  const two = await c.request(10, 'torrent/add', { torrent: { base64: 'AAAA', path: '/x.torrent' } });
  assert.match(two.error!.message, /exactly one/);

  const unknown = await c.request(11, 'torrent/pause', { infoHash: 'a'.repeat(40) });
  assert.equal(unknown.error?.code, ErrorCodes.UnknownTorrent);
  const notTorrent = await c.request(12, 'torrent/add', { torrent: { base64: Buffer.from('d3:foo3:bare').toString('base64') } });
  assert.equal(notTorrent.error?.code, ErrorCodes.InvalidTorrent);
  const missing = await c.request(13, 'torrent/add', { torrent: { path: join(dir, 'nope.torrent') } });
  assert.equal(missing.error?.code, ErrorCodes.IoError);
  writeFileSync(join(dir, 'taken.torrent'), 'a file of the user');
  const taken = await c.request(30, 'torrent/create', { path: dir, outputPath: join(dir, 'taken.torrent') });
  assert.equal(taken.error?.code, ErrorCodes.InvalidParams);
  assert.deepEqual(taken.error?.data, { field: 'outputPath' });
  assert.equal(readFileSync(join(dir, 'taken.torrent'), 'utf8'), 'a file of the user');
  const magnet = await c.request(14, 'torrent/add', { torrent: { magnet: 'magnet:?xt=urn:btih:not-a-hash' } });
  assert.equal(magnet.error?.code, ErrorCodes.InvalidTorrent);
  assert.deepEqual(magnet.error?.data, { reason: 'bad-magnet' });
  assert.equal((await c.request(15, 'tracker/stats')).error?.code, ErrorCodes.TrackerNotRunning);
  assert.equal((await c.request(16, 'tracker/start', { port: 0 })).error, undefined);
  assert.equal((await c.request(17, 'tracker/start', { port: 0 })).error?.code, ErrorCodes.TrackerAlreadyRunning);
  const settingsBefore = (await c.request(18, 'session/getSettings')).result;
  assert.equal((await c.request(19, 'session/setSettings', { maxConnections: 10, port: -1 })).error?.code, ErrorCodes.InvalidParams);
  assert.deepEqual((await c.request(20, 'session/getSettings')).result, settingsBefore, 'a refused request changes nothing');

  assert.deepEqual((await c.request(21, 'torrent/list')).result, { torrents: [] });
  assert.equal((await c.request(22, 'shutdown')).result, null);
  assert.equal((await c.request(23, 'torrent/list')).error?.code, ErrorCodes.InvalidRequest);
  c.send({ jsonrpc: '2.0', method: 'exit' });
  assert.equal(await exited, 0);
});
