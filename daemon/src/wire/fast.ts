/** The allowed-fast set of BEP 6: pieces a peer may request while choked, derived from its address. */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * The `k` pieces (fewer if the torrent has fewer) that a peer at `ipv4` may request while choked,
 * computed as BEP 6 specifies: SHA-1 chained from the /24 of the address and the info hash. BEP 6
 * defines it for IPv4 only; other addresses get none.
 */
export function allowedFastSet(infoHash: Uint8Array, ipv4: string, pieceCount: number, k: number): number[] {
  const ip = ipv4.startsWith('::ffff:') ? ipv4.slice(7) : ipv4;
  if (isIP(ip) !== 4 || pieceCount <= 0 || k <= 0) return [];
  const want = Math.min(k, pieceCount);
  const octets = ip.split('.').map(Number);
  let x: Buffer = Buffer.concat([Buffer.from([octets[0], octets[1], octets[2], 0]), Buffer.from(infoHash)]);
  const out: number[] = [];
  while (out.length < want) {
    x = createHash('sha1').update(x).digest();
    for (let i = 0; i < 5 && out.length < want; i++) {
      const index = x.readUInt32BE(i * 4) % pieceCount;
      if (!out.includes(index)) out.push(index);
    }
  }
  return out;
}
