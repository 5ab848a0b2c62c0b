import { webcrypto } from 'node:crypto';

/**
 * SHA-1 of bytes on libuv's thread pool (WebCrypto), so the event loop never hashes and no worker
 * isolate is needed. Leave the bytes unchanged until the promise settles.
 */
export async function sha1(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.digest('SHA-1', data));
}
