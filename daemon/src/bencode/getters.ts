/**
 * Typed access to decoded values for parsers. Every failure is a BencodeError (code 'wrong-type' or
 * 'missing-key', offset -1) whose message names the field, so callers can report it as bad input.
 */
import { BencodeError } from './errors';
import type { BDict, BValue } from './types';

const utf8 = new TextDecoder('utf-8');

function wrongType(what: string, expected: string, v: BValue): BencodeError {
  return new BencodeError('wrong-type', `${what}: expected ${expected}, got ${typeName(v)}`, -1);
}

/** A short name of the value's kind, for error messages. */
export function typeName(v: BValue): string {
  if (typeof v === 'number') return 'integer';
  if (v instanceof Uint8Array) return 'byte string';
  if (Array.isArray(v)) return 'list';
  return 'dictionary';
}

/** True for a dictionary. */
export function isDict(v: BValue | undefined): v is BDict {
  return v instanceof Map;
}

/** True for a byte string. */
export function isBytes(v: BValue | undefined): v is Uint8Array {
  return v instanceof Uint8Array;
}

/** True for a list. */
export function isList(v: BValue | undefined): v is BValue[] {
  return Array.isArray(v);
}

/** The value as a dictionary, or throws naming `what`. */
export function asDict(v: BValue, what: string): BDict {
  if (!(v instanceof Map)) throw wrongType(what, 'a dictionary', v);
  return v;
}

/** The value as a list, or throws naming `what`. */
export function asList(v: BValue, what: string): BValue[] {
  if (!Array.isArray(v)) throw wrongType(what, 'a list', v);
  return v;
}

/** The value as a byte string, or throws naming `what`. */
export function asBytes(v: BValue, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw wrongType(what, 'a byte string', v);
  return v;
}

/** The value as an integer, or throws naming `what`. */
export function asInt(v: BValue, what: string): number {
  if (typeof v !== 'number') throw wrongType(what, 'an integer', v);
  return v;
}

/** The value as text: a byte string decoded as UTF-8 (invalid sequences become U+FFFD). */
export function asString(v: BValue, what: string): string {
  return utf8.decode(asBytes(v, what));
}

/** The raw key bytes of a decoded dictionary key. */
export function keyBytes(key: string): Uint8Array {
  return new Uint8Array(Buffer.from(key, 'latin1'));
}

/** The value under `key`, or throws 'missing-key' naming `what` (default: the key). */
export function dictGet(d: BDict, key: string, what = key): BValue {
  const v = d.get(key);
  if (v === undefined) throw new BencodeError('missing-key', `${what}: missing`, -1);
  return v;
}

/** Required dictionary under `key`. */
export function getDict(d: BDict, key: string, what = key): BDict {
  return asDict(dictGet(d, key, what), what);
}

/** Required list under `key`. */
export function getList(d: BDict, key: string, what = key): BValue[] {
  return asList(dictGet(d, key, what), what);
}

/** Required byte string under `key`. */
export function getBytes(d: BDict, key: string, what = key): Uint8Array {
  return asBytes(dictGet(d, key, what), what);
}

/** Required integer under `key`. */
export function getInt(d: BDict, key: string, what = key): number {
  return asInt(dictGet(d, key, what), what);
}

/** Required UTF-8 text under `key`. */
export function getString(d: BDict, key: string, what = key): string {
  return asString(dictGet(d, key, what), what);
}

/** Optional dictionary under `key` (undefined when absent, throws when of another type). */
export function optDict(d: BDict, key: string, what = key): BDict | undefined {
  const v = d.get(key);
  return v === undefined ? undefined : asDict(v, what);
}

/** Optional list under `key`. */
export function optList(d: BDict, key: string, what = key): BValue[] | undefined {
  const v = d.get(key);
  return v === undefined ? undefined : asList(v, what);
}

/** Optional byte string under `key`. */
export function optBytes(d: BDict, key: string, what = key): Uint8Array | undefined {
  const v = d.get(key);
  return v === undefined ? undefined : asBytes(v, what);
}

/** Optional integer under `key`. */
export function optInt(d: BDict, key: string, what = key): number | undefined {
  const v = d.get(key);
  return v === undefined ? undefined : asInt(v, what);
}

/** Optional UTF-8 text under `key`. */
export function optString(d: BDict, key: string, what = key): string | undefined {
  const v = d.get(key);
  return v === undefined ? undefined : asString(v, what);
}
