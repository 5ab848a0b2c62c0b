import { Duplex } from 'node:stream';

/** Two in-memory streams wired to each other, like the two ends of a socket. */
export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const o = other();
        if (!o.destroyed) o.push(chunk);
        cb();
      },
      final(cb) {
        other().push(null);
        cb();
      },
      destroy(err, cb) {
        const o = other();
        if (!o.destroyed) o.push(null);
        cb(err);
      },
    });
  ends.push(make(() => ends[1]), make(() => ends[0]));
  return [ends[0], ends[1]];
}
