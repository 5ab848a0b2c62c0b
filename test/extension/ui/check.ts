/** A tiny runner for the UI checks (they run outside the extension host, so not under mocha). */

/** Counts of one part of the extension stage. */
export interface Counts {
  passed: number;
  failed: number;
}

/** One named check. */
export type Check = [name: string, run: () => Promise<void>];

/** Runs checks in order, printing ✔/✘ lines like mocha's spec reporter; a failure does not stop the rest. */
export async function runChecks(title: string, checks: Check[], onFailure?: (name: string) => Promise<void>): Promise<Counts> {
  const counts: Counts = { passed: 0, failed: 0 };
  console.log(`\n  ${title}`);
  for (const [name, run] of checks) {
    const started = Date.now();
    try {
      await run();
      counts.passed++;
      console.log(`    ✔ ${name} (${Date.now() - started}ms)`);
    } catch (err) {
      counts.failed++;
      await onFailure?.(name).catch(() => undefined);
      console.log(`    ✘ ${name}\n      ${err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join('\n      ') : String(err)}`);
    }
  }
  return counts;
}
