/** The tracker's HTTP edges: a scrape of the 256 hashes the docs allow, and a request with no Host header. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { bdecode, type BDict } from '../../../daemon/src/bencode';
import { scrape } from '../../../daemon/src/tracker/client';
import { startTracker } from '../../../daemon/src/tracker/server';
import { within } from '../../support/deadline';

test('a scrape naming 256 info hashes is answered for all of them', { timeout: 30_000 }, async () => {
  const tracker = await startTracker({ host: '127.0.0.1', port: 0 });
  try {
    const hashes = Array.from({ length: 256 }, () => randomBytes(20));
    const figures = await within(10_000, scrape(tracker.url, hashes), 'the scrape was not answered');
    assert.equal(figures.size, 256);
  } finally {
    await tracker.close();
  }
});

test('an HTTP/1.1 request without Host gets a bencoded answer, not a bare 400', { timeout: 30_000 }, async () => {
  const tracker = await startTracker({ host: '127.0.0.1', port: 0 });
  try {
    const socket = net.connect(tracker.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((done) => socket.on('end', done));
    socket.end('GET /announce?info_hash=x HTTP/1.1\r\nConnection: close\r\n\r\n');
    await within(10_000, ended, 'no answer');
    const text = Buffer.concat(chunks);
    const body = text.subarray(text.indexOf('\r\n\r\n') + 4);
    const answer = bdecode(body) as BDict;
    assert.match(Buffer.from(answer.get('failure reason') as Uint8Array).toString(), /info_hash/);
  } finally {
    await tracker.close();
  }
});
