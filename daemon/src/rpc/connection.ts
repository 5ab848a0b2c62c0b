/**
 * One client connection: LSP-style lifecycle (initialize → initialized → shutdown → exit), the token check
 * of socket clients, dispatch to the method table, and notifications. A failing request is answered with
 * an error and the connection keeps serving.
 */
import { ProgressType, type CancellationToken, type MessageConnection } from 'vscode-jsonrpc/node';
import { timingSafeEqual } from 'node:crypto';
import * as P from '../../../protocol/src';
import { VERSION } from '../version';
import type { Daemon } from './daemon';
import { rpcError, toResponseError } from './errors';
import { buildHandlers, type Handler } from './handlers';
import { Notifier, PROGRESS_PER_SECOND } from './notifier';
import { validators as v } from './params';
import { openTransport, type Transport } from './transport';

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
  /** Socket mode: a client that has not presented the token by then is disconnected (default AUTH_TIMEOUT_MS). */
  authTimeoutMs?: number;
  /** Socket mode: `daemon/stop` was answered; the daemon should now stop for every client. */
  onStopDaemon?: () => void;
}

/** How long a socket client may stay without authenticating: idle ones would fill the client limit. */
export const AUTH_TIMEOUT_MS = 5000;

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
  const transport = openTransport(input, output, (m) => opts.daemon.log('debug', `rpc: ${m}`));
  return new Connection(transport, opts);
}

class Connection implements RpcConnection {
  readonly ended: Promise<ConnectionEnd>;
  private settle!: (end: ConnectionEnd) => void;
  private done = false;
  private state: 'new' | 'ready' | 'shutdown' = 'new';
  private authed: boolean;
  private authTimer: NodeJS.Timeout | undefined;
  private initializing: Promise<P.InitializeResult> | undefined;
  // Created by initialize, so that no notification reaches a client that has not authenticated.
  private notifier: Notifier | undefined;
  private logLevel: P.LogLevel;
  private readonly conn: MessageConnection;
  private readonly handlers: Map<string, Handler>;

  constructor(
    private readonly transport: Transport,
    private readonly opts: ConnectionOptions,
  ) {
    this.ended = new Promise((resolve) => (this.settle = resolve));
    this.authed = opts.token === undefined;
    if (!this.authed) {
      this.authTimer = setTimeout(() => {
        opts.daemon.log('warn', 'a socket client did not authenticate in time; disconnected');
        this.finish('unauthorized');
      }, opts.authTimeoutMs ?? AUTH_TIMEOUT_MS);
    }
    this.logLevel = opts.logLevel ?? 'info';
    this.handlers = buildHandlers(opts.daemon);
    this.conn = transport.conn;
    this.conn.onRequest((method, params, token) => this.request(method, params, token));
    this.conn.onNotification((method, params) => this.notification(method, params));
    this.conn.onClose(() => this.finish('closed'));
    this.conn.listen();
  }

  dispose(): void {
    this.finish('closed');
    this.conn.dispose();
  }

  private async request(method: string, params: unknown, token: CancellationToken): Promise<unknown> {
    try {
      return await this.dispatch(method, params, token);
    } catch (err) {
      const e = toResponseError(err);
      if (e.code === P.ErrorCodes.InternalError) this.opts.daemon.log('error', `${method} failed: ${e.message}`);
      throw e;
    }
  }

  private async dispatch(method: string, raw: unknown, token: CancellationToken): Promise<unknown> {
    if (method === P.InitializeRequest.method) return this.initializeOnce(raw);
    if (method === P.AuthRequest.method) {
      this.checkToken(v.auth(raw, '').token);
      return null;
    }
    this.checkToken(undefined);
    // Requests pipelined behind initialize wait for it rather than fail.
    if (this.state === 'new' && this.initializing) await this.initializing.catch(() => undefined);
    if (this.state === 'new') throw rpcError(P.ErrorCodes.ServerNotInitialized, `${method}: the connection is not initialized; send initialize first`);
    if (this.state === 'shutdown') throw rpcError(P.ErrorCodes.InvalidRequest, `${method}: the daemon is shutting down; only exit is accepted`);
    if (method === P.ShutdownRequest.method) {
      this.state = 'shutdown';
      if (this.opts.mode === 'stdio') await this.opts.daemon.close();
      return null;
    }
    if (method === P.DaemonStopRequest.method) return this.stopDaemon();
    const handler = this.handlers.get(method);
    if (!handler) throw rpcError(P.ErrorCodes.MethodNotFound, `unknown method: ${method}`);
    return handler(raw, { token, sendProgress: (t, value) => void this.conn.sendProgress(createProgress, t, value).catch(() => undefined) });
  }

  private initializeOnce(raw: unknown): Promise<P.InitializeResult> {
    if (this.initializing) throw rpcError(P.ErrorCodes.InvalidRequest, 'initialize may be sent only once');
    this.initializing = this.initialize(raw);
    return this.initializing.catch((err: unknown) => {
      this.initializing = undefined;
      throw err;
    });
  }

  private async initialize(raw: unknown): Promise<P.InitializeResult> {
    const p = v.initialize(raw ?? {}, '');
    const io = p.initializationOptions ?? {};
    this.checkToken(io.token);
    if (p.trace === 'verbose') this.logLevel = 'debug';
    if (this.opts.mode === 'stdio') {
      const { token: _token, ...settings } = io;
      await this.opts.daemon.start(settings);
    }
    if (p.processId !== undefined) this.opts.onParentPid?.(p.processId);
    this.state = 'ready';
    const sink = { sendNotification: (type: { method: string }, params: unknown) => this.conn.sendNotification(type.method, params) };
    this.notifier = new Notifier(this.opts.daemon, sink, this.logLevel);
    return {
      serverInfo: { name: 'btd', version: VERSION },
      daemon: { pid: process.pid, mode: this.opts.mode, stateDir: this.opts.daemon.stateDir },
      protocolVersion: P.PROTOCOL_VERSION,
      capabilities: {
        methods: [...this.handlers.keys(), P.DaemonStopRequest.method],
        notifications: [P.TorrentProgressNotification.method, P.TorrentStateChangedNotification.method, P.PeerChangedNotification.method, P.TrackerStatsNotification.method, P.LogNotification.method],
        torrentSources: ['path', 'base64', 'magnet'],
        notificationRate: PROGRESS_PER_SECOND,
      },
    };
  }

  /** `daemon/stop`: a socket daemon stops for everyone once the answer is out; a stdio one exits 0. */
  private async stopDaemon(): Promise<null> {
    this.state = 'shutdown';
    if (this.opts.mode === 'socket') {
      this.transport.afterNextReply(() => this.opts.onStopDaemon?.());
      return null;
    }
    await this.opts.daemon.close();
    this.transport.afterNextReply(() => this.finish('exit'));
    return null;
  }

  /** Lets an authenticated client through; otherwise refuses and ends the connection after the reply. */
  private checkToken(given: string | undefined): void {
    if (this.authed) return;
    if (given !== undefined && this.opts.token !== undefined && sameSecret(given, this.opts.token)) {
      this.authed = true;
      clearTimeout(this.authTimer);
      return;
    }
    this.transport.afterNextReply(() => this.finish('unauthorized'));
    throw rpcError(P.ErrorCodes.Unauthorized, 'a valid token is required first (initializationOptions.token or auth)');
  }

  private notification(method: string, params: unknown): void {
    if (method === P.ExitNotification.method) return this.finish('exit');
    if (method === '$/setTrace') {
      this.logLevel = (params as { value?: unknown } | undefined)?.value === 'verbose' ? 'debug' : (this.opts.logLevel ?? 'info');
      this.notifier?.setLogLevel(this.logLevel);
    } else if (method === 'workspace/didChangeConfiguration' && this.state === 'ready' && this.authed) {
      applyConfiguration(this.opts.daemon, params);
    }
    // initialized, $/cancelRequest (handled by vscode-jsonrpc) and unknown notifications need no answer.
  }

  private finish(reason: ConnectionEnd['reason']): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.authTimer);
    this.notifier?.dispose();
    this.settle({ reason, exitCode: reason !== 'unauthorized' && this.state === 'shutdown' ? 0 : 1 });
  }
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
