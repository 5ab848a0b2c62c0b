/** The values bencode carries, as decoded, and what the encoder accepts. */

/** A dictionary; keys are the raw key bytes held as 'latin1' strings (lossless; ASCII keys read naturally). */
export type BDict = Map<string, BValue>;

/** A decoded value: integer, byte string, list or dictionary. */
export type BValue = number | Uint8Array | BValue[] | BDict;

/**
 * What `bencode` accepts: decoded values, plus UTF-8 `string`s, `bigint`s and plain objects whose keys are
 * UTF-8 strings (Map keys stay latin1 as decoded). `undefined` values in objects and Maps are skipped.
 */
export type Encodable =
  | number
  | bigint
  | string
  | Uint8Array
  | readonly Encodable[]
  | ReadonlyMap<string, Encodable | undefined>
  | { readonly [key: string]: Encodable | undefined };
