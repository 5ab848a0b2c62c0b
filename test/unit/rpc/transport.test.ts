import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Message } from 'vscode-jsonrpc/node';
import { writeFrame } from '../../../daemon/src/rpc/transport';

test('writeFrame writes header and body of each message in order, the messages of one turn in one chunk', async () => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const a = { jsonrpc: '2.0', method: 'x/é', params: { n: 1 } } as Message;
  const b = { jsonrpc: '2.0', id: 2, result: { torrents: [] } } as Message;
  await Promise.all([writeFrame(out, a), writeFrame(out, b)]);
  await new Promise((r) => setImmediate(r));
  const all = Buffer.concat(chunks).toString('utf8');
  const body = (m: Message): string => JSON.stringify(m);
  assert.equal(all, `Content-Length: ${Buffer.byteLength(body(a))}\r\n\r\n${body(a)}Content-Length: ${Buffer.byteLength(body(b))}\r\n\r\n${body(b)}`);
  assert.equal(out.writableCorked, 0, 'uncorked after the turn');
});

test('writeFrame rejects when the stream is gone', async () => {
  const out = new PassThrough();
  out.on('error', () => undefined);
  out.destroy();
  await assert.rejects(writeFrame(out, { jsonrpc: '2.0', method: 'x' } as Message));
});
