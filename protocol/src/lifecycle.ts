/** Lifecycle as in LSP: initialize → initialized → … → shutdown → exit; plus `auth` for socket clients. */
/* eslint-disable @typescript-eslint/no-namespace -- each method is a namespace (method + typed handle), as LSP declares them */
import { NotificationType, NotificationType0, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { Settings } from './session';

/** Sent as `initialize.initializationOptions`: settings for the session, and the socket token. */
export interface InitializationOptions extends Partial<Settings> {
  /** The token of a socket daemon (see `btd daemon --rpc socket`); ignored over stdio. */
  token?: string;
}

/** `initialize` params; shaped like LSP's so vscode-languageclient can send them unchanged. */
export interface InitializeParams {
  /** The parent's pid: the daemon exits when that process is gone. `null` = no watch. */
  processId?: number | null;
  clientInfo?: { name: string; version?: string };
  /** The client's capabilities; btd reads none today and accepts any object. */
  capabilities?: object;
  initializationOptions?: InitializationOptions;
  /** LSP's trace setting; accepted, it only affects log verbosity. */
  trace?: 'off' | 'messages' | 'compact' | 'verbose';
}

/** What the daemon offers; a client can check for features here instead of by version. */
export interface ServerCapabilities {
  /** Methods this daemon answers, `area/verb`. */
  methods: string[];
  /** Notifications it may send. */
  notifications: string[];
  /** Ways a torrent can be given to `torrent/add`. */
  torrentSources: ('path' | 'base64' | 'magnet')[];
  /** Notification rate cap per torrent, in messages per second. */
  notificationRate: number;
}

/** Which daemon a client reached: its own child over stdio, or a shared socket daemon. */
export interface DaemonInfo {
  /** The daemon's process id. */
  pid: number;
  /** 'stdio': the client's own child, which stops with it; 'socket': shared by every client of the user. */
  mode: 'stdio' | 'socket';
  /** The state folder it holds (see `--state-dir`). */
  stateDir: string;
}

/** `initialize` result. */
export interface InitializeResult {
  serverInfo: { name: string; version: string };
  daemon: DaemonInfo;
  /** Version of this protocol; bumped on incompatible changes. */
  protocolVersion: number;
  capabilities: ServerCapabilities;
}

/** The first request of a connection. */
export namespace InitializeRequest {
  export const method = 'initialize' as const;
  export const type = new RequestType<InitializeParams, InitializeResult, void>(method);
}

/** The client got the initialize result. */
export namespace InitializedNotification {
  export const method = 'initialized' as const;
  export const type = new NotificationType<object>(method);
}

/** Prepare to exit: stops the session (announces 'stopped', saves resume data). Result null. */
export namespace ShutdownRequest {
  export const method = 'shutdown' as const;
  export const type = new RequestType0<null, void>(method);
}

/**
 * Stops the daemon itself, for every client: a socket daemon answers, closes every connection, saves its
 * state and exits 0 (as on SIGTERM); a stdio daemon answers, stops its session and exits 0. Result null.
 */
export namespace DaemonStopRequest {
  export const method = 'daemon/stop' as const;
  export const type = new RequestType0<null, void>(method);
}

/** Exit the process: code 0 after `shutdown`, 1 without. */
export namespace ExitNotification {
  export const method = 'exit' as const;
  export const type = new NotificationType0(method);
}

/** `auth` params: the socket daemon's token. */
export interface AuthParams {
  token: string;
}

/** Presents a socket daemon's token (alternative to `initializationOptions.token`). Result null. */
export namespace AuthRequest {
  export const method = 'auth' as const;
  export const type = new RequestType<AuthParams, null, void>(method);
}

/** Log levels of the `log` notification and `--log-level`. */
export namespace LogLevel {
  export const Error = 'error' as const;
  export const Warn = 'warn' as const;
  export const Info = 'info' as const;
  export const Debug = 'debug' as const;
}
/** One of LogLevel. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** `log` params. */
export interface LogParams {
  level: LogLevel;
  message: string;
  /** Set when the entry concerns one torrent. */
  infoHash?: string;
}

/** A log entry of the daemon at or above the connection's log level. */
export namespace LogNotification {
  export const method = 'log' as const;
  export const type = new NotificationType<LogParams>(method);
}
