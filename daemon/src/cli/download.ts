/** `btd download` (placeholder until implemented). */
import type { Command } from 'commander';

/** Registers `btd download` on the program. */
export function registerDownload(_program: Command): void {}
