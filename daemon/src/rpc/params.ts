/** The params validator of every method, built from the combinators in ./validate. */
import { isAbsolute } from 'node:path';
import type * as P from '../../../protocol/src';
import { ParamError, array, bool, either, int, literal, noParams, object, optional, str, type Validator } from './validate';

/** Largest .torrent accepted, in bytes (metainfo of a very large torrent is a few MiB). */
export const MAX_TORRENT_BYTES = 16 * 1024 * 1024;
const MAX_BASE64 = Math.ceil(MAX_TORRENT_BYTES / 3) * 4;
const MAX_RATE = 2 ** 40;

const infoHash = str({ min: 40, max: 40, pattern: /^[0-9a-fA-F]{40}$/, what: '40 hexadecimal characters' });
const url = str({ min: 1, max: 2048, pattern: /^(https?|udp):\/\/[^\s]+$/, what: 'an http, https or udp URL' });
const webUrl = str({ min: 1, max: 2048, pattern: /^https?:\/\/[^\s]+$/, what: 'an http or https URL' });
const host = str({ min: 1, max: 253, pattern: /^[A-Za-z0-9.:-]+$/, what: 'a host name or IP address' });
const port = int(0, 65535);
/** `memory` or a Redis URL without a password (that comes from BTD_REDIS_PASSWORD in the daemon's environment). */
const storeUrl = str({ min: 1, max: 512, pattern: /^(memory|rediss?:\/\/[^\s:@/]*@?[^\s:@/]+(:\d+)?(\/\d+)?)$/, what: 'memory, redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB] (password from BTD_REDIS_PASSWORD)' });

/** An absolute file system path. */
export const absolutePath: Validator<string> = (value, field) => {
  const p = str({ min: 1 })(value, field);
  if (!isAbsolute(p)) throw new ParamError(field, 'must be an absolute path');
  return p;
};

const base64: Validator<string> = (value, field) => {
  const s = str({ min: 4, max: MAX_BASE64 })(value, field);
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new ParamError(field, 'must be base64 (RFC 4648, padded)');
  return s;
};

/** Exactly one of path, base64 or magnet. */
export const torrentSource: Validator<P.TorrentSource> = (value, field) => {
  const v = object({ path: optional(absolutePath), base64: optional(base64), magnet: optional(str({ min: 8, max: 8192, pattern: /^magnet:\?/i, what: 'a magnet URI' })) })(value, field);
  const given = Object.keys(v);
  if (given.length !== 1) throw new ParamError(field, 'must have exactly one of path, base64 or magnet');
  return v as P.TorrentSource;
};

const torrentId = object({ infoHash });
/** Most files named in one priority change (and in torrent/add). */
export const MAX_PRIORITY_ENTRIES = 100_000;
const priorities = array(object({ index: int(0, 1_000_000), priority: literal('skip', 'low', 'normal', 'high') }), MAX_PRIORITY_ENTRIES);

/** The settings a client may change: session/setSettings, and initialize's initializationOptions. */
const settingsFields = {
  downloadDir: optional(absolutePath),
  port: optional(port),
  maxConnections: optional(int(1, 100000)),
  maxConnectionsPerTorrent: optional(int(1, 100000)),
  maxConnectionsPerIp: optional(int(1, 1000)),
  uploadRateLimit: optional(int(0, MAX_RATE)),
  downloadRateLimit: optional(int(0, MAX_RATE)),
  dht: optional(bool),
  dhtBootstrap: optional(array(str({ min: 3, max: 260, pattern: /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, what: 'host:port' }), 64)),
};

/** Validators by method name. */
export const validators = {
  torrentCreate: object({
    path: absolutePath,
    trackers: optional(array(url, 100)),
    pieceLength: optional(powerOfTwo(16 * 1024, 64 * 1024 * 1024)),
    private: optional(bool),
    comment: optional(str({ max: 65536 })),
    webSeeds: optional(array(webUrl, 100)),
    outputPath: optional(absolutePath),
    overwrite: optional(bool),
    workDoneToken: optional(either(int(-(2 ** 31), 2 ** 31 - 1), str({ min: 1, max: 256 }))),
  }),
  torrentAdd: object({ torrent: torrentSource, savePath: optional(absolutePath), paused: optional(bool), filePriorities: optional(priorities), sequential: optional(bool) }),
  setFilePriorities: object({ infoHash, priorities: nonEmpty(priorities) }),
  setSequential: object({ infoHash, sequential: bool }),
  fileUrl: object({ infoHash, fileIndex: int(0, 2 ** 31 - 1) }),
  torrentSeed: object({ torrent: torrentSource, dataPath: absolutePath }),
  torrentId,
  torrentRemove: object({ infoHash, deleteData: optional(bool) }),
  none: noParams(),
  trackerStart: object({ host: optional(host), port: optional(port), interval: optional(int(1, 86400)), udp: optional(bool), store: optional(storeUrl) }),
  settings: object(settingsFields),
  auth: object({ token: str({ min: 1, max: 256 }) }),
  initialize: object(
    {
      processId: optional(int(1, 2 ** 31 - 1)),
      trace: optional(literal('off', 'messages', 'compact', 'verbose')),
      initializationOptions: optional(
        object(
          { token: optional(str({ min: 1, max: 256 })), ...settingsFields },
          { extra: 'ignore' },
        ),
      ),
    },
    { extra: 'ignore' },
  ),
};

function nonEmpty<T>(inner: Validator<T[]>): Validator<T[]> {
  return (value, field) => {
    const list = inner(value, field);
    if (list.length === 0) throw new ParamError(field, 'must not be empty');
    return list;
  };
}

function powerOfTwo(min: number, max: number): Validator<number> {
  return (value, field) => {
    const n = int(min, max)(value, field);
    if ((n & (n - 1)) !== 0) throw new ParamError(field, 'must be a power of two');
    return n;
  };
}
