/** A small HTTP client for tests: one request, the whole body. */
import { request, type IncomingMessage } from 'node:http';

/** Status, headers and body of one answer. */
export interface HttpAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** Sends one request (GET unless told) and collects the answer. */
export function httpGet(url: string, opts: { method?: string; range?: string; signal?: AbortSignal } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers = opts.range ? { Range: opts.range } : {};
    const req = request(url, { method: opts.method ?? 'GET', headers, agent: false, ...(opts.signal ? { signal: opts.signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('the response was cut short')));
    });
    req.on('error', reject);
    req.end();
  });
}
