/**
 * KRPC (BEP 5): the bencoded messages of the Mainline DHT. A pure, bounded codec: decodeKrpc never
 * throws anything but a KrpcError, whose `code` is the KRPC error code to answer with and whose `t`
 * is the transaction id when one could be read (so the caller can answer a bad query).
 */
import { bdecode, bencode, BencodeError, isBytes, isDict, isList, type BDict, type BValue } from '../bencode';

/** Largest datagram we decode; BEP 5 messages fit in one Ethernet frame, 8 KiB leaves room for extensions. */
export const MAX_DATAGRAM = 8 * 1024;
/** Most nodes read from one `nodes` field (8 is normal; more is ignored). */
export const MAX_NODES = 64;
/** Most peers read from one `values` list. */
export const MAX_VALUES = 200;
/** Longest transaction id and token accepted. */
export const MAX_TRANSACTION_ID = 32;
export const MAX_TOKEN = 64;
/** Bytes of one compact node: 20-byte id, 4-byte IPv4 address, 2-byte port. */
export const COMPACT_NODE_LENGTH = 26;

/** KRPC error codes (BEP 5). */
export const KrpcErrorCode = { generic: 201, server: 202, protocol: 203, methodUnknown: 204 } as const;

/** A malformed message; answer a query with `code` and `t` when `t` is known. */
export class KrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly t?: Uint8Array,
    /** The message was a query (so it deserves an error answer). */
    readonly query = false,
  ) {
    super(message);
    this.name = 'KrpcError';
  }
}

/** An IPv4 address and port. */
export interface NodeAddress {
  ip: string;
  port: number;
}

/** A DHT node as carried in `nodes`: its id and address. */
export interface CompactNode extends NodeAddress {
  id: Uint8Array;
}

/** The queries of BEP 5; `id` is the querying node's id. */
export type KrpcQuery =
  | { method: 'ping'; id: Uint8Array }
  | { method: 'find_node'; id: Uint8Array; target: Uint8Array }
  | { method: 'get_peers'; id: Uint8Array; infoHash: Uint8Array }
  | { method: 'announce_peer'; id: Uint8Array; infoHash: Uint8Array; port: number; impliedPort: boolean; token: Uint8Array };

/** The method names. */
export type KrpcMethod = KrpcQuery['method'];

/** A response's arguments: every answer has `id`; the rest depend on the query. */
export interface KrpcResponse {
  id: Uint8Array;
  nodes?: CompactNode[];
  values?: NodeAddress[];
  token?: Uint8Array;
}

/** A whole message. `ip` is BEP 42's view of the receiver's address, `v` the sender's version. */
export type KrpcMessage = { t: Uint8Array; v?: Uint8Array; ip?: NodeAddress; ro?: boolean } & (
  | { y: 'q'; q: KrpcQuery }
  | { y: 'r'; r: KrpcResponse }
  | { y: 'e'; code: number; message: string }
);

const METHODS: ReadonlySet<string> = new Set(['ping', 'find_node', 'get_peers', 'announce_peer']);

/** Encodes a message; throws KrpcError only for values we would never send (ids not 20 bytes). */
export function encodeKrpc(m: KrpcMessage): Buffer {
  const top: Record<string, unknown> = { t: m.t, y: m.y };
  if (m.v) top.v = m.v;
  if (m.ip) top.ip = compactAddress(m.ip);
  if (m.ro) top.ro = 1;
  if (m.y === 'q') {
    top.q = m.q.method;
    top.a = queryArgs(m.q);
  } else if (m.y === 'r') {
    const r: Record<string, unknown> = { id: id20(m.r.id) };
    if (m.r.nodes) r.nodes = encodeNodes(m.r.nodes);
    if (m.r.values) r.values = m.r.values.map((p) => compactAddress(p));
    if (m.r.token) r.token = m.r.token;
    top.r = r;
  } else {
    top.e = [m.code, m.message];
  }
  return Buffer.from(bencode(top as Parameters<typeof bencode>[0]));
}

function queryArgs(q: KrpcQuery): Record<string, unknown> {
  switch (q.method) {
    case 'ping':
      return { id: id20(q.id) };
    case 'find_node':
      return { id: id20(q.id), target: id20(q.target) };
    case 'get_peers':
      return { id: id20(q.id), info_hash: id20(q.infoHash) };
    case 'announce_peer':
      return { id: id20(q.id), info_hash: id20(q.infoHash), port: q.port, token: q.token, implied_port: q.impliedPort ? 1 : 0 };
  }
}

function id20(id: Uint8Array): Uint8Array {
  if (id.length !== 20) throw new KrpcError(KrpcErrorCode.generic, `an id must be 20 bytes, not ${id.length}`);
  return id;
}

/** 6 bytes: IPv4 address, big-endian port. Throws KrpcError for anything but IPv4. */
export function compactAddress(a: NodeAddress): Buffer {
  const parts = a.ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || !(a.port >= 0 && a.port <= 65535)) {
    throw new KrpcError(KrpcErrorCode.generic, `not an IPv4 address and port: ${a.ip}:${a.port}`);
  }
  const out = Buffer.allocUnsafe(6);
  for (let i = 0; i < 4; i++) out[i] = parts[i];
  out.writeUInt16BE(a.port, 4);
  return out;
}

/** The concatenated 26-byte entries of `nodes`. */
export function encodeNodes(nodes: readonly CompactNode[]): Buffer {
  return Buffer.concat(nodes.map((n) => Buffer.concat([id20(n.id), compactAddress(n)])));
}

function readAddress(b: Uint8Array, at: number): NodeAddress {
  return { ip: `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`, port: (b[at + 4] << 8) | b[at + 5] };
}

/** Decodes `nodes`: at most MAX_NODES entries; a length not a multiple of 26 is a protocol error. */
export function decodeNodes(b: Uint8Array): CompactNode[] {
  if (b.length % COMPACT_NODE_LENGTH !== 0) throw new KrpcError(KrpcErrorCode.protocol, `nodes of ${b.length} bytes is not a multiple of 26`);
  const out: CompactNode[] = [];
  for (let at = 0; at < b.length && out.length < MAX_NODES; at += COMPACT_NODE_LENGTH) {
    out.push({ id: b.slice(at, at + 20), ...readAddress(b, at + 20) });
  }
  return out;
}

/** Decodes one datagram. Throws KrpcError (and only that) when it is not a valid KRPC message. */
export function decodeKrpc(datagram: Uint8Array): KrpcMessage {
  if (datagram.length > MAX_DATAGRAM) throw new KrpcError(KrpcErrorCode.protocol, `datagram of ${datagram.length} bytes is over ${MAX_DATAGRAM}`);
  let top: BValue;
  try {
    top = bdecode(datagram, { maxDepth: 4, maxSize: MAX_DATAGRAM, maxItems: MAX_VALUES + 64 });
  } catch (err) {
    throw new KrpcError(KrpcErrorCode.protocol, `malformed bencode: ${err instanceof BencodeError ? err.message : String(err)}`);
  }
  if (!isDict(top)) throw new KrpcError(KrpcErrorCode.protocol, 'message is not a dictionary');
  const t = top.get('t');
  if (!isBytes(t) || t.length > MAX_TRANSACTION_ID) throw new KrpcError(KrpcErrorCode.protocol, 'missing or bad transaction id');
  const y = text(top.get('y'));
  const fail = (message: string, code: number = KrpcErrorCode.protocol): KrpcError => new KrpcError(code, message, t, y === 'q');
  const base: { t: Uint8Array; v?: Uint8Array; ip?: NodeAddress; ro?: boolean } = { t };
  const v = top.get('v');
  if (isBytes(v) && v.length <= 16) base.v = v;
  const ip = top.get('ip');
  if (isBytes(ip) && ip.length === 6) base.ip = readAddress(ip, 0);
  if (top.get('ro') === 1) base.ro = true;
  if (y === 'q') {
    const method = text(top.get('q'));
    if (method === undefined) throw fail('query without a method name');
    if (!METHODS.has(method)) throw fail(`unknown method ${method.slice(0, 32)}`, KrpcErrorCode.methodUnknown);
    const a = top.get('a');
    if (!isDict(a)) throw fail('query without arguments');
    return { ...base, y: 'q', q: decodeQuery(method as KrpcMethod, a, fail) };
  }
  if (y === 'r') {
    const r = top.get('r');
    if (!isDict(r)) throw fail('response without a dictionary');
    return { ...base, y: 'r', r: decodeResponse(r, fail) };
  }
  if (y === 'e') {
    const e = top.get('e');
    if (!isList(e) || typeof e[0] !== 'number') throw fail('error without a code');
    const message = isBytes(e[1]) ? Buffer.from(e[1].subarray(0, 200)).toString('utf8') : '';
    return { ...base, y: 'e', code: e[0], message };
  }
  throw fail('unknown message type');
}

type Fail = (message: string, code?: number) => KrpcError;

function text(v: BValue | undefined): string | undefined {
  return isBytes(v) && v.length <= 32 ? Buffer.from(v).toString('latin1') : undefined;
}

function idArg(a: BDict, key: string, fail: Fail): Uint8Array {
  const v = a.get(key);
  if (!isBytes(v) || v.length !== 20) throw fail(`${key} must be 20 bytes`);
  return v;
}

function decodeQuery(method: KrpcMethod, a: BDict, fail: Fail): KrpcQuery {
  const id = idArg(a, 'id', fail);
  switch (method) {
    case 'ping':
      return { method, id };
    case 'find_node':
      return { method, id, target: idArg(a, 'target', fail) };
    case 'get_peers':
      return { method, id, infoHash: idArg(a, 'info_hash', fail) };
    case 'announce_peer': {
      const port = a.get('port');
      const implied = a.get('implied_port');
      const impliedPort = typeof implied === 'number' && implied !== 0;
      const token = a.get('token');
      if (!isBytes(token) || token.length > MAX_TOKEN) throw fail('announce_peer without a token');
      if (!impliedPort && (typeof port !== 'number' || port < 1 || port > 65535)) throw fail('announce_peer without a valid port');
      return { method, id, infoHash: idArg(a, 'info_hash', fail), port: typeof port === 'number' && port >= 0 && port <= 65535 ? port : 0, impliedPort, token };
    }
  }
}

function decodeResponse(r: BDict, fail: Fail): KrpcResponse {
  const out: KrpcResponse = { id: idArg(r, 'id', fail) };
  const nodes = r.get('nodes');
  if (nodes !== undefined) {
    if (!isBytes(nodes)) throw fail('nodes is not a byte string');
    try {
      out.nodes = decodeNodes(nodes);
    } catch (err) {
      throw fail((err as Error).message);
    }
  }
  const values = r.get('values');
  if (values !== undefined) {
    if (!isList(values)) throw fail('values is not a list');
    // Entries of other lengths (IPv6 peers, garbage) are skipped, not fatal.
    out.values = values.filter((p): p is Uint8Array => isBytes(p) && p.length === 6).slice(0, MAX_VALUES).map((p) => readAddress(p, 0));
  }
  const token = r.get('token');
  if (isBytes(token) && token.length <= MAX_TOKEN) out.token = token;
  return out;
}
