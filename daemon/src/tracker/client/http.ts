/** One bounded HTTP(S) GET for tracker requests: a deadline for the whole exchange and a body size cap. */
import http from 'node:http';
import https from 'node:https';

/** Why a tracker could not be reached or answered unusably at the HTTP level. */
export class TrackerHttpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrackerHttpError';
  }
}

/** Limits of one request. */
export interface HttpGetOptions {
  timeoutMs: number;
  maxBytes: number;
}

/** Fetches `url` and resolves with the body of a 200 answer; rejects with `TrackerHttpError`. */
export function httpGet(url: string, opts: HttpGetOptions): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new TrackerHttpError(`bad tracker URL: ${url}`));
      return;
    }
    const lib = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!lib) {
      reject(new TrackerHttpError(`unsupported scheme ${parsed.protocol}`));
      return;
    }
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      reject(new TrackerHttpError(message));
    };
    // One connection per request: announces are minutes apart, and some trackers close after each reply.
    const req = lib.get(url, { agent: false, headers: { 'user-agent': 'btd', 'accept-encoding': 'identity' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(`HTTP ${res.statusCode ?? '?'} from tracker`);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) fail(`tracker answer larger than ${opts.maxBytes} bytes`);
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(new Uint8Array(Buffer.concat(chunks)));
      });
      res.on('error', (err) => fail(err.message));
    });
    req.on('error', (err) => fail(err.message));
    const deadline = setTimeout(() => fail(`tracker did not answer within ${opts.timeoutMs} ms`), opts.timeoutMs);
  });
}
