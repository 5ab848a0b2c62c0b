/** `btd rpc` (placeholder until implemented). */
import type { Command } from 'commander';

/** Registers `btd rpc` on the program. */
export function registerRpc(_program: Command): void {}
