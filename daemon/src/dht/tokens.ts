/**
 * announce_peer tokens (BEP 5): a hash of the querying address and a secret that changes every
 * 5 minutes; a token made with the previous secret is still accepted, so a token lives 5 to 10 minutes.
 */
import { createHash, randomBytes } from 'node:crypto';

/** How often the secret changes. */
export const TOKEN_ROTATION_MS = 5 * 60_000;
/** Bytes of a token we hand out. */
const TOKEN_LENGTH = 8;

/** Hands out and checks tokens; rotation follows the clock, with no timer. */
export class TokenIssuer {
  private current = randomBytes(16);
  private previous = randomBytes(16);
  private rotatedAt = Date.now();

  /** The token for a node at `ip`. */
  issue(ip: string): Uint8Array {
    this.rotate();
    return tokenOf(this.current, ip);
  }

  /** Whether `token` is one we gave `ip` in the last two periods. */
  check(token: Uint8Array, ip: string): boolean {
    this.rotate();
    const t = Buffer.from(token);
    return t.equals(tokenOf(this.current, ip)) || t.equals(tokenOf(this.previous, ip));
  }

  private rotate(): void {
    const now = Date.now();
    const periods = Math.floor((now - this.rotatedAt) / TOKEN_ROTATION_MS);
    if (periods <= 0) return;
    // After two periods or more, neither secret may still be accepted.
    this.previous = periods === 1 ? this.current : randomBytes(16);
    this.current = randomBytes(16);
    this.rotatedAt += periods * TOKEN_ROTATION_MS;
  }
}

function tokenOf(secret: Buffer, ip: string): Buffer {
  return createHash('sha1').update(secret).update(ip).digest().subarray(0, TOKEN_LENGTH);
}
