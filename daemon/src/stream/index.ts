/** The local HTTP file server: torrents' files, with Range, while they download. */
export { FileServer, FileServerError, MAX_STREAMS } from './server';
export type { FileServerOptions } from './server';
export { asStreamTorrent } from './types';
export type { StreamCatalog, StreamTorrent } from './types';
export { resolveRange } from './range';
export type { RangeAnswer } from './range';
