/** BitTorrent: Create Torrent — hash a file or folder into a .torrent, with cancellable progress. */
import { basename } from 'node:path';
import { TorrentCreateRequest, type TorrentCreateParams, type TorrentCreateResult } from '../../../protocol/src';
import { describeError, isCancellation } from '../errors';
import { formatBytes } from '../format';
import type { PickItem } from '../ui';
import { numberField, objectArg, pathArg, stringField, stringsField, validateTrackerList, parseTrackerList } from './args';
import type { CommandContext } from './context';

/** Piece lengths offered; `0` means "let the daemon choose from the size". */
export const PIECE_LENGTH_CHOICES = [0, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384].map((k) => k * 1024);

let nextToken = 0;

/**
 * Creates a torrent. Argument: a Uri (Explorer), or `{ path, trackers?, pieceLength?, outputPath? }`;
 * what is missing is asked. Resolves to the daemon's result, or undefined when cancelled or failed.
 */
export async function createTorrent(ctx: CommandContext, arg?: unknown): Promise<TorrentCreateResult | undefined> {
  const given = objectArg(arg);
  const source = pathArg(arg) ?? stringField(given, 'path') ?? (await ctx.ui.openDialog({
    title: 'Create Torrent: choose a file or folder', files: true, folders: true,
  }));
  if (source === undefined) return undefined;
  const trackers = stringsField(given, 'trackers') ?? (await askTrackers(ctx));
  if (trackers === undefined) return undefined;
  const pieceLength = 'pieceLength' in given ? numberField(given, 'pieceLength') : await askPieceLength(ctx);
  if (pieceLength === undefined && !('pieceLength' in given)) return undefined;
  const outputPath = stringField(given, 'outputPath') ?? (await ctx.ui.saveDialog({
    title: 'Save the .torrent file', defaultPath: `${source}.torrent`, filters: { Torrents: ['torrent'] },
  }));
  if (outputPath === undefined) return undefined;

  // The save dialog has asked whether to replace an existing file; a path given by a caller has not.
  const params: TorrentCreateParams = { path: source, trackers, outputPath, overwrite: stringField(given, 'outputPath') === undefined };
  if (pieceLength !== undefined && pieceLength > 0) params.pieceLength = pieceLength;
  try {
    const result = await runCreate(ctx, params, `Creating ${basename(outputPath)}`);
    announceCreated(ctx, result);
    return result;
  } catch (err) {
    if (isCancellation(err)) void ctx.ui.info('Torrent creation cancelled.');
    else void ctx.ui.error(describeError('Create Torrent', err));
    return undefined;
  }
}

/** Sends torrent/create under a cancellable progress notification fed by the daemon's `$/progress`. */
async function runCreate(ctx: CommandContext, params: TorrentCreateParams, title: string): Promise<TorrentCreateResult> {
  const token = `btd-create-${process.pid}-${++nextToken}`;
  return ctx.ui.withProgress(title, true, async (report, cancel) => {
    let shown = 0;
    const sub = ctx.daemon.onProgress(token, (value) => {
      const pct = value.percentage ?? shown;
      const message = value.totalBytes !== undefined
        ? `${formatBytes(value.hashedBytes ?? 0)} of ${formatBytes(value.totalBytes)} hashed`
        : (value.message ?? '');
      report(message, Math.max(0, pct - shown));
      shown = Math.max(shown, pct);
    });
    try {
      return await ctx.daemon.request(TorrentCreateRequest.type, { ...params, workDoneToken: token }, cancel);
    } finally {
      sub.dispose();
    }
  });
}

function announceCreated(ctx: CommandContext, result: TorrentCreateResult): void {
  const where = result.outputPath ?? result.name;
  void ctx.ui
    .info(`Created ${where} (${result.pieceCount} pieces of ${formatBytes(result.pieceLength)}).`, 'Copy Magnet Link')
    .then(async (choice) => {
      if (choice !== 'Copy Magnet Link') return;
      await ctx.ui.copy(result.magnet);
      void ctx.ui.info('Magnet link copied to the clipboard.');
    });
}

async function askTrackers(ctx: CommandContext): Promise<string[] | undefined> {
  const text = await ctx.ui.input({
    title: 'Create Torrent: trackers',
    prompt: 'Announce URLs, separated by spaces or commas (empty for none)',
    value: ctx.state.tracker?.url ?? '',
    placeHolder: `http://127.0.0.1:${ctx.settings().trackerPort}/announce`,
    validate: validateTrackerList,
  });
  return text === undefined ? undefined : parseTrackerList(text);
}

async function askPieceLength(ctx: CommandContext): Promise<number | undefined> {
  const items: PickItem<number>[] = PIECE_LENGTH_CHOICES.map((n) => n === 0
    ? { label: 'Automatic', description: 'chosen from the total size (recommended)', value: 0 }
    : { label: formatKiB(n), value: n });
  const choice = await ctx.ui.pick(items, { title: 'Create Torrent: piece length', placeHolder: 'Automatic' });
  return choice?.value;
}

function formatKiB(n: number): string {
  return n >= 1024 * 1024 ? `${n / (1024 * 1024)} MiB` : `${n / 1024} KiB`;
}
