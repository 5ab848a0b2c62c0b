/** `btd seed` (placeholder until implemented). */
import type { Command } from 'commander';

/** Registers `btd seed` on the program. */
export function registerSeed(_program: Command): void {}
