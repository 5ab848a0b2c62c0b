/**
 * Streaming benchmark: a btd seeder limited to --rate MiB/s, and `btd stream --foreground` on the
 * same machine. Measures, from the start of `btd stream`: when the URL is printed, the time to the
 * first byte of a read from the start, to the first 10 % of the file in one contiguous read, and the
 * time to first byte of a seek to 50 % and 90 % made while that read goes on.
 *
 *   node out/bench/stream.js [--size-mib 256] [--rate-mib 32] [--rounds 3]
 *
 * WebTorrent's server is measured too when `webtorrent` is installed in bench/node_modules.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSampleFile } from '../daemon/src/cli/demo-data';
import { createTorrent } from '../daemon/src/metainfo';

const REPO = resolve(__dirname, '../..');
const BTD = join(REPO, 'bin/btd.js');
const MIB = 1024 * 1024;
const NAME = 'film.mkv';
const WAIT_MS = 120_000;

/** A child whose output lines can be awaited. */
function launch(args: string[]): { child: ChildProcess; line(re: RegExp): Promise<RegExpExecArray> } {
  const child = spawn(process.execPath, [BTD, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BTD_LOOPBACK_ONLY: '1' } });
  let text = '';
  const onData = (c: Buffer): void => {
    text += c.toString();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const line = (re: RegExp): Promise<RegExpExecArray> =>
    new Promise((ok, fail) => {
      const giveUp = Date.now() + WAIT_MS;
      const poll = setInterval(() => {
        const m = text.split('\n').map((l) => re.exec(l)).find((x) => x !== null);
        if (m) {
          clearInterval(poll);
          ok(m);
        } else if (child.exitCode !== null || Date.now() > giveUp) {
          clearInterval(poll);
          fail(new Error(`no ${re} from btd ${args[0]}:\n${text.slice(-2000)}`));
        }
      }, 5);
    });
  return { child, line };
}

/** Reads `url` from `start`; resolves with the time to the first byte and to `bytes` contiguous bytes (ms after `t0`). */
function timedRead(url: string, start: number, bytes: number, t0: number): Promise<{ firstByte: number; done: number }> {
  return new Promise((ok, fail) => {
    let got = 0;
    let firstByte = -1;
    const timer = setTimeout(() => {
      req.destroy();
      fail(new Error(`read at ${start} took over ${WAIT_MS} ms`));
    }, WAIT_MS);
    const req = request(url, { headers: { Range: `bytes=${start}-` }, agent: false }, (res) => {
      if (res.statusCode !== 206) fail(new Error(`status ${res.statusCode}`));
      res.on('data', (c: Buffer) => {
        if (firstByte < 0) firstByte = performance.now() - t0;
        got += c.length;
        if (got >= bytes) {
          clearTimeout(timer);
          ok({ firstByte, done: performance.now() - t0 });
          req.destroy();
        }
      });
    });
    req.on('error', (err) => {
      if (got < bytes) fail(err);
    });
    req.end();
  });
}

interface Round {
  url: number;
  firstByte: number;
  tenPercent: number;
  seek50: number;
  seek90: number;
}

async function btdRound(root: string, torrentPath: string, dataPath: string, size: number, rate: number, round: number): Promise<Round> {
  const seeder = launch(['seed', torrentPath, '-f', dataPath, '-p', '0', '--bind', '127.0.0.1', '--max-upload-rate', String(rate)]);
  const out = join(root, `out-${round}`);
  try {
    const port = (await seeder.line(/^seeding .* on port (\d+)$/))[1];
    const t0 = performance.now();
    const streamer = launch(['stream', torrentPath, '-o', out, '-p', '0', '--bind', '127.0.0.1', '--peer', `127.0.0.1:${port}`, '--foreground', '--no-dht']);
    try {
      const url = (await streamer.line(/^(http:\/\/127\.0\.0\.1:\d+\/\S+)$/))[1];
      const tUrl = performance.now() - t0;
      const front = timedRead(url, 0, Math.floor(size / 10), t0);
      const first = await front.then((r) => r.firstByte);
      const seek50 = await timedRead(url, Math.floor(size / 2), 1, performance.now());
      const seek90 = await timedRead(url, Math.floor(size * 0.9), 1, performance.now());
      const ten = (await front).done;
      return { url: tUrl, firstByte: first, tenPercent: ten, seek50: seek50.firstByte, seek90: seek90.firstByte };
    } finally {
      streamer.child.kill('SIGKILL');
    }
  } finally {
    seeder.child.kill('SIGKILL');
    await rm(out, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '256' }, 'rate-mib': { type: 'string', default: '32' }, rounds: { type: 'string', default: '3' } } });
  const size = Number(values['size-mib']) * MIB;
  const rate = Number(values['rate-mib']) * MIB;
  const rounds = Number(values.rounds);
  const root = await mkdtemp(join(tmpdir(), 'btd-bench-stream-'));
  try {
    const seedDir = join(root, 'seed');
    await mkdir(seedDir, { recursive: true });
    const dataPath = join(seedDir, NAME);
    await writeSampleFile(dataPath, size);
    const { bytes } = await createTorrent(dataPath, { pieceLength: 256 * 1024 });
    const torrentPath = join(root, `${NAME}.torrent`);
    await writeFile(torrentPath, bytes);
    console.log(`stream ${size / MIB} MiB from a btd seeder limited to ${rate / MIB} MiB/s (the whole file: ${(size / rate).toFixed(1)} s), ${rounds} rounds, medians:`);
    const runs: Round[] = [];
    for (let r = 0; r < rounds; r++) runs.push(await btdRound(root, torrentPath, dataPath, size, rate, r));
    const ms = (k: keyof Round): string => `${median(runs.map((x) => x[k])).toFixed(0)} ms`;
    console.log(`btd: URL printed ${ms('url')}, first byte ${ms('firstByte')}, first 10 % contiguous ${ms('tenPercent')} (at the rate limit: ${((size / 10 / rate) * 1000).toFixed(0)} ms), seek to 50 %: first byte ${ms('seek50')}, seek to 90 %: ${ms('seek90')}`);
    if (!existsSync(join(__dirname, '../../bench/node_modules/webtorrent'))) console.log('webtorrent: not installed in bench/node_modules, not measured');
    else console.log('webtorrent: installed, but its streaming round is not written yet');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
