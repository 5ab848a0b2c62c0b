/**
 * The local file server: any file of any torrent over HTTP on 127.0.0.1, with Range, while it
 * downloads. A range not here yet waits for its pieces (which get deadlines) and streams as they are
 * verified. Every URL carries the server's token; without it: 403.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { contentType } from 'mime-types';
import { verifiedBytes } from './file-body';
import { resolveRange } from './range';
import { newToken, tokenMatches } from './token';
import { formatFilePath, parseFilePath, tokenOf } from './url-path';
import type { StreamCatalog, StreamTorrent } from './types';

/** Most response bodies streamed at once; more get 503 with Retry-After. */
export const MAX_STREAMS = 64;

/** Why a URL cannot be made. */
export class FileServerError extends Error {
  constructor(
    readonly code: 'unknown-torrent' | 'no-file',
    message: string,
  ) {
    super(message);
    this.name = 'FileServerError';
  }
}

/** Options; tests pass a fixed token. */
export interface FileServerOptions {
  token?: string;
  maxStreams?: number;
}

/** Serves torrents' files on 127.0.0.1 at a random port, started on first use. */
export class FileServer {
  readonly token: string;
  private server: Server | undefined;
  private listening: Promise<number> | undefined;
  private streams = 0;
  private lastActive = Date.now();
  private readonly maxStreams: number;

  constructor(
    private readonly catalog: StreamCatalog,
    opts: FileServerOptions = {},
  ) {
    this.token = opts.token ?? newToken();
    this.maxStreams = opts.maxStreams ?? MAX_STREAMS;
  }

  /** Response bodies being streamed now. */
  get activeStreams(): number {
    return this.streams;
  }

  /** When the server last answered or ended a request (ms), or now while a body streams. */
  get lastActivity(): number {
    return this.streams > 0 ? Date.now() : this.lastActive;
  }

  /** Listens (once) and resolves with the port. */
  start(): Promise<number> {
    this.listening ??= new Promise<number>((resolve, reject) => {
      const server = createServer((req, res) => this.handle(req, res));
      this.server = server;
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
    return this.listening;
  }

  /** The URL of file `fileIndex` of a torrent (starts the server); FileServerError when there is no such file. */
  async urlFor(infoHashHex: string, fileIndex: number): Promise<string> {
    const t = this.catalog(infoHashHex.toLowerCase());
    if (!t) throw new FileServerError('unknown-torrent', `no torrent ${infoHashHex} with known metadata`);
    const f = fileOf(t, fileIndex);
    if (!f) throw new FileServerError('no-file', `no file ${fileIndex} in torrent ${infoHashHex} (it has ${t.metainfo.files.length})`);
    const port = await this.start();
    return `http://127.0.0.1:${port}${formatFilePath({ token: this.token, infoHashHex: t.infoHashHex, fileIndex }, f.path[f.path.length - 1] ?? 'file')}`;
  }

  /** Stops listening and cuts open responses. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.listening = undefined;
    const closed = once(server, 'close').catch(() => undefined);
    server.close();
    server.closeAllConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.lastActive = Date.now();
    res.once('close', () => (this.lastActive = Date.now()));
    this.serve(req, res).catch(() => {
      if (!res.headersSent) plain(res, 500, 'internal error');
      else res.destroy();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (!tokenMatches(tokenOf(pathname), this.token)) return plain(res, 403, 'forbidden');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(res, 405, 'method not allowed');
    }
    const path = parseFilePath(pathname);
    const t = path && this.catalog(path.infoHashHex);
    const f = t && path && fileOf(t, path.fileIndex);
    if (!path || !t || !f) return plain(res, 404, 'no such torrent or file');
    const range = resolveRange(req.headers.range, f.length);
    res.setHeader('Accept-Ranges', 'bytes');
    if (range.kind === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${f.length}`);
      return plain(res, 416, 'range not satisfiable');
    }
    const { start, end } = range;
    res.statusCode = range.kind === 'partial' ? 206 : 200;
    res.setHeader('Content-Type', contentType(f.path[f.path.length - 1] ?? '') || 'application/octet-stream');
    res.setHeader('Content-Length', String(end - start + 1));
    res.setHeader('Cache-Control', 'no-store');
    if (range.kind === 'partial') res.setHeader('Content-Range', `bytes ${start}-${end}/${f.length}`);
    if (req.method === 'HEAD' || end < start) {
      res.end();
      return;
    }
    if (this.streams >= this.maxStreams) {
      res.setHeader('Retry-After', '1');
      res.removeHeader('Content-Range');
      return plain(res, 503, 'too many streams');
    }
    this.streams++;
    try {
      await this.stream(t, path.fileIndex, f.offset + start, f.offset + end, res);
    } finally {
      this.streams--;
    }
  }

  private async stream(t: StreamTorrent, fileIndex: number, start: number, end: number, res: ServerResponse): Promise<void> {
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    // Reading a skipped file means the user wants it after all.
    if (t.files().find((r) => r.index === fileIndex)?.priority === 'skip') await t.setFilePriorities([{ index: fileIndex, priority: 'normal' }]);
    const alive = (): boolean => this.catalog(t.infoHashHex) === t;
    try {
      for await (const chunk of verifiedBytes(t, start, end, abort.signal, alive)) {
        if (res.destroyed) break;
        if (!res.write(chunk)) await drained(res);
      }
      if (!res.destroyed) res.end();
    } catch {
      res.destroy();
    }
  }
}

function fileOf(t: StreamTorrent, index: number): StreamTorrent['metainfo']['files'][number] | undefined {
  const f = Number.isInteger(index) && index >= 0 ? t.metainfo.files[index] : undefined;
  return f && !f.padding ? f : undefined;
}

/** Resolves on 'drain' or 'close', whichever comes first, leaving no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.removeHeader('Content-Length');
  res.end(`${text}\n`);
}
