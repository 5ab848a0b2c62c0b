/* eslint-disable @typescript-eslint/no-namespace -- each code group is a namespace of constants, as LSP declares them */
/**
 * Error codes answered in `error.code`. JSON-RPC's own codes keep their meaning; btd's codes live in
 * -32900..-32999, away from the ranges reserved by JSON-RPC (-32768..-32000 minus LSP's -32002/-32800).
 */
export namespace ErrorCodes {
  /** The message body is not valid JSON. */
  export const ParseError = -32700;
  /** The JSON is not a valid JSON-RPC 2.0 request or notification. */
  export const InvalidRequest = -32600;
  /** No method by that name. */
  export const MethodNotFound = -32601;
  /** A parameter is missing, of the wrong type or out of range; the message names the field. */
  export const InvalidParams = -32602;
  /** A bug in the daemon; the daemon keeps serving. */
  export const InternalError = -32603;
  /** A request arrived before `initialize` (as in LSP). */
  export const ServerNotInitialized = -32002;
  /** The client cancelled the request with `$/cancelRequest` (as in LSP). */
  export const RequestCancelled = -32800;

  /** No torrent with that info hash. */
  export const UnknownTorrent = -32900;
  /** The torrent is already in the session. */
  export const DuplicateTorrent = -32901;
  /** Reading or writing a file failed. */
  export const IoError = -32902;
  /** `tracker/start` while a tracker is running. */
  export const TrackerAlreadyRunning = -32903;
  /** `tracker/stop` or `tracker/stats` while no tracker is running. */
  export const TrackerNotRunning = -32904;
  /** The input is understood but the feature is missing (e.g. magnet links). */
  export const NotSupported = -32905;
  /** The metainfo (.torrent) is malformed. */
  export const InvalidTorrent = -32906;
  /** A socket client did not present the daemon's token first. */
  export const Unauthorized = -32907;
  /** The data given to `torrent/seed` does not match the torrent. */
  export const DataMismatch = -32908;
}
/** Every code in ErrorCodes. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** `error.data` attached to InvalidParams: the path of the offending field, e.g. `torrent.base64`. */
export interface InvalidParamsData {
  field: string;
}
