/** The command table: id → handler. package.json's `contributes.commands` declares the same ids. */
import type { FilePriority } from '../../../protocol/src';
import type { CommandContext } from './context';
import { createTorrent } from './create';
import { copyMagnet, openFolder, pauseTorrent, refresh, removeTorrent, resumeTorrent, verifyTorrent } from './manage';
import { openTrackerStats, startTracker, stopTracker } from './tracker';
import { shareFolder } from './share';
import { downloadTorrent, seedTorrent } from './transfer';

/** Command ids, `btd.<area>.<verb>`. */
export const CommandIds = {
  create: 'btd.torrent.create',
  seed: 'btd.torrent.seed',
  download: 'btd.torrent.download',
  pause: 'btd.torrent.pause',
  resume: 'btd.torrent.resume',
  verify: 'btd.torrent.verify',
  copyMagnet: 'btd.torrent.copyMagnet',
  remove: 'btd.torrent.remove',
  openFolder: 'btd.torrent.openFolder',
  trackerStart: 'btd.tracker.start',
  trackerStop: 'btd.tracker.stop',
  trackerStats: 'btd.tracker.openStats',
  refresh: 'btd.view.refresh',
  showView: 'btd.view.show',
  showLog: 'btd.daemon.showLog',
  restart: 'btd.daemon.restart',
  share: 'btd.torrent.share',
  details: 'btd.torrent.details',
  sort: 'btd.view.sort',
  filter: 'btd.view.filter',
  stop: 'btd.daemon.stop',
  openFile: 'btd.file.open',
  priorityHigh: 'btd.file.priorityHigh',
  priorityNormal: 'btd.file.priorityNormal',
  priorityLow: 'btd.file.priorityLow',
  prioritySkip: 'btd.file.prioritySkip',
} as const;

/** The Priority menu of a file or folder row: command id → the priority it sets. */
export const FILE_PRIORITIES: readonly [string, FilePriority][] = [
  [CommandIds.priorityHigh, 'high'],
  [CommandIds.priorityNormal, 'normal'],
  [CommandIds.priorityLow, 'low'],
  [CommandIds.prioritySkip, 'skip'],
];

/** A handler takes the context and the command's argument, and resolves to a result tests can inspect. */
export type CommandHandler = (ctx: CommandContext, arg?: unknown) => Promise<unknown>;

/** Handlers of the commands that only need the command context (the rest are wired in extension.ts). */
export const HANDLERS: Record<string, CommandHandler> = {
  [CommandIds.create]: createTorrent,
  [CommandIds.seed]: seedTorrent,
  [CommandIds.download]: downloadTorrent,
  [CommandIds.share]: shareFolder,
  [CommandIds.pause]: pauseTorrent,
  [CommandIds.resume]: resumeTorrent,
  [CommandIds.verify]: verifyTorrent,
  [CommandIds.copyMagnet]: copyMagnet,
  [CommandIds.remove]: removeTorrent,
  [CommandIds.openFolder]: openFolder,
  [CommandIds.trackerStart]: startTracker,
  [CommandIds.trackerStop]: (ctx) => stopTracker(ctx),
  [CommandIds.trackerStats]: (ctx) => openTrackerStats(ctx),
  [CommandIds.refresh]: (ctx) => refresh(ctx),
  [CommandIds.showView]: (ctx) => ctx.ui.showView(),
  [CommandIds.showLog]: async (ctx) => ctx.ui.showLog(),
};
