/** Messages between the HashPool and its workers (one request in flight per id). */

/** A byte range of a file to hash, read by the worker itself. */
export interface ReadSpan {
  path: string;
  offset: number;
  length: number;
}

/** Hash the concatenation of these file ranges, or these bytes. */
export type HashRequest = { id: number; spans: ReadSpan[] } | { id: number; data: Uint8Array };

/** A SHA-1 digest, or why reading failed. */
export type HashResponse =
  | { id: number; digest: Uint8Array }
  | { id: number; error: string; code?: string; path?: string };
