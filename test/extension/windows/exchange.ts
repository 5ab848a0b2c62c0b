/**
 * How the two-windows test and the extension hosts it opens talk: small JSON files in one folder. A host
 * writes `<name>.<step>.json` when it has done a step; the test writes `<name>.<step>.go` to let it go on.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const POLL_MS = 50;

/** Writes a report atomically (a reader never sees half a file). */
export function writeReport(dir: string, name: string, step: string, value: unknown): void {
  const path = join(dir, `${name}.${step}.json`);
  writeFileSync(`${path}.tmp`, JSON.stringify(value));
  renameSync(`${path}.tmp`, path);
}

/** Lets host `name` go on past `step`. */
export function signal(dir: string, name: string, step: string): void {
  writeFileSync(join(dir, `${name}.${step}.go`), '');
}

/** Resolves once `check` yields a value; rejects after `timeoutMs` with a message naming `what`. */
export async function pollUntil<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Waits for host `name`'s report of `step`; its error report, or `failed` (the host is gone), ends the
 * wait early with the reason.
 */
export function readReport<T>(dir: string, name: string, step: string, timeoutMs: number, failed?: () => string | undefined): Promise<T> {
  const path = join(dir, `${name}.${step}.json`);
  const errorPath = join(dir, `${name}.error.json`);
  return pollUntil(`window ${name} to report "${step}"`, () => {
    // The report first: a host may end right after writing its last one.
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as T;
    if (existsSync(errorPath)) {
      const { message } = JSON.parse(readFileSync(errorPath, 'utf8')) as { message: string };
      throw new Error(`window ${name} failed before reporting "${step}": ${message}`);
    }
    const why = failed?.();
    if (why !== undefined) throw new Error(`window ${name} ended before reporting "${step}": ${why}`);
    return undefined;
  }, timeoutMs);
}

/** Waits until the test lets host `name` go on past `step`. */
export function awaitSignal(dir: string, name: string, step: string, timeoutMs: number): Promise<true> {
  const path = join(dir, `${name}.${step}.go`);
  return pollUntil(`the go-ahead for "${step}"`, () => (existsSync(path) ? true : undefined), timeoutMs);
}
