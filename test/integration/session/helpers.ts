import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTorrent } from '../../../daemon/src/metainfo';
import type { Metainfo } from '../../../daemon/src/metainfo/types';
import { Session, type Torrent } from '../../../daemon/src/session';
import type { SessionInternals } from '../../../daemon/src/session/session';
import type { SessionOptions } from '../../../daemon/src/session/types';
import { within } from '../../support/deadline';

/** How long a wait on a real session may take before the test fails with its message. */
const WAIT_MS = 60_000;

/** A temp folder removed by `cleanup`. */
export async function tempDir(prefix = 'btd-session-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Writes random files under `root/name` and makes a torrent of them. */
export async function makeTorrent(
  root: string,
  name: string,
  files: Record<string, number>,
  pieceLength = 32768,
): Promise<{ metainfo: Metainfo; contents: Map<string, Buffer> }> {
  const contents = new Map<string, Buffer>();
  for (const [rel, size] of Object.entries(files)) {
    const p = path.join(root, name, rel);
    await mkdir(path.dirname(p), { recursive: true });
    const data = randomBytes(size);
    await writeFile(p, data);
    contents.set(rel, data);
  }
  const { metainfo } = await createTorrent(path.join(root, name), { pieceLength });
  return { metainfo, contents };
}

/** Asserts every file under `root/name` equals what was written. */
export async function sameFiles(root: string, name: string, contents: Map<string, Buffer>): Promise<boolean> {
  for (const [rel, data] of contents) {
    const got = await readFile(path.join(root, name, rel)).catch(() => Buffer.alloc(0));
    if (!got.equals(data)) return false;
  }
  return true;
}

/** A session on 127.0.0.1, any port. */
export function startSession(downloadDir: string, extra: Partial<SessionOptions> = {}, internals: SessionInternals = {}): Promise<Session> {
  return Session.start({ downloadDir, listenHost: '127.0.0.1', port: 0, ...extra }, internals);
}

/** Resolves when `t` has every piece (or at once). Rejects if it enters the error state, or after `ms`. */
export function completed(t: Torrent, ms = WAIT_MS): Promise<void> {
  let stop = (): void => undefined;
  const done = new Promise<void>((resolve, reject) => {
    const check = (): void => {
      const s = t.summary();
      if (s.state === 'error') reject(new Error(s.error));
      else if (s.havePieces === s.pieceCount && s.state !== 'checking') resolve();
    };
    stop = (): void => {
      t.off('completed', check);
      t.off('state', check);
      t.off('progress', check);
    };
    t.on('completed', check);
    t.on('state', check);
    t.on('progress', check);
    check();
  });
  return within(ms, done, `${t.summary().name} complete`).finally(stop);
}

/** Resolves when the torrent leaves 'checking'; rejects after `ms`. */
export function checked(t: Torrent, ms = WAIT_MS): Promise<void> {
  let check = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    check = (): void => {
      if (t.summary().state !== 'checking') resolve();
    };
    t.on('state', check);
    check();
  });
  return within(ms, done, `${t.summary().name} checked`).finally(() => t.off('state', check));
}

/** Resolves once `t` has verified at least `n` pieces; rejects after `ms`. */
export function havePieces(t: Torrent, n: number, ms = WAIT_MS): Promise<void> {
  let check = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    check = (): void => {
      if (t.summary().havePieces >= n) resolve();
    };
    t.on('progress', check);
    check();
  });
  return within(ms, done, `${t.summary().name} has ${n} pieces`).finally(() => t.off('progress', check));
}

/** Removes temp folders, ignoring errors. */
export async function cleanup(...dirs: string[]): Promise<void> {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}

/** Temp folders and sessions a group of tests starts; `dispose` (in `after`) closes and removes them all. */
export class Fixture {
  readonly dirs: string[] = [];
  readonly sessions: Session[] = [];

  /** A temp folder removed by `dispose`. */
  async dir(): Promise<string> {
    const d = await tempDir();
    this.dirs.push(d);
    return d;
  }

  /** A session on 127.0.0.1 closed by `dispose`. */
  async session(downloadDir: string, extra: Partial<SessionOptions> = {}, internals: SessionInternals = {}): Promise<Session> {
    const s = await startSession(downloadDir, extra, internals);
    this.sessions.push(s);
    return s;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.close()));
    await cleanup(...this.dirs);
  }
}

/**
 * The usual two-session set-up: a torrent of `files` made in a fresh folder, a seeder there that
 * has added and checked it, and a leecher on another fresh folder (which has not added it yet).
 */
export async function seederAndLeecher(
  fx: Fixture,
  name: string,
  files: Record<string, number>,
  seederOptions: Partial<SessionOptions> = {},
  leecherOptions: Partial<SessionOptions> = {},
): Promise<{ seedDir: string; leechDir: string; metainfo: Metainfo; contents: Map<string, Buffer>; seeder: Session; leecher: Session }> {
  const seedDir = await fx.dir();
  const leechDir = await fx.dir();
  const { metainfo, contents } = await makeTorrent(seedDir, name, files);
  const seeder = await fx.session(seedDir, seederOptions);
  const leecher = await fx.session(leechDir, leecherOptions);
  await checked(await seeder.addTorrent(metainfo));
  return { seedDir, leechDir, metainfo, contents, seeder, leecher };
}
