import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { buildAnnounceUrl, httpGet, scrape, udpAnnounce } from '../../../daemon/src/tracker/client';

const BIN = join(__dirname, '..', '..', '..', '..', 'bin', 'btd.js');

test('btd tracker prints its URLs, serves stats, and stops cleanly on SIGINT', { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, [BIN, 'tracker', '--port', '0', '--interval', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const statsUrl = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const m = /JSON: (http:\/\/127\.0\.0\.1:\d+\/stats\.json)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    assert.match(out, /announce URL: http:\/\/127\.0\.0\.1:\d+\/announce/);
    const stats = (await (await fetch(statsUrl)).json()) as { torrents: number };
    assert.equal(stats.torrents, 0);
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = await exited;
    assert.equal(code, 0);
    assert.match(out, /stopped after/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

test('btd tracker refuses a bad port with one line', async () => {
  const child = spawn(process.execPath, [BIN, 'tracker', '--port', '99999'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err += d));
  const [code] = await once(child, 'exit');
  assert.equal(code, 1);
  assert.equal(err.trim(), 'btd: --port must be an integer from 0 to 65535, got "99999"');
});

test('btd tracker --udp answers UDP announces on the port it prints, counted in its stats', { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, [BIN, 'tracker', '--port', '0', '--udp'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const urls = await new Promise<{ udp: string; stats: string }>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const udp = /UDP announce: (udp:\/\/127\.0\.0\.1:\d+\/announce)/.exec(out);
        const stats = /JSON: (http:\/\/127\.0\.0\.1:\d+\/stats\.json)/.exec(out);
        if (udp && stats) resolve({ udp: udp[1], stats: stats[1] });
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const request = { infoHash: Buffer.alloc(20, 3), peerId: Buffer.alloc(20, 4), port: 7000, uploaded: 0, downloaded: 0, left: 0, event: 'started' as const };
    const answer = await udpAnnounce(urls.udp, request, { timeoutMs: 10_000 });
    assert.deepEqual([answer.complete, answer.incomplete, answer.peers], [1, 0, []]);
    const stats = (await (await fetch(urls.stats)).json()) as { seeders: number; announces: number };
    assert.deepEqual([stats.seeders, stats.announces], [1, 1]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

test('btd tracker --max-peers-per-ip caps one address in a swarm; a bad value is refused with one line', { timeout: 30_000 }, async () => {
  const bad = spawn(process.execPath, [BIN, 'tracker', '--max-new-torrents-per-ip', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  bad.stderr.setEncoding('utf8');
  bad.stderr.on('data', (d: string) => (err += d));
  const [badCode] = await once(bad, 'exit');
  assert.equal(badCode, 1);
  assert.equal(err.trim(), 'btd: --max-new-torrents-per-ip must be an integer from 1 to 10000000, got "0"');

  const child = spawn(process.execPath, [BIN, 'tracker', '--port', '0', '--max-peers-per-ip', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const announceUrl = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const m = /announce URL: (http:\/\/127\.0\.0\.1:\d+\/announce)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const infoHash = Buffer.alloc(20, 7);
    for (const n of [1, 2]) {
      const peerId = Buffer.from(`-CL0001-${String(n).padStart(12, '0')}`);
      await httpGet(buildAnnounceUrl(announceUrl, { infoHash, peerId, port: 7000 + n, uploaded: 0, downloaded: 0, left: 1 }), { timeoutMs: 10_000, maxBytes: 1 << 16 });
    }
    const figures = await scrape(announceUrl, [infoHash]);
    assert.deepEqual(figures.get(infoHash.toString('hex')), { complete: 0, incomplete: 1, downloaded: 0 }, 'the second peer replaced the first');
  } finally {
    child.kill('SIGKILL');
  }
});
