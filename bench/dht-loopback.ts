/**
 * DHT loopback benchmark: a network of 200 btd DHT nodes and one of 200 npm bittorrent-dht nodes on
 * 127.0.0.1, of the same shape (each node bootstraps from up to three earlier ones), each in its own
 * child process, one after the other in the same run. Each runs N get_peers lookups of info hashes a
 * random node announced; prints lookups per second, queries per lookup, success rate, RSS per 100
 * nodes, and btd's ratios. See bench/dht.md.
 *
 *   node out/bench/dht-loopback.js [--nodes 200] [--lookups 200] [--seed N]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { nodes: { type: 'string', default: '200' }, lookups: { type: 'string', default: '200' }, seed: { type: 'string', default: String(Date.now() % 0x7fffffff) } } });

interface NetResult {
  impl: string;
  nodes: number;
  lookups: number;
  setupS: number;
  lookupsPerSecond: number;
  queriesPerLookup: number;
  success: number;
  rssMiBPer100: number;
}

function runNetwork(impl: string): Promise<NetResult> {
  const child = spawn(process.execPath, [join(__dirname, 'dht/loopback-child.js'), '--impl', impl, '--nodes', String(args.nodes), '--lookups', String(args.lookups), '--seed', String(args.seed)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BTD_LOOPBACK_ONLY: '1' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 300_000);
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      clearTimeout(deadline);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${impl} network failed (exit ${code}, within the 300 s deadline?): ${out}`));
      else resolve(JSON.parse(line) as NetResult);
    }),
  );
}

async function main(): Promise<void> {
  console.log(`DHT loopback: ${args.nodes} nodes per network, ${args.lookups} get_peers lookups, seed ${args.seed}`);
  const results: NetResult[] = [];
  for (const impl of ['btd', 'bittorrent-dht']) {
    const r = await runNetwork(impl);
    results.push(r);
    console.log(
      `${impl.padEnd(15)} ${r.lookupsPerSecond.toFixed(1).padStart(7)} lookups/s  ${r.queriesPerLookup.toFixed(1).padStart(6)} queries/lookup  success ${(r.success * 100).toFixed(1)} %  RSS ${r.rssMiBPer100.toFixed(1)} MiB per 100 nodes  (set-up ${r.setupS.toFixed(1)} s)`,
    );
  }
  const [btd, bt] = results;
  const qRatio = btd.queriesPerLookup / bt.queriesPerLookup;
  console.log(`btd / bittorrent-dht: queries per lookup ${qRatio.toFixed(2)}x, lookups/s ${(btd.lookupsPerSecond / bt.lookupsPerSecond).toFixed(2)}x, RSS ${(btd.rssMiBPer100 / bt.rssMiBPer100).toFixed(2)}x`);
  const met = qRatio <= 0.5 && btd.success >= bt.success;
  console.log(`goal btd <= 0.5x their queries per lookup at equal or better success: ${met ? 'met' : 'MISSED'}`);
}

void main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
