/**
 * Loaded into every test process, and every node process a test starts (through NODE_OPTIONS, set by
 * scripts/run-node-tests.mjs): any TCP connection, UDP datagram or DNS lookup whose destination is
 * not on 127.0.0.0/8 or ::1 throws, so a test that would reach outside this machine fails instead.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';

/** Loopback addresses and the name that means one; everything else is outside. */
export function isLoopbackDestination(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

function refuse(what: string, host: string): never {
  throw new Error(`test network guard: ${what} to ${host} refused (tests reach 127.0.0.0/8 and ::1 only)`);
}

type Connect = (...args: unknown[]) => net.Socket;
const socketProto = net.Socket.prototype as unknown as { connect: Connect };
const originalConnect = socketProto.connect;
socketProto.connect = function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
  // Node calls connect with its normalized [options, callback] array, users with (options) or (port, host).
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  let host: unknown;
  if (typeof first === 'object' && first !== null) {
    const o = first as { host?: unknown; path?: unknown };
    if (o.path === undefined) host = o.host;
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    host = args[1];
  }
  if (typeof host === 'string' && host.length > 0 && !isLoopbackDestination(host)) refuse('a TCP connection', host);
  return originalConnect.apply(this, args);
};

type Send = (...args: unknown[]) => void;
const dgramProto = dgram.Socket.prototype as unknown as { send: Send; connect: Send };
const originalSend = dgramProto.send;
dgramProto.send = function guardedSend(this: dgram.Socket, ...args: unknown[]): void {
  const host = args.slice(1).find((a) => typeof a === 'string');
  if (typeof host === 'string' && !isLoopbackDestination(host)) refuse('a UDP datagram', host);
  originalSend.apply(this, args);
};
const originalUdpConnect = dgramProto.connect;
dgramProto.connect = function guardedUdpConnect(this: dgram.Socket, ...args: unknown[]): void {
  const host = args.find((a) => typeof a === 'string');
  if (typeof host === 'string' && !isLoopbackDestination(host)) refuse('a UDP connection', host);
  originalUdpConnect.apply(this, args);
};

/** A lookup of an address literal resolves nothing (dgram's bind of 0.0.0.0 goes through one); of a name, only localhost. */
function mayLookUp(hostname: unknown): boolean {
  return typeof hostname !== 'string' || net.isIP(hostname) !== 0 || isLoopbackDestination(hostname);
}

type Lookup = (hostname: string, ...rest: unknown[]) => unknown;
const dnsModule = dns as unknown as { lookup: Lookup };
const originalLookup = dnsModule.lookup;
dnsModule.lookup = function guardedLookup(hostname: string, ...rest: unknown[]): unknown {
  if (!mayLookUp(hostname)) refuse('a DNS lookup', hostname);
  return originalLookup.call(dns, hostname, ...rest);
};
const dnsPromises = dns.promises as unknown as { lookup: Lookup };
const originalPromiseLookup = dnsPromises.lookup;
dnsPromises.lookup = function guardedPromiseLookup(hostname: string, ...rest: unknown[]): unknown {
  if (!mayLookUp(hostname)) refuse('a DNS lookup', hostname);
  return originalPromiseLookup.call(dns.promises, hostname, ...rest);
};
