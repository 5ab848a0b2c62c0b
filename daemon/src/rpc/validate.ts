/**
 * Pure, bounded validators for RPC params. Each takes an unknown value and the field path it came from,
 * and either returns the typed value or throws a ParamError naming that field.
 */

/** A parameter failed validation; `field` is its path, e.g. `torrent.base64` or `trackers[2]`. */
export class ParamError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field === '' ? 'params' : field} ${message}`);
    this.name = 'ParamError';
  }
}

/** Checks one value; throws ParamError. */
export type Validator<T> = (value: unknown, field: string) => T;

/** The type a validator returns. */
export type Checked<V> = V extends Validator<infer T> ? T : never;

/** Longest string accepted unless a field says otherwise. */
export const DEFAULT_MAX_STRING = 4096;
/** Most keys an object may carry before it is refused unread. */
const MAX_KEYS = 64;

/** A string of bounded length, optionally matching a pattern (tested only after the length check). */
export function str(opts: { min?: number; max?: number; pattern?: RegExp; what?: string } = {}): Validator<string> {
  const min = opts.min ?? 0;
  const max = opts.max ?? DEFAULT_MAX_STRING;
  return (value, field) => {
    if (typeof value !== 'string') throw new ParamError(field, 'must be a string');
    if (value.length < min) throw new ParamError(field, min === 1 ? 'must not be empty' : `must have at least ${min} characters`);
    if (value.length > max) throw new ParamError(field, `must have at most ${max} characters`);
    if (value.includes('\0')) throw new ParamError(field, 'must not contain NUL characters');
    if (opts.pattern && !opts.pattern.test(value)) throw new ParamError(field, `must be ${opts.what ?? `a string matching ${opts.pattern}`}`);
    return value;
  };
}

/** An integer in [min, max]. */
export function int(min: number, max: number): Validator<number> {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new ParamError(field, 'must be an integer');
    if (value < min || value > max) throw new ParamError(field, `must be between ${min} and ${max}`);
    return value;
  };
}

/** A boolean. */
export const bool: Validator<boolean> = (value, field) => {
  if (typeof value !== 'boolean') throw new ParamError(field, 'must be true or false');
  return value;
};

/** One of the given string literals. */
export function literal<T extends string>(...choices: readonly T[]): Validator<T> {
  return (value, field) => {
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      throw new ParamError(field, `must be one of ${choices.map((c) => `'${c}'`).join(', ')}`);
    }
    return value as T;
  };
}

/** An array of at most maxItems items, each checked. */
export function array<T>(item: Validator<T>, maxItems: number): Validator<T[]> {
  return (value, field) => {
    if (!Array.isArray(value)) throw new ParamError(field, 'must be an array');
    if (value.length > maxItems) throw new ParamError(field, `must have at most ${maxItems} items`);
    return value.map((v, i) => item(v, `${field}[${i}]`));
  };
}

/** The value may be absent (undefined or null). */
export function optional<T>(inner: Validator<T>): Validator<T | undefined> {
  return (value, field) => (value === undefined || value === null ? undefined : inner(value, field));
}

/** Either of two validators; the error of the second is reported when both refuse. */
export function either<A, B>(a: Validator<A>, b: Validator<B>): Validator<A | B> {
  return (value, field) => {
    try {
      return a(value, field);
    } catch {
      return b(value, field);
    }
  };
}

type Shape = Record<string, Validator<unknown>>;
/** The object type a shape describes; keys whose validator allows undefined become optional. */
export type ShapeType<S extends Shape> = {
  [K in keyof S as undefined extends Checked<S[K]> ? never : K]: Checked<S[K]>;
} & {
  [K in keyof S as undefined extends Checked<S[K]> ? K : never]?: Checked<S[K]>;
};

/** A plain object (not an array) with bounded key count. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An object with the given fields. Unknown keys are refused (a typo should not be silently ignored)
 * unless `extra: 'ignore'`, used where LSP clients send fields btd does not read.
 */
export function object<S extends Shape>(shape: S, opts: { extra?: 'refuse' | 'ignore' } = {}): Validator<ShapeType<S>> {
  return (value, field) => {
    if (!isPlainObject(value)) throw new ParamError(field, 'must be an object');
    const keys = Object.keys(value);
    if (keys.length > MAX_KEYS && opts.extra !== 'ignore') throw new ParamError(field, `must have at most ${MAX_KEYS} fields`);
    if (opts.extra !== 'ignore') {
      for (const k of keys) {
        if (!Object.hasOwn(shape, k)) throw new ParamError(join(field, k), 'is not a known field');
      }
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(shape)) {
      const v = shape[k](Object.hasOwn(value, k) ? value[k] : undefined, join(field, k));
      if (v !== undefined) out[k] = v;
    }
    return out as ShapeType<S>;
  };
}

/** Params that may be omitted entirely (absent, null or `{}` all mean "no params"). */
export function noParams(): Validator<Record<string, never>> {
  return (value, field) => {
    if (value === undefined || value === null) return {};
    return object({})(value, field) as Record<string, never>;
  };
}

function join(field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`;
}
