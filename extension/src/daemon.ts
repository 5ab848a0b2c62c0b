/** What the commands need from the daemon connection, as an interface: typed requests and progress. */
import type { CancellationToken, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { TorrentCreateProgress } from '../../protocol/src';

/** A disposable registration. */
export interface Registration {
  dispose(): void;
}

/** Typed access to the running daemon; every method name comes from a protocol handle. */
export interface Daemon {
  request<P, R>(type: RequestType<P, R, void>, params: P, token?: CancellationToken): Promise<R>;
  request0<R>(type: RequestType0<R, void>, token?: CancellationToken): Promise<R>;
  /** Receives `$/progress` values sent for a work-done token. */
  onProgress(token: string, handler: (value: TorrentCreateProgress) => void): Registration;
}
