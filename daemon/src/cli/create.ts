/** `btd create` (placeholder until implemented). */
import type { Command } from 'commander';

/** Registers `btd create` on the program. */
export function registerCreate(_program: Command): void {}
