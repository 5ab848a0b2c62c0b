/** The Engine interface backed by the real session, metainfo and tracker modules. */
import { Session } from '../session';
import { buildMagnet, createTorrent, parseMagnet, parseMetainfoSliced } from '../metainfo';
import { startTracker } from '../tracker/server';
import type { Engine, EngineSession } from './engine';

/** The production engine. */
export const realEngine: Engine = {
  startSession: async (opts) => (await Session.start(opts)) as EngineSession,
  parseMetainfo: (bytes) => parseMetainfoSliced(bytes),
  createTorrent: (input, opts) => createTorrent(input, opts),
  buildMagnet: (m) => buildMagnet(m),
  parseMagnet: (uri) => parseMagnet(uri),
  startTracker: async (opts) => {
    const t = await startTracker(opts);
    return { url: t.url, ...(t.udpUrl && { udpUrl: t.udpUrl }), host: t.host, port: t.port, stats: () => t.stats(), close: () => t.close() };
  },
};
