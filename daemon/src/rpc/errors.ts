/** Turns any failure inside a handler into a JSON-RPC error with one of the protocol's codes. */
import { ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes } from '../../../protocol/src';
import { SessionError } from '../session/types';
import { MetainfoError } from '../metainfo/errors';
import { StorageError } from '../storage/errors';
import { ParamError } from './validate';

/** Builds an error with a btd code. */
export function rpcError(code: number, message: string, data?: unknown): ResponseError<unknown> {
  return new ResponseError(code, message, data);
}

const sessionCodes: Record<SessionError['code'], number> = {
  'duplicate-torrent': ErrorCodes.DuplicateTorrent,
  'unknown-torrent': ErrorCodes.UnknownTorrent,
  io: ErrorCodes.IoError,
  invalid: ErrorCodes.InvalidParams,
};

/** Maps a thrown value to the error the client sees; unexpected errors become InternalError. */
export function toResponseError(err: unknown): ResponseError<unknown> {
  if (err instanceof ResponseError) return err;
  if (err instanceof ParamError) return rpcError(ErrorCodes.InvalidParams, err.message, { field: err.field });
  if (err instanceof SessionError) return rpcError(sessionCodes[err.code] ?? ErrorCodes.InternalError, err.message);
  if (err instanceof StorageError) return rpcError(ErrorCodes.IoError, err.message, { reason: err.code });
  if (err instanceof MetainfoError) return rpcError(ErrorCodes.InvalidTorrent, `invalid torrent: ${err.message}`, { reason: err.code });
  const errno = err as NodeJS.ErrnoException;
  if (err instanceof Error && typeof errno.code === 'string' && typeof errno.syscall === 'string') {
    return rpcError(ErrorCodes.IoError, err.message, { errno: errno.code });
  }
  if (err instanceof Error && err.name === 'AbortError') return rpcError(ErrorCodes.RequestCancelled, 'request cancelled');
  return rpcError(ErrorCodes.InternalError, err instanceof Error ? err.message : String(err));
}
