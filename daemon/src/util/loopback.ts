/**
 * Loopback-only mode: with BTD_LOOPBACK_ONLY=1 in the environment (every test and the demo set it),
 * btd refuses to send anything to an address outside 127.0.0.0/8 and ::1, whoever named it: a
 * tracker, a PEX message, a magnet link.
 */
import { isIP } from 'node:net';

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return ip === '::1';
}

/** Loopback-only mode is on. */
export function loopbackOnly(): boolean {
  return process.env.BTD_LOOPBACK_ONLY === '1';
}

/** Whether btd may connect to `ip` (a numeric address). */
export function mayConnect(ip: string): boolean {
  return !loopbackOnly() || isLoopbackAddress(ip);
}

/** Throws unless btd may connect to `ip`. */
export function checkDestination(ip: string): void {
  if (!mayConnect(ip)) throw new Error(`loopback-only mode (BTD_LOOPBACK_ONLY=1): refused to connect to ${ip}`);
}
