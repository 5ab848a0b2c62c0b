/**
 * The engine's public face. Events of Session:
 * 'torrent-added'(t), 'torrent-removed'(infoHashHex), 'progress'(t), 'state'(t), 'completed'(t),
 * 'peer'(t, PeerChange), 'log'(LogEntry).
 */
export { Session } from './session';
export { Torrent } from './torrent';
export {
  SessionError,
  type SessionErrorCode,
  type SessionOptions,
  type SessionSettings,
  type SessionStats,
  type AddTorrentOptions,
  type TorrentState,
  type TorrentSummary,
  type PeerSummary,
  type PeerChange,
  type TrackerStatus,
  type LogEntry,
  type Metainfo,
} from './types';
export { MagnetTorrent } from './magnet-torrent';
export type { AddMagnetOptions, FilePriorityChange } from './magnet-choices';
export type { AnyTorrent } from './session';
