/** Torrent methods and notifications: create, add, seed, list, get, pause, resume, verify, remove. */
/* eslint-disable @typescript-eslint/no-namespace -- each method is a namespace (method + typed handle), as LSP declares them */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { TrackerAnnounceInfo } from './tracker';

/** Lifecycle state of one torrent. */
export namespace TorrentState {
  export const Checking = 'checking' as const;
  export const Downloading = 'downloading' as const;
  export const Seeding = 'seeding' as const;
  export const Paused = 'paused' as const;
  export const Error = 'error' as const;
}
/** One of TorrentState. */
export type TorrentState = 'checking' | 'downloading' | 'seeding' | 'paused' | 'error';

/** A snapshot of one torrent. Sizes in bytes, rates in bytes/s, times in ms since the epoch. */
export interface TorrentInfo {
  /** 40 lowercase hex characters (SHA-1 of the raw info dictionary). */
  infoHash: string;
  name: string;
  state: TorrentState;
  /** Set when state is 'error'. */
  error?: string;
  /** 0..1, verified pieces only. */
  progress: number;
  /** 0..1, the share of pieces checked so far; set only while state is 'checking'. */
  checkProgress?: number;
  totalLength: number;
  /** Bytes of the files not skipped; `progress` and the `left` announced to trackers count these only. */
  wantedLength: number;
  verifiedBytes: number;
  /** Set (true) when state is 'seeding' with some files skipped: seeding what it has. */
  partial?: boolean;
  /** Set (true) in sequential mode. */
  sequential?: boolean;
  pieceCount: number;
  havePieces: number;
  downloaded: number;
  uploaded: number;
  downloadRate: number;
  uploadRate: number;
  ratio: number;
  peers: number;
  seeds: number;
  /** Folder holding the torrent's file or folder. */
  savePath: string;
  etaSeconds?: number;
  addedAt: number;
  /**
   * Set (true) while a torrent added from a magnet link fetches its metadata from peers: sizes and
   * piece counts are 0 until then, and `name` is the magnet's `dn` (or the info hash). A
   * `torrent/stateChanged` follows when the metadata is in and the fields are filled.
   */
  metadataPending?: boolean;
  /** While metadataPending: connected peers that offer the metadata. */
  metadataPeers?: number;
  /** While metadataPending: 0..1 of the metadata received. */
  metadataProgress?: number;
}

/** A file's priority: `skip` never downloads it (nor creates it), the others order the pieces. */
export type FilePriority = 'skip' | 'low' | 'normal' | 'high';

/** The priority of one file, by its index in the torrent (as `torrent/files` lists it). */
export interface FilePriorityEntry {
  index: number;
  priority: FilePriority;
}

/** One file of a torrent with its priority and progress. */
export interface TorrentFileStatus {
  /** The file's index in the torrent; padding files have indexes too but are never listed. */
  index: number;
  path: string[];
  length: number;
  priority: FilePriority;
  /** Bytes of the file inside verified pieces. */
  bytesDone: number;
  /** Pieces that hold bytes of the file, and how many of them are verified. */
  pieceCount: number;
  piecesDone: number;
  attr?: string;
}

/** `torrent/files` and `torrent/setFilePriorities` result. */
export interface TorrentFilesResult {
  files: TorrentFileStatus[];
}

/** Every file of a torrent (BEP 47 padding files left out) with its priority and progress. */
export namespace TorrentFilesRequest {
  export const method = 'torrent/files' as const;
  export const type = new RequestType<TorrentIdParams, TorrentFilesResult, void>(method);
}

/** `torrent/setFilePriorities` params. */
export interface TorrentSetFilePrioritiesParams extends TorrentIdParams {
  /** 1 to 100000 entries; files not named keep their priority. */
  priorities: FilePriorityEntry[];
}

/**
 * Changes file priorities (saved across restarts). A skipped file is not created; turning one on
 * moves bytes it already has into place. A bad index changes nothing (InvalidParams). Result: the files.
 */
export namespace TorrentSetFilePrioritiesRequest {
  export const method = 'torrent/setFilePriorities' as const;
  export const type = new RequestType<TorrentSetFilePrioritiesParams, TorrentFilesResult, void>(method);
}

/** `torrent/setSequential` params. */
export interface TorrentSetSequentialParams extends TorrentIdParams {
  sequential: boolean;
}

/** Pieces in order (true) or rarest first (false), saved across restarts. Result: the snapshot. */
export namespace TorrentSetSequentialRequest {
  export const method = 'torrent/setSequential' as const;
  export const type = new RequestType<TorrentSetSequentialParams, TorrentInfo, void>(method);
}

/** `torrent/fileUrl` params: a file by its index, as `torrent/files` lists it. */
export interface TorrentFileUrlParams extends TorrentIdParams {
  fileIndex: number;
}

/** `torrent/fileUrl` result. */
export interface TorrentFileUrlResult {
  /** `http://127.0.0.1:<port>/<token>/<infoHash>/<fileIndex>/<name>`; valid while the daemon runs. */
  url: string;
}

/**
 * A local HTTP URL serving one file of a torrent with Range requests, also while it downloads: a range
 * not downloaded yet waits for its pieces, which are fetched first.
 */
export namespace TorrentFileUrlRequest {
  export const method = 'torrent/fileUrl' as const;
  export const type = new RequestType<TorrentFileUrlParams, TorrentFileUrlResult, void>(method);
}

/** One file of a torrent (BEP 47 padding files are never listed). */
export interface TorrentFileInfo {
  /** Path components relative to savePath, starting with the torrent's name (single-file torrents: `[name]`). */
  path: string[];
  length: number;
  /** BEP 47 flags, when the file has any: 'x' executable, 'h' hidden, 'l' symlink. */
  attr?: string;
}

/** `torrent/get` result: the snapshot plus files, trackers and magnet URI. */
export interface TorrentDetails extends TorrentInfo {
  pieceLength: number;
  /** The torrent's magnet URI (info hash, name, trackers), as `torrent/create` returns it. */
  magnet: string;
  private: boolean;
  files: TorrentFileInfo[];
  trackers: TrackerAnnounceInfo[];
}

/** A .torrent given by exactly one of: a path the daemon can read, its bytes in base64, or a magnet URI. */
export type TorrentSource = { path: string } | { base64: string } | { magnet: string };

/** Params naming one torrent. */
export interface TorrentIdParams {
  infoHash: string;
}

/** `$/progress` value during `torrent/create` (LSP's WorkDoneProgress shape). */
export interface TorrentCreateProgress {
  kind: 'begin' | 'report' | 'end';
  title?: string;
  message?: string;
  /** 0..100 */
  percentage?: number;
  hashedBytes?: number;
  totalBytes?: number;
}

/** `torrent/create` params. */
export interface TorrentCreateParams {
  /** The file or folder to make a torrent of. */
  path: string;
  /** Announce URLs, one tier each. */
  trackers?: string[];
  /** Power of two, 16 KiB..64 MiB; default chosen from the size. */
  pieceLength?: number;
  private?: boolean;
  comment?: string;
  webSeeds?: string[];
  /** Also write the .torrent there. */
  outputPath?: string;
  /** Replace a file already at outputPath (default false: such a request fails with InvalidParams before hashing). */
  overwrite?: boolean;
  /** When set, progress arrives as `$/progress` with this token. */
  workDoneToken?: string | number;
}

/** `torrent/create` result. */
export interface TorrentCreateResult {
  infoHash: string;
  name: string;
  /** The .torrent bytes, base64. */
  base64: string;
  totalLength: number;
  pieceLength: number;
  pieceCount: number;
  magnet: string;
  outputPath?: string;
}

/** Hashes a file or folder into a .torrent. Cancellable with `$/cancelRequest`. */
export namespace TorrentCreateRequest {
  export const method = 'torrent/create' as const;
  export const type = new RequestType<TorrentCreateParams, TorrentCreateResult, void>(method);
}

/** `torrent/add` params. */
export interface TorrentAddParams {
  torrent: TorrentSource;
  /** Folder to hold the torrent's name; default the session's downloadDir. */
  savePath?: string;
  paused?: boolean;
  /**
   * Priorities of some files (others normal). For a magnet link they apply once the metadata is in,
   * after its BEP 53 `so` selection; indices it lacks are ignored with a warning.
   */
  filePriorities?: FilePriorityEntry[];
  /** Pieces in order instead of rarest first. */
  sequential?: boolean;
}

/** Adds a torrent to download (or seed, when its data is already there). Result: the snapshot. */
export namespace TorrentAddRequest {
  export const method = 'torrent/add' as const;
  export const type = new RequestType<TorrentAddParams, TorrentInfo, void>(method);
}

/** `torrent/seed` params. */
export interface TorrentSeedParams {
  torrent: TorrentSource;
  /** The existing file or folder the torrent was made of; its base name must be the torrent's name. */
  dataPath: string;
}

/** Adds a torrent whose data already exists; the data is hashed in full before seeding. */
export namespace TorrentSeedRequest {
  export const method = 'torrent/seed' as const;
  export const type = new RequestType<TorrentSeedParams, TorrentInfo, void>(method);
}

/** `torrent/list` result. */
export interface TorrentListResult {
  torrents: TorrentInfo[];
}

/** All torrents, in the order added. */
export namespace TorrentListRequest {
  export const method = 'torrent/list' as const;
  export const type = new RequestType0<TorrentListResult, void>(method);
}

/** `torrent/pieces` result: every piece's state, for a pieces map. */
export interface TorrentPiecesResult {
  pieceCount: number;
  /** Verified pieces: a bitfield as on the wire (piece 0 is the high bit of the first byte), base64. */
  have: string;
  /** Pieces under way (blocks requested or received, not yet verified): a bitfield, base64. */
  downloading: string;
  /** Connected peers that have each piece, one byte per piece (capped at 255), base64. */
  availability: string;
}

/** The pieces of one torrent (not while a magnet's metadata is being fetched: InvalidParams). */
export namespace TorrentPiecesRequest {
  export const method = 'torrent/pieces' as const;
  export const type = new RequestType<TorrentIdParams, TorrentPiecesResult, void>(method);
}

/** One torrent in detail. */
export namespace TorrentGetRequest {
  export const method = 'torrent/get' as const;
  export const type = new RequestType<TorrentIdParams, TorrentDetails, void>(method);
}

/** Stops transfers, keeps the torrent. Result: the snapshot. */
export namespace TorrentPauseRequest {
  export const method = 'torrent/pause' as const;
  export const type = new RequestType<TorrentIdParams, TorrentInfo, void>(method);
}

/** Restarts a paused torrent. Result: the snapshot. */
export namespace TorrentResumeRequest {
  export const method = 'torrent/resume' as const;
  export const type = new RequestType<TorrentIdParams, TorrentInfo, void>(method);
}

/**
 * Re-hashes every piece on disk (state 'checking'); pieces that no longer match are downloaded again.
 * Result: the snapshot once the check has begun. A paused torrent stays paused; while checking, a no-op.
 */
export namespace TorrentVerifyRequest {
  export const method = 'torrent/verify' as const;
  export const type = new RequestType<TorrentIdParams, TorrentInfo, void>(method);
}

/** `torrent/remove` params. */
export interface TorrentRemoveParams extends TorrentIdParams {
  /** Also delete the downloaded files. Default false. */
  deleteData?: boolean;
}

/** Forgets a torrent (and optionally its data). Result null. */
export namespace TorrentRemoveRequest {
  export const method = 'torrent/remove' as const;
  export const type = new RequestType<TorrentRemoveParams, null, void>(method);
}

/** Progress of one torrent, at most a few per second per torrent (the latest state wins). */
export namespace TorrentProgressNotification {
  export const method = 'torrent/progress' as const;
  export const type = new NotificationType<TorrentInfo>(method);
}

/** `torrent/stateChanged` params. */
export interface TorrentStateChangedParams {
  infoHash: string;
  state: TorrentState | 'removed';
  /** The error message when state is 'error'. */
  error?: string;
  torrent?: TorrentInfo;
}

/** A torrent was added, changed state (e.g. completed, failed) or was removed; sent at once. */
export namespace TorrentStateChangedNotification {
  export const method = 'torrent/stateChanged' as const;
  export const type = new NotificationType<TorrentStateChangedParams>(method);
}
