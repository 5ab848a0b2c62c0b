/** Bencode: a strict, bounded decoder that can report raw spans; a canonical encoder; typed getters. */
export type { BValue, BDict, Encodable } from './types';
export { BencodeError } from './errors';
export type { BencodeErrorCode } from './errors';
export { bdecode, bdecodePrefix, bdecodeWithSpans, bdecodeWithSpansSteps, DEFAULT_DECODE_LIMITS } from './decode';
export type { DecodeLimits, DecodedWithSpans, Span } from './decode';
export { bencode } from './encode';
export { Reader } from './reader';
export {
  typeName,
  isDict,
  isBytes,
  isList,
  asDict,
  asList,
  asBytes,
  asInt,
  asString,
  keyBytes,
  dictGet,
  getDict,
  getList,
  getBytes,
  getInt,
  getString,
  optDict,
  optList,
  optBytes,
  optInt,
  optString,
} from './getters';
