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

/** Takes the folder's lock; StateLockedError when a live process holds it. */
export async function lockStateDir(stateDir: string): Promise<StateLock> {
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
