/**
 * Command arguments: commands accept a Uri (Explorer menus), a tree node (view menus) or a plain object
 * (other extensions and tests), so none of them needs a prompt when its inputs are given.
 */

/** A file path from a string, a Uri-like `{ fsPath }` or undefined. */
export function pathArg(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg !== '') return arg;
  const fsPath = (arg as { fsPath?: unknown } | null | undefined)?.fsPath;
  return typeof fsPath === 'string' && fsPath !== '' ? fsPath : undefined;
}

/** The plain-object form of an argument, or an empty object for anything else (Uri, node, undefined). */
export function objectArg(arg: unknown): Record<string, unknown> {
  if (arg === null || typeof arg !== 'object' || pathArg(arg) !== undefined) return {};
  return arg as Record<string, unknown>;
}

/** A string field of a plain-object argument. */
export function stringField(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A non-negative integer field of a plain-object argument. */
export function numberField(obj: Record<string, unknown>, key: string): number | undefined {
  const v = obj[key];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/** A string-array field of a plain-object argument (a single string counts as one element). */
export function stringsField(obj: Record<string, unknown>, key: string): string[] | undefined {
  const v = obj[key];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

/** The info hash named by a tree node, a `{ infoHash }` object or a bare hex string. */
export function infoHashArg(arg: unknown): string | undefined {
  if (typeof arg === 'string' && /^[0-9a-f]{40}$/i.test(arg)) return arg.toLowerCase();
  const v = (arg as { infoHash?: unknown } | null | undefined)?.infoHash;
  return typeof v === 'string' && /^[0-9a-f]{40}$/i.test(v) ? v.toLowerCase() : undefined;
}

/** Splits a list of announce URLs typed by a person (commas, spaces or newlines). */
export function parseTrackerList(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

/** Why a typed tracker list is invalid, or undefined when every entry is an http(s) or udp URL. */
export function validateTrackerList(text: string): string | undefined {
  for (const url of parseTrackerList(text)) {
    if (!/^(https?|udp):\/\/[^\s/]+/i.test(url)) return `Not a tracker URL: ${url} (expected http://, https:// or udp://)`;
  }
  return undefined;
}
