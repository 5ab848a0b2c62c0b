/**
 * What the DHT needs of time and of its socket, as two small interfaces: the daemon passes the system
 * clock and a UDP socket; a simulation passes a virtual clock and an in-memory network.
 */

/** A timer handle, opaque to the DHT. */
export type TimerHandle = unknown;

/** Time and one-shot timers. Timers never keep the process alive. */
export interface Clock {
  /** Milliseconds, wall-clock epoch (rates, tables, tokens). */
  now(): number;
  /** Milliseconds for measuring round trips (monotonic). */
  elapsed(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** The real clock: Date.now, performance.now and unref'd Node timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  elapsed: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};

/** The sender of a datagram. */
export interface DatagramSource {
  address: string;
  port: number;
}

/** Where KRPC datagrams go out and come in; a dgram.Socket is one. */
export interface DatagramTransport {
  send(bytes: Uint8Array, port: number, ip: string): void;
  on(event: 'message', listener: (bytes: Buffer, from: DatagramSource) => void): unknown;
}
