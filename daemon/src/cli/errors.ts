/** How the command line reports failure: one clear line on stderr, never a stack trace for bad input. */

/** An error whose message is meant for the person at the terminal. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** Prints `btd: <message>` and exits. Unexpected errors also print their stack when BTD_DEBUG is set. */
export function reportAndExit(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`btd: ${message}\n`);
  if (process.env.BTD_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
}
