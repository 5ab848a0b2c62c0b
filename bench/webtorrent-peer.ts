/**
 * A WebTorrent peer in its own process for bench/transfer.ts: TCP only (no DHT, trackers, LSD, uTP,
 * WebRTC, web seeds). Prints "ready" when seeding, "done" and exits 0 when a download is complete.
 *
 *   node out/bench/webtorrent-peer.js --role wt-seed|wt-leech --torrent FILE --dir DIR --port N [--peers p1,p2]
 */
import { readFile } from 'node:fs/promises';
import { createRequire, register } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = resolve(__dirname, '../..');

/**
 * Module resolution hooks for the WebTorrent worker:
 * - webrtc-polyfill loads node-datachannel, a native module without a build here (bench/ was installed
 *   with --ignore-scripts and its prebuilt binary cannot be fetched); WebRTC is off, so an empty module stands in.
 * - webtorrent 2.8.5 passes parse-torrent 11's hex-string info hash to uint8-util 2.3's arr2hex (for a
 *   debug id), which throws on strings; a wrapper lets strings through unchanged.
 */
const WEBTORRENT_HOOKS = `
const data = (src) => 'data:text/javascript,' + encodeURIComponent(src);
const RTC = 'export class RTCPeerConnection {} export class RTCSessionDescription {} export class RTCIceCandidate {} export default {}';
export async function resolve(specifier, context, next) {
  if (specifier === 'webrtc-polyfill') return { url: data(RTC), shortCircuit: true };
  if (specifier !== 'uint8-util') return next(specifier, context);
  const real = JSON.stringify((await next(specifier, context)).url);
  return { url: data('export * from ' + real + '; import * as u from ' + real + '; export const arr2hex = (d) => typeof d === "string" ? d : u.arr2hex(d);'), shortCircuit: true };
}`;

/** The few WebTorrent calls used here. */
interface WtClient {
  on(event: 'error', fn: (e: unknown) => void): void;
  add(torrent: Uint8Array, opts: { path: string; skipVerify: boolean }): WtTorrent;
  destroy(cb: () => void): void;
}
interface WtTorrent {
  on(event: string, fn: (e?: unknown) => void): void;
  addPeer(addr: string): void;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { role: { type: 'string' }, torrent: { type: 'string' }, dir: { type: 'string' }, port: { type: 'string' }, peers: { type: 'string', default: '' } } });
  const { role, torrent: torrentPath, dir, port, peers } = values;
  if ((role !== 'wt-seed' && role !== 'wt-leech') || torrentPath === undefined || dir === undefined || port === undefined) throw new Error('usage: --role wt-seed|wt-leech --torrent FILE --dir DIR --port N [--peers p1,p2]');
  register(`data:text/javascript,${encodeURIComponent(WEBTORRENT_HOOKS)}`);
  const entry = createRequire(join(REPO, 'bench/package.json')).resolve('webtorrent');
  const WebTorrent = ((await import(pathToFileURL(entry).href)) as { default: new (opts: object) => WtClient }).default;
  const client = new WebTorrent({ dht: false, tracker: false, lsd: false, utp: false, webSeeds: false, natUpnp: false, natPmp: false, torrentPort: Number(port) });
  client.on('error', (e: unknown) => {
    console.error(String(e));
    process.exit(1);
  });
  const torrent = client.add(await readFile(torrentPath), { path: dir, skipVerify: role === 'wt-seed' });
  torrent.on('error', (e: unknown) => {
    console.error(String(e));
    process.exit(1);
  });
  if (role === 'wt-seed') {
    torrent.on('ready', () => console.log('ready'));
    return;
  }
  torrent.on('infoHash', () => {
    for (const p of peers.split(',').filter((x) => x !== '')) torrent.addPeer(`127.0.0.1:${p}`);
  });
  torrent.on('done', () => {
    console.log('done');
    client.destroy(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
