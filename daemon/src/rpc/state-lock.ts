/**
 * One daemon per state folder. Two daemons on one folder would seed the same torrents twice, fight
 * over the listening port and overwrite each other's catalog and resume files, so the daemon holds
 * `<stateDir>/btd.lock` (its pid) while it runs. A second one is refused and told whose it is; a lock
 * left by a process that is gone (a `kill -9`) is taken over.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/** Another live process holds the folder. */
export class StateLockedError extends Error {
  constructor(
    readonly stateDir: string,
    readonly pid: number,
  ) {
    super(`the state folder ${stateDir} is in use by another btd daemon (pid ${pid}); stop it, or give this one another --state-dir`);
    this.name = 'StateLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A held lock; `release` removes it if it is still ours. */
export interface StateLock {
  release(): Promise<void>;
}

/** How long a start waits for a holder that is on its way out (a daemon being restarted saves its state first). */
export const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 100;

/** LOCK_WAIT_MS, or BTD_STATE_LOCK_WAIT_MS from the environment (tests set 0 to see a refusal at once). */
function lockWaitMs(): number {
  const v = Number(process.env.BTD_STATE_LOCK_WAIT_MS);
  return Number.isFinite(v) && v >= 0 ? v : LOCK_WAIT_MS;
}

/**
 * Takes the folder's lock, waiting up to `waitMs` for a live holder to let go (a restart: the old
 * daemon is still saving its state); StateLockedError when it does not.
 */
export async function lockStateDir(stateDir: string, waitMs = lockWaitMs()): Promise<StateLock> {
  const giveUpAt = Date.now() + waitMs;
  for (;;) {
    try {
      return await tryLock(stateDir);
    } catch (err) {
      if (!(err instanceof StateLockedError) || Date.now() >= giveUpAt) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

async function tryLock(stateDir: string): Promise<StateLock> {
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, 'btd.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await fs.open(path, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return {
        release: async () => {
          const holder = Number((await fs.readFile(path, 'utf8').catch(() => '')).trim());
          if (holder === process.pid) await fs.rm(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await fs.readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) throw new StateLockedError(stateDir, holder);
    // Stale (its process is gone) or unreadable: take it over.
    await fs.rm(path, { force: true });
  }
  throw new Error(`cannot take the lock ${path}`);
}
