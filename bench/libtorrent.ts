/**
 * libtorrent peers for the benchmarks: test/interop/libtorrent/lt_peer.py run with Debian's
 * python3-libtorrent (TCP only on 127.0.0.1; DHT, local discovery, UPnP, NAT-PMP and uTP off).
 */
import { join, resolve } from 'node:path';
import { launch, type Proc } from './proc';

const REPO = resolve(__dirname, '../..');
/** Debian's interpreter: the module is installed for it, not for another python3 on the PATH. */
export const PYTHON = '/usr/bin/python3';
export const LT_PEER = join(REPO, 'test/interop/libtorrent/lt_peer.py');

/** A seeder with libtorrent's `high_performance_seed()` settings on `port`; resolves once it has checked its data. */
export async function ltSeed(torrent: string, dir: string, port: number, cwd: string): Promise<Proc> {
  const p = launch('lt seed', PYTHON, [LT_PEER, 'seed', torrent, dir], cwd, { env: { BTD_LT_PORT: String(port), BTD_LT_HIGH_PERFORMANCE: '1' } });
  await p.line(/^seeding on port /);
  return p;
}

/** A leecher with default settings on `port` that dials `peers` (none: the torrent's trackers only) and exits when complete. */
export function ltLeech(torrent: string, dir: string, port: number, peers: number[], cwd: string): Proc {
  return launch('lt leech', PYTHON, [LT_PEER, 'download', torrent, dir, peers.map((x) => `127.0.0.1:${x}`).join(',')], cwd, { env: { BTD_LT_PORT: String(port) } });
}

const UNITS: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 };

/** Payload bytes a finished leecher received from seeds and from other downloaders, from its last lines (btd or lt_peer.py). */
export function received(p: Proc): { fromSeeds: number; fromOthers: number } | undefined {
  const text = p.output();
  const lt = /^received: (\d+) from seeds, (\d+) from others$/m.exec(text);
  if (lt) return { fromSeeds: Number(lt[1]), fromOthers: Number(lt[2]) };
  const size = (n: string, unit: string): number => Number(n) * UNITS[unit];
  const btd = /received ([\d.]+) (B|KiB|MiB|GiB) from seeds, ([\d.]+) (B|KiB|MiB|GiB) from other downloaders/.exec(text);
  return btd ? { fromSeeds: size(btd[1], btd[2]), fromOthers: size(btd[3], btd[4]) } : undefined;
}

/** The "…; 1.2 MiB received twice" of a btd download's last line, in bytes (undefined for other clients). */
export function receivedTwice(p: Proc): number | undefined {
  const m = /; ([\d.]+) (B|KiB|MiB|GiB) received twice/.exec(p.output());
  return m ? Number(m[1]) * UNITS[m[2]] : undefined;
}
