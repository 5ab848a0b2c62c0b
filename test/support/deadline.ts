/** Bounded waits for tests: a wait that does not settle in time fails with a message instead of hanging. */

/** Resolves as `promise` does, or rejects with `what` once `ms` have passed. */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves once `cond()` holds, checked after every turn of the event loop; rejects with `what` once
 * `ms` have passed (and stops checking).
 */
export function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const giveUpAt = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (cond()) resolve();
      else if (Date.now() >= giveUpAt) reject(new Error(`timed out after ${ms} ms: ${what}`));
      else setImmediate(poll);
    };
    poll();
  });
}
