/** Trailing-edge throttle: coalesces bursts of daemon notifications into at most one call per interval. */

/** A throttled function plus a way to drop its pending call. */
export interface Throttled {
  (): void;
  /** Runs a pending call now, if any. */
  flush(): void;
  /** Drops a pending call and stops the timer. */
  dispose(): void;
}

/**
 * Returns a function that calls `fn` at once when idle, then at most once per `intervalMs`:
 * calls made in between collapse into a single trailing call, so the last state is always shown.
 */
export function throttle(fn: () => void, intervalMs: number): Throttled {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;

  const fire = (): void => {
    pending = false;
    fn();
    timer = setTimeout(onTimer, intervalMs);
  };
  const onTimer = (): void => {
    timer = undefined;
    if (pending) fire();
  };
  const throttled = ((): void => {
    if (timer === undefined) fire();
    else pending = true;
  }) as Throttled;
  throttled.flush = (): void => {
    if (!pending) return;
    if (timer !== undefined) clearTimeout(timer);
    fire();
  };
  throttled.dispose = (): void => {
    pending = false;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return throttled;
}
