/** `btd tracker` (placeholder until implemented). */
import type { Command } from 'commander';

/** Registers `btd tracker` on the program. */
export function registerTracker(_program: Command): void {}
