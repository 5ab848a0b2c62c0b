/** The typed failure of bencode decoding and of the typed getters over decoded values. */

/** Machine-readable reasons a bencoded input is refused. */
export type BencodeErrorCode =
  | 'empty-input'
  | 'too-large'
  | 'too-deep'
  | 'too-many-items'
  | 'unexpected-end'
  | 'unexpected-byte'
  | 'bad-integer'
  | 'integer-out-of-range'
  | 'bad-string-length'
  | 'key-not-string'
  | 'duplicate-key'
  | 'trailing-data'
  | 'wrong-type'
  | 'missing-key';

/** Bad bencoded input. `offset` is the byte position in the input, or -1 when it is a typed-getter failure. */
export class BencodeError extends Error {
  constructor(readonly code: BencodeErrorCode | string, message: string, readonly offset: number) {
    super(offset >= 0 ? `${message} (at byte ${offset})` : message);
    this.name = 'BencodeError';
  }
}
