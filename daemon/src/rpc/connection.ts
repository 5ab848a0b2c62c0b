/**
 * One client connection: LSP-style lifecycle (initialize → initialized → shutdown → exit), optional token
 * check for socket clients, dispatch to the method table, and notifications. A failing request is answered
 * with an error and the connection keeps serving.
 */
import {
  createMessageConnection,
  ProgressType,

  StreamMessageReader,
  StreamMessageWriter,
  type CancellationToken,
  type Message,
  type MessageConnection,
  type MessageWriter,
} from 'vscode-jsonrpc/node';
import { timingSafeEqual } from 'node:crypto';
import * as P from '../../../protocol/src';
import { VERSION } from '../version';
import type { Daemon } from './daemon';
import { rpcError, toResponseError } from './errors';
import { buildHandlers, type Handler } from './handlers';
import { frameLimitStream, MAX_MESSAGE_BYTES } from './frame-limit';
import { GuardedMessageReader } from './message-guard';
import { Notifier, PROGRESS_PER_SECOND } from './notifier';
import { validators as v } from './params';

/** How a connection is set up. */
export interface ConnectionOptions {
  daemon: Daemon;
  /** 'stdio': `initialize` starts the session with the client's settings; 'socket': it already runs. */
  mode: 'stdio' | 'socket';
  /** Socket mode: the token a client must present before anything else. */
  token?: string;
  logLevel?: P.LogLevel;
  /** Called with `initialize.processId`, so the process can exit when that parent dies. */
  onParentPid?: (pid: number) => void;
}

/** Why a connection ended: `exit` after (0) or without (1) `shutdown`, the transport closing, or a refused token. */
export interface ConnectionEnd {
  reason: 'exit' | 'closed' | 'unauthorized';
  exitCode: number;
}

/** A served connection. */
export interface RpcConnection {
  readonly ended: Promise<ConnectionEnd>;
  dispose(): void;
}

const createProgress = new ProgressType<P.TorrentCreateProgress>();

/** Serves the protocol over a byte stream pair (stdin/stdout, a socket, or in-memory streams in tests). */
export function serveConnection(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, opts: ConnectionOptions): RpcConnection {
  const stream = new StreamMessageWriter(output);
  // A refused token ends the connection, but only once the error reply is written.
  let endAfterReply = false;
  const writer: MessageWriter = {
    onError: stream.onError,
    onClose: stream.onClose,
    end: () => stream.end(),
    dispose: () => stream.dispose(),
    write: async (msg: Message) => {
      await stream.write(msg);
      if (endAfterReply && 'id' in msg) finish({ reason: 'unauthorized', exitCode: 1 });
    },
  };
  const limited = frameLimitStream(
    (bytes) => void writer.write({ jsonrpc: '2.0', id: null, error: { code: P.ErrorCodes.InvalidRequest, message: `invalid request: a message of ${bytes} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit` } } as Message),
    (why) => daemon.log('warn', `rpc: closing the connection: ${why}`),
  );
  input.pipe(limited);
  const reader = new GuardedMessageReader(new StreamMessageReader(limited), writer);
  const daemon = opts.daemon;
  const conn: MessageConnection = createMessageConnection(reader, writer, {
    error: (m) => daemon.log('debug', `rpc: ${m}`),
    warn: (m) => daemon.log('debug', `rpc: ${m}`),
    info: () => undefined,
    log: () => undefined,
  });
  const handlers = buildHandlers(daemon);
  // Created by initialize, so that no notification reaches a client that has not authenticated.
  let notifier: Notifier | undefined;
  let logLevel: P.LogLevel = opts.logLevel ?? 'info';
  let state: 'new' | 'ready' | 'shutdown' = 'new';
  let authed = opts.token === undefined;
  let initializing: Promise<P.InitializeResult> | undefined;
  let settle!: (end: ConnectionEnd) => void;
  const ended = new Promise<ConnectionEnd>((resolve) => (settle = resolve));
  let done = false;
  const finish = (end: ConnectionEnd): void => {
    if (done) return;
    done = true;
    notifier?.dispose();
    settle(end);
  };

  const checkToken = (given: string | undefined): void => {
    if (authed) return;
    if (given !== undefined && opts.token !== undefined && sameSecret(given, opts.token)) {
      authed = true;
      return;
    }
    endAfterReply = true;
    throw rpcError(P.ErrorCodes.Unauthorized, 'a valid token is required first (initializationOptions.token or auth)');
  };

  const initialize = async (raw: unknown): Promise<P.InitializeResult> => {
    if (state !== 'new') throw rpcError(P.ErrorCodes.InvalidRequest, 'initialize may be sent only once');
    const p = v.initialize(raw ?? {}, '');
    const io = p.initializationOptions ?? {};
    checkToken(io.token);
    if (p.trace === 'verbose') logLevel = 'debug';
    if (opts.mode === 'stdio') {
      const { token: _token, ...settings } = io;
      await daemon.start(settings);
    }
    if (p.processId !== undefined) opts.onParentPid?.(p.processId);
    state = 'ready';
    notifier = new Notifier(daemon, { sendNotification: (type, params) => conn.sendNotification(type as typeof P.LogNotification.type, params as P.LogParams) }, logLevel);
    return {
      serverInfo: { name: 'btd', version: VERSION },
      protocolVersion: P.PROTOCOL_VERSION,
      capabilities: {
        methods: [...handlers.keys()],
        notifications: [P.TorrentProgressNotification.method, P.TorrentStateChangedNotification.method, P.PeerChangedNotification.method, P.TrackerStatsNotification.method, P.LogNotification.method],
        torrentSources: ['path', 'base64'],
        notificationRate: PROGRESS_PER_SECOND,
      },
    };
  };

  const dispatch = async (method: string, raw: unknown, token: CancellationToken): Promise<unknown> => {
    if (method === P.InitializeRequest.method) {
      if (initializing) throw rpcError(P.ErrorCodes.InvalidRequest, 'initialize may be sent only once');
      initializing = initialize(raw);
      return initializing.catch((err: unknown) => {
        initializing = undefined;
        throw err;
      });
    }
    if (method === P.AuthRequest.method) {
      checkToken(v.auth(raw, '').token);
      return null;
    }
    checkToken(undefined);
    // Requests pipelined behind initialize wait for it rather than fail.
    if (state === 'new' && initializing) await initializing.catch(() => undefined);
    if (state === 'new') throw rpcError(P.ErrorCodes.ServerNotInitialized, `${method}: the connection is not initialized; send initialize first`);
    if (state === 'shutdown') throw rpcError(P.ErrorCodes.InvalidRequest, `${method}: the daemon is shutting down; only exit is accepted`);
    if (method === P.ShutdownRequest.method) {
      state = 'shutdown';
      if (opts.mode === 'stdio') await daemon.close();
      return null;
    }
    const handler: Handler | undefined = handlers.get(method);
    if (!handler) throw rpcError(P.ErrorCodes.MethodNotFound, `unknown method: ${method}`);
    return handler(raw, { token, sendProgress: (t, value) => void conn.sendProgress(createProgress, t, value).catch(() => undefined) });
  };

  conn.onRequest(async (method, params, token) => {
    try {
      return await dispatch(method, params, token);
    } catch (err) {
      const e = toResponseError(err);
      if (e.code === P.ErrorCodes.InternalError) daemon.log('error', `${method} failed: ${e.message}`);
      throw e;
    }
  });
  conn.onNotification((method, params) => {
    if (method === P.ExitNotification.method) finish({ reason: 'exit', exitCode: state === 'shutdown' ? 0 : 1 });
    else if (method === '$/setTrace') {
      logLevel = (params as { value?: unknown } | undefined)?.value === 'verbose' ? 'debug' : (opts.logLevel ?? 'info');
      notifier?.setLogLevel(logLevel);
    }
    else if (method === 'workspace/didChangeConfiguration' && state === 'ready' && authed) applyConfiguration(daemon, params);
    // initialized, $/cancelRequest (handled by vscode-jsonrpc) and unknown notifications need no answer.
  });
  conn.onClose(() => finish({ reason: 'closed', exitCode: state === 'shutdown' ? 0 : 1 }));
  conn.listen();
  return {
    ended,
    dispose: () => {
      finish({ reason: 'closed', exitCode: state === 'shutdown' ? 0 : 1 });
      conn.dispose();
    },
  };
}

/** Settings pushed by a client through LSP's configuration change (either at the top or under `btd`). */
function applyConfiguration(daemon: Daemon, params: unknown): void {
  const settings = (params as { settings?: unknown } | undefined)?.settings;
  if (typeof settings !== 'object' || settings === null) return;
  const scoped = (settings as { btd?: unknown }).btd ?? settings;
  try {
    void daemon.setSettings(v.settings(scoped, 'settings')).catch((err: unknown) => daemon.log('warn', `settings not applied: ${String(err)}`));
  } catch (err) {
    daemon.log('warn', `settings not applied: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

