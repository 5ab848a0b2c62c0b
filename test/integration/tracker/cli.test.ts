import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

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
