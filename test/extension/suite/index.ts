/**
 * Mocha entry loaded by the extension host (extensionTestsPath). Runs every *.test.js next to it, prints
 * `N passed, N failed`, and writes the counts to $BTD_TEST_RESULTS for run.ts to add up.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

const LAST = 'shutdown.test.js';

/** Called by VS Code's test runner; rejects when any test failed. */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const only = process.env.BTD_TEST_GREP;
  if (only) mocha.grep(only);
  // shutdown.test.js deactivates the extension, so it runs last.
  const files = readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort((a, b) => Number(a === LAST) - Number(b === LAST) || a.localeCompare(b));
  for (const f of files) mocha.addFile(join(__dirname, f));
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const passed = runner.stats?.passes ?? 0;
      const line = `${passed} passed, ${failures} failed`;
      console.log(`mocha: ${line}`);
      if (process.env.BTD_TEST_RESULTS) writeFileSync(process.env.BTD_TEST_RESULTS, JSON.stringify({ passed, failed: failures }));
      if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
  });
}
