/** The secret every file URL carries, so other local users and web pages cannot read torrents' data. */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A new unguessable token (192 random bits, URL-safe). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Does `given` equal `expected`? Constant time in the content, so the token cannot be guessed byte by byte. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
