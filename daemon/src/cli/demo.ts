/** `btd demo` (placeholder until implemented). */
import type { Command } from 'commander';

/** Registers `btd demo` on the program. */
export function registerDemo(_program: Command): void {}
