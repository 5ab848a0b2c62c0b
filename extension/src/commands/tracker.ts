/** BitTorrent: Start Tracker / Stop Tracker / Open Tracker Stats — the daemon's built-in HTTP tracker. */
import { TrackerStartRequest, TrackerStatsRequest, TrackerStopRequest, type TrackerServerInfo, type TrackerStartParams } from '../../../protocol/src';
import { describeError } from '../errors';
import { numberField, objectArg } from './args';
import type { CommandContext } from './context';

/**
 * Starts the tracker on `{ port }` or the btd.trackerPort setting, with UDP and the swarm store of the
 * btd.trackerUdp and btd.trackerStore settings; offers the announce URL for copying.
 */
export async function startTracker(ctx: CommandContext, arg?: unknown): Promise<TrackerServerInfo | undefined> {
  const settings = ctx.settings();
  const port = numberField(objectArg(arg), 'port') ?? settings.trackerPort;
  const params: TrackerStartParams = { port };
  if (settings.trackerUdp) params.udp = true;
  const store = settings.trackerStore === '' ? 'memory' : settings.trackerStore;
  if (store !== 'memory') params.store = store;
  try {
    const info = await ctx.daemon.request(TrackerStartRequest.type, params);
    ctx.state.tracker = info;
    const udp = info.udpUrl !== undefined ? ` (UDP: ${info.udpUrl})` : '';
    const shared = store !== 'memory' ? `; swarms in ${store}` : '';
    void ctx.ui.info(`Tracker running: ${info.url}${udp}${shared}`, 'Copy Announce URL', 'Open Stats').then(async (choice) => {
      if (choice === 'Copy Announce URL') await ctx.ui.copy(info.url);
      if (choice === 'Open Stats') await ctx.ui.openExternal(statsUrl(info.url));
    });
    return info;
  } catch (err) {
    void ctx.ui.error(describeError('Start Tracker', err));
    return undefined;
  }
}

/** Stops the tracker. Resolves true when it was stopped. */
export async function stopTracker(ctx: CommandContext): Promise<boolean> {
  try {
    await ctx.daemon.request0(TrackerStopRequest.type);
    ctx.state.tracker = undefined;
    void ctx.ui.info('Tracker stopped.');
    return true;
  } catch (err) {
    void ctx.ui.error(describeError('Stop Tracker', err));
    return false;
  }
}

/** Opens the running tracker's stats page in the browser; resolves to its URL. */
export async function openTrackerStats(ctx: CommandContext): Promise<string | undefined> {
  try {
    const stats = await ctx.daemon.request0(TrackerStatsRequest.type);
    const url = statsUrl(stats.url);
    await ctx.ui.openExternal(url);
    return url;
  } catch (err) {
    void ctx.ui.error(describeError('Open Tracker Stats', err));
    return undefined;
  }
}

/** The stats page next to an announce URL: `http://h:p/announce` → `http://h:p/stats`. */
export function statsUrl(announceUrl: string): string {
  return announceUrl.replace(/\/announce(\?.*)?$/, '') + '/stats';
}
