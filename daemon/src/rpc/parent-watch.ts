/** Notices when a parent process is gone (as LSP servers do with `processId`). */

/** How often the parent's pid is probed. */
export const PARENT_POLL_MS = 1000;

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Calls onGone once when `pid` no longer exists; returns a function that stops watching. */
export function watchParent(pid: number, onGone: () => void, intervalMs = PARENT_POLL_MS): () => void {
  const timer = setInterval(() => {
    if (processAlive(pid)) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
