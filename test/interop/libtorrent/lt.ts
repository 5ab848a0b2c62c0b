/** Runs test/interop/libtorrent/lt_peer.py with Debian's python3-libtorrent. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { REPO_ROOT, startProcess, type BtdProcess } from '../../integration/cli/btd-process';

/** Debian's interpreter: the module is installed for it, not for another python3 on the PATH. */
const PYTHON = '/usr/bin/python3';
const LT_PEER = resolve(REPO_ROOT, 'test/interop/libtorrent/lt_peer.py');

/** Whether python3-libtorrent is installed (CI installs it; elsewhere the suites skip without it). */
export const haveLibtorrent = spawnSync(PYTHON, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status === 0;

/** Why a libtorrent suite is skipped, or false when it runs (always on CI, where a missing module fails). */
export const skipLibtorrent: string | false = !haveLibtorrent && process.env.CI !== 'true' && 'python3-libtorrent missing (CI installs it and runs this)';

/** `lt_peer.py <args>`; `uploadRate` caps a seeder's upload in bytes per second. */
export function ltPeer(args: string[], opts: { uploadRate?: number } = {}): BtdProcess {
  const env = opts.uploadRate === undefined ? {} : { BTD_LT_UPLOAD_RATE: String(opts.uploadRate) };
  return startProcess(PYTHON, [LT_PEER, ...args], REPO_ROOT, env);
}
