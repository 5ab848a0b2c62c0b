/** `btd create`: make a .torrent from a file or folder, with progress, and print its info hash and magnet. */
import type { Command } from 'commander';
import { link, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { HashReadError } from '../hash/pool';
import { MetainfoError, buildMagnet, createTorrent, parsePieceLength } from '../metainfo';
import { createCommandPool } from './create-pool';
import { CliError } from './errors';
import { createByteProgress } from './progress';
import type { ByteProgress } from './progress';

/** Parsed flags of `btd create`. */
interface CreateFlags {
  output?: string;
  tracker: string[];
  pieceLength?: number;
  private?: boolean;
  comment?: string;
  webSeed: string[];
  hidden?: boolean;
  force?: boolean;
  quiet?: boolean;
}

const TRACKER_PROTOCOLS = ['http:', 'https:', 'udp:', 'ws:', 'wss:'];
const WEB_PROTOCOLS = ['http:', 'https:'];

/** A repeatable option whose values (comma-separated if `commas`) must be URLs of the given protocols. */
function collectUrls(protocols: string[], commas: boolean): (value: string, previous: string[]) => string[] {
  return (value, previous) => {
    for (const url of commas ? value.split(',').map((u) => u.trim()) : [value]) {
      let protocol: string;
      try {
        protocol = new URL(url).protocol;
      } catch {
        throw new CliError(`"${url}" is not a URL`);
      }
      if (!protocols.includes(protocol)) throw new CliError(`"${url}": expected a ${protocols.join(' / ')} URL`);
    }
    return [...previous, value];
  };
}

function pieceLengthOption(text: string): number {
  try {
    return parsePieceLength(text);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}

/** Registers `btd create` on the program. */
export function registerCreate(program: Command): void {
  program
    .command('create')
    .description('create a .torrent from a file or a folder')
    .argument('<file-or-folder>', 'what to share')
    .option('-o, --output <file>', 'where to write the torrent (default ./<name>.torrent)')
    .option('-t, --tracker <url>', 'announce URL; repeat for more tiers, comma-separate URLs of one tier', collectUrls(TRACKER_PROTOCOLS, true), [])
    .option('--piece-length <size>', 'piece length: a power of two, e.g. 262144, 256K, 1M (default: automatic)', pieceLengthOption)
    .option('--private', 'set the private flag (BEP 27): peers only from the trackers')
    .option('--comment <text>', 'free text stored in the torrent')
    .option('--web-seed <url>', 'web seed URL (BEP 19); repeatable', collectUrls(WEB_PROTOCOLS, false), [])
    .option('--hidden', "include files and folders whose names start with '.'")
    .option('--force', 'overwrite the output file if it exists')
    .option('-q, --quiet', 'no progress display')
    .action((input: string, flags: CreateFlags) => runCreate(input, flags));
}

async function checkPaths(input: string, output: string, force: boolean): Promise<void> {
  await stat(input).catch(() => {
    throw new CliError(`no such file or folder: ${input}`);
  });
  const exists = await stat(output).then(
    () => true,
    () => false,
  );
  if (exists && !force) throw new CliError(`${output} already exists (use --force to overwrite)`);
}

/** Writes via a temporary file, so an interrupted run never leaves a partial torrent behind. */
async function writeTorrent(output: string, bytes: Uint8Array, force: boolean): Promise<void> {
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
  await writeFile(tmp, bytes, { flag: 'wx' });
  try {
    if (force) {
      await rename(tmp, output);
      return;
    }
    // link() refuses an existing target, closing the race with another writer since the first check.
    await link(tmp, output).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EEXIST' ? new CliError(`${output} already exists (use --force to overwrite)`) : err;
    });
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

function userError(err: unknown): unknown {
  if (err instanceof MetainfoError || err instanceof HashReadError) return new CliError(err.message);
  if (err instanceof Error && err.name === 'AbortError') return new CliError('cancelled; nothing written', 130);
  return err;
}

async function runCreate(input: string, flags: CreateFlags): Promise<void> {
  const source = resolve(input);
  const output = resolve(flags.output ?? `${basename(source)}.torrent`);
  await checkPaths(source, output, Boolean(flags.force));
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let progress: ByteProgress | undefined;
  try {
    const { bytes, metainfo } = await createTorrent(source, {
      trackers: flags.tracker.map((t) => t.split(',').map((u) => u.trim())),
      pieceLength: flags.pieceLength,
      private: flags.private,
      comment: flags.comment,
      webSeeds: flags.webSeed,
      includeHidden: flags.hidden,
      exclude: [output], // a torrent re-made with --force inside its own folder must not hash itself
      signal: abort.signal,
      pool: createCommandPool(),
      onProgress: (done, total) => {
        if (flags.quiet) return;
        progress ??= createByteProgress({ label: 'hashing', total });
        progress.update(done);
      },
    });
    progress?.stop();
    progress = undefined;
    await writeTorrent(output, bytes, Boolean(flags.force));
    process.stdout.write(
      `created ${output}: ${metainfo.files.length} file(s), ${metainfo.pieceCount} pieces of ${metainfo.pieceLength} bytes\n` +
        `info hash: ${metainfo.infoHashHex}\n` +
        `magnet: ${buildMagnet(metainfo)}\n`,
    );
  } catch (err) {
    progress?.stop();
    throw userError(err);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
