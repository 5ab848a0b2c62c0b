/** `btd info` (placeholder until implemented). */
import type { Command } from 'commander';

/** Registers `btd info` on the program. */
export function registerInfo(_program: Command): void {}
