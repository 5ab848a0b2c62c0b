import { randomBytes } from 'node:crypto';
import { VERSION } from '../version';

/** Our Azureus-style prefix: '-BT', major, minor, patch (one base-36 digit each), '0-'; '-BT0100-' for 0.1.0. */
export function peerIdPrefix(version = VERSION): string {
  const digits = version
    .split('.')
    .slice(0, 3)
    .map((p) => Math.min(Number.parseInt(p, 10) || 0, 35).toString(36).toUpperCase())
    .join('');
  return `-BT${digits.padEnd(3, '0')}0-`;
}

/** A fresh 20-byte peer id: our prefix and 12 random bytes. */
export function generatePeerId(): Uint8Array {
  const id = new Uint8Array(20);
  id.set(Buffer.from(peerIdPrefix(), 'latin1'));
  id.set(randomBytes(12), 8);
  return id;
}

const AZUREUS_CLIENTS: Record<string, string> = {
  BT: 'btd',
  TR: 'Transmission',
  lt: 'libtorrent (Rasterbar)',
  LT: 'libtorrent (Rasterbar)',
  qB: 'qBittorrent',
  WW: 'WebTorrent',
  DE: 'Deluge',
  UT: 'µTorrent',
  AZ: 'Vuze',
  BI: 'BiglyBT',
  KT: 'KTorrent',
  RT: 'rTorrent',
};

const SHADOW_CLIENTS: Record<string, string> = { A: 'ABC', O: 'Osprey', Q: 'BTQueue', R: 'Tribler', S: 'Shadow', T: 'BitTornado', U: 'UPnP NAT' };

function azureusVersion(code: string, v: string): string {
  if (code === 'TR') {
    // Transmission writes one major digit and a two-digit minor: '3000' = 3.00, '2940' = 2.94.
    return `${Number.parseInt(v[0], 36)}.${v.slice(1, 3)}`;
  }
  if (code === 'WW') {
    // WebTorrent writes two-digit major and minor: '0109' = 1.9 (0.1.9 read naively).
    return `${Number.parseInt(v.slice(0, 2), 10) || 0}.${Number.parseInt(v.slice(2, 4), 10) || 0}`;
  }
  if (code === 'qB' || code === 'DE' || code === 'lt' || code === 'LT' || code === 'BT') {
    return [...v.slice(0, 3)].map((c) => Number.parseInt(c, 36)).join('.');
  }
  return [...v].map((c) => Number.parseInt(c, 36)).join('.');
}

/** A human name for the client behind a peer id, e.g. 'Transmission 3.00', 'aria2 1.36.0'; unknown → hex prefix. */
export function clientName(peerId: Uint8Array): string {
  const s = Buffer.from(peerId).toString('latin1');
  const az = /^-([A-Za-z~][A-Za-z0-9~])([A-Za-z0-9.]{4})-/.exec(s);
  if (az) {
    const name = AZUREUS_CLIENTS[az[1]] ?? az[1];
    return `${name} ${azureusVersion(az[1], az[2])}`;
  }
  const aria = /^A2-(\d+)-(\d+)-(\d+)-/.exec(s);
  if (aria) return `aria2 ${aria[1]}.${aria[2]}.${aria[3]}`;
  const shadow = /^([A-Za-z])([0-9A-Za-z.-]{3,5})---?/.exec(s);
  if (shadow && SHADOW_CLIENTS[shadow[1]]) {
    const ver = [...shadow[2].replace(/-+$/, '')].filter((c) => c !== '.' && c !== '-').map((c) => Number.parseInt(c, 36));
    return `${SHADOW_CLIENTS[shadow[1]]} ${ver.join('.')}`;
  }
  if (/^M\d-\d-\d--/.test(s)) return `Mainline ${s[1]}.${s[3]}.${s[5]}`;
  return Buffer.from(peerId.subarray(0, 8)).toString('hex');
}
