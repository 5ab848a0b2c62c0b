/**
 * The daemon connection, through vscode-languageclient (LSP lifecycle): either the user's shared socket
 * daemon (`btd.daemon.keepRunning`, started detached when none runs) or this window's own `btd --rpc
 * stdio`. A lost connection is re-established within a budget; the daemon's `log` notifications (and a
 * child's stderr) go to the "BitTorrent" output.
 */
import type { LogOutputChannel } from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, RevealOutputChannelOn, State, WorkDoneProgress,
  type CloseHandlerResult, type ErrorHandler, type ErrorHandlerResult, type LanguageClientOptions,
} from 'vscode-languageclient/node';
import type { CancellationToken, NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { StreamInfo } from 'vscode-languageclient/node';
import {
  DaemonStopRequest, LogNotification, SessionSetSettingsRequest, type DaemonInfo, type InitializationOptions, type TorrentCreateProgress,
} from '../../protocol/src';
import type { Daemon, Registration } from './daemon';
import { daemonCommand } from './daemonCommand';
import { attachSharedDaemon, nodeLinkDeps } from './daemonLink';
import { RestartBudget } from './restartBudget';

/** At most this many restarts within RESTART_WINDOW_MS before giving up. */
export const MAX_RESTARTS = 4;
/** The sliding window of the restart budget. */
export const RESTART_WINDOW_MS = 3 * 60_000;

/** Options of DaemonClient. */
export interface DaemonClientOptions {
  extensionPath: string;
  daemonPath: string;
  output: LogOutputChannel;
  initializationOptions: () => InitializationOptions;
  /** `btd.daemon.keepRunning`: attach to the user's shared daemon rather than start one for this window. */
  keepRunning: () => boolean;
  /** The state folder of the shared daemon. */
  stateDir: string;
  /** Called with a message when the daemon crashed too often to restart. */
  onGaveUp: (message: string) => void;
}

/** Wraps one LanguageClient at a time; implements the Daemon interface the commands use. */
export class DaemonClient implements Daemon {
  private client: LanguageClient;
  private starting: Promise<void> | undefined;
  /** Subscriptions re-applied to each new LanguageClient (after a change of btd.daemonPath). */
  private readonly binders: ((c: LanguageClient) => void)[] = [];
  private readonly budget = new RestartBudget(MAX_RESTARTS, RESTART_WINDOW_MS);
  private failure: string | undefined;

  private daemonPath: string;
  /** Whether the current client talks to the shared daemon. */
  private shared = false;
  /** The shared daemon's token, read when attaching. */
  private token: string | undefined;
  /** Set by stopDaemon(): the connection closing is expected, not a crash to recover from. */
  private stoppingDaemon = false;

  constructor(private readonly opts: DaemonClientOptions) {
    this.daemonPath = opts.daemonPath;
    this.client = this.makeClient(opts.daemonPath);
  }

  /** Starts the daemon (once; later calls wait for the same start). */
  start(): Promise<void> {
    if (this.starting === undefined) this.stoppingDaemon = false;
    this.starting ??= this.client.start().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  /** Sends shutdown + exit and waits for the process to end; nothing to do when it is not running. */
  async stop(): Promise<void> {
    this.starting = undefined;
    if (this.client.state === State.Stopped) return;
    try {
      await this.client.stop(5000);
    } catch {
      // The client gave up starting (a daemon that crashed on start): there is no process to stop.
    }
  }

  /**
   * Stops and starts a fresh client, with a new executable when `daemonPath` is given; the crash budget
   * starts afresh, so "Restart Daemon" works after the client gave up.
   */
  restart(daemonPath?: string): Promise<void> {
    // One at a time: a settings change and the Restart command together must not start two daemons
    // (the second would wait for the first's lock on the state folder, and one client would be lost).
    const run = this.restarting.catch(() => undefined).then(() => this.restartNow(daemonPath));
    this.restarting = run;
    return run;
  }

  private restarting: Promise<void> = Promise.resolve();

  private async restartNow(daemonPath?: string): Promise<void> {
    await this.stop();
    this.budget.reset();
    this.failure = undefined;
    if (daemonPath !== undefined) this.daemonPath = daemonPath;
    await this.client.dispose().catch(() => undefined);
    this.client = this.makeClient(this.daemonPath);
    await this.start();
  }

  /** True while the daemon runs. */
  get running(): boolean {
    return this.client.state === State.Running;
  }

  /** Why the daemon is no longer restarted, after it crashed too often; cleared by restart(). */
  get gaveUp(): string | undefined {
    return this.failure;
  }

  /** The daemon's process id, while it runs. */
  get pid(): number | undefined {
    return this.info?.pid ?? this.client.serverProcess?.pid;
  }

  /** Which daemon this window talks to (from its `initialize` answer), while connected. */
  get info(): DaemonInfo | undefined {
    if (this.client.state !== State.Running) return undefined;
    return (this.client.initializeResult as { daemon?: DaemonInfo } | undefined)?.daemon;
  }

  /**
   * Stop Daemon: the shared daemon stops for every window (`daemon/stop`); this window's own daemon
   * stops as on close. Either is started again by the next request or Restart Daemon.
   */
  async stopDaemon(): Promise<void> {
    if (!this.shared || this.client.state !== State.Running) return this.stop();
    this.stoppingDaemon = true;
    await this.client.sendRequest(DaemonStopRequest.type).catch(() => undefined);
    await this.stop();
  }

  /** Calls the listener whenever a daemon starts or stops running; used to reload state after a restart. */
  onRunning(listener: (running: boolean) => void): void {
    this.bind((c) => c.onDidChangeState((e) => listener(e.newState === State.Running)));
  }

  /** Subscribes to a daemon notification by its protocol handle, for this and every later client. */
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    this.bind((c) => c.onNotification(type, handler));
  }

  async request<P, R>(type: RequestType<P, R, void>, params: P, token?: CancellationToken): Promise<R> {
    await this.start();
    // RequestParam<P> is a conditional type the generic P cannot be proven to satisfy.
    return this.client.sendRequest(type, params as never, token);
  }

  async request0<R>(type: RequestType0<R, void>, token?: CancellationToken): Promise<R> {
    await this.start();
    return this.client.sendRequest(type, token);
  }

  onProgress(token: string, handler: (value: TorrentCreateProgress) => void): Registration {
    return this.client.onProgress(WorkDoneProgress.type, token, (v) => handler(v as TorrentCreateProgress));
  }

  /** Connects to the shared daemon, starting it (detached) first when none runs. */
  private async attach(daemonPath: string): Promise<StreamInfo> {
    const command = daemonCommand(this.opts.extensionPath, daemonPath, process.execPath, process.env, []);
    const link = await attachSharedDaemon(this.opts.stateDir, nodeLinkDeps(command));
    this.token = link.token;
    this.opts.output.info(`${link.started ? 'started' : 'attached to'} the shared btd daemon at ${link.socketPath}`);
    return { reader: link.socket, writer: link.socket };
  }

  private bind(binder: (c: LanguageClient) => void): void {
    this.binders.push(binder);
    binder(this.client);
  }

  private makeClient(daemonPath: string): LanguageClient {
    const { output } = this.opts;
    const clientOptions: LanguageClientOptions = {
      documentSelector: [],
      outputChannel: output,
      initializationOptions: () => ({ ...this.opts.initializationOptions(), ...(this.shared && this.token !== undefined && { token: this.token }) }),
      errorHandler: budgetErrorHandler(this.budget, (message) => {
        this.failure = message;
        this.opts.onGaveUp(message);
      }, () => this.stoppingDaemon),
      // Failures are shown by the commands with advice; the client must not open the output by itself.
      revealOutputChannelOn: RevealOutputChannelOn.Never,
    };
    this.shared = this.opts.keepRunning();
    const server = this.shared
      ? () => this.attach(daemonPath)
      : daemonCommand(this.opts.extensionPath, daemonPath, process.execPath, process.env);
    const client = new LanguageClient('btd', 'BitTorrent', server, clientOptions);
    // The shared daemon keeps its own settings: this window's are applied once attached.
    client.onDidChangeState((e) => {
      if (e.newState !== State.Running || !this.shared) return;
      const { token: _token, ...settings } = this.opts.initializationOptions();
      client.sendRequest(SessionSetSettingsRequest.type, settings).catch((err: unknown) => output.warn(`settings not applied: ${String(err)}`));
    });
    client.onNotification(LogNotification.type, (p) => {
      const line = p.infoHash ? `[${p.infoHash.slice(0, 8)}] ${p.message}` : p.message;
      output[p.level](line);
    });
    for (const bind of this.binders) bind(client);
    return client;
  }
}

/** Restarts a crashed daemon while the budget allows, then stops and reports what to do. */
export function budgetErrorHandler(budget: RestartBudget, onGaveUp: (message: string) => void, expected: () => boolean = () => false): ErrorHandler {
  return {
    error(): ErrorHandlerResult {
      return { action: ErrorAction.Continue, handled: true };
    },
    closed(): CloseHandlerResult {
      if (expected()) return { action: CloseAction.DoNotRestart, handled: true };
      if (budget.recordCrash()) return { action: CloseAction.Restart, handled: true };
      const message = `The BitTorrent daemon stopped ${budget.recentCrashes} times in ${RESTART_WINDOW_MS / 60_000} minutes and was not ` +
        'restarted. See the "BitTorrent" output for the cause, then run "BitTorrent: Restart Daemon".';
      onGaveUp(message);
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };
}
