/**
 * What the commands need from VS Code's window, as an interface: vscodeApi.ts implements it over the real
 * API, unit tests replace it with sinon stubs.
 */
import type { CancellationToken } from 'vscode-jsonrpc';

/** A quick-pick entry carrying a value. */
export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

/** Options of an open dialog. */
export interface OpenDialogOptions {
  title: string;
  files: boolean;
  folders: boolean;
  defaultPath?: string;
  /** e.g. { Torrents: ['torrent'] } */
  filters?: Record<string, string[]>;
}

/** Reports progress of a long task: a message and, optionally, a percentage increment. */
export type ProgressReporter = (message: string, increment?: number) => void;

/** The window operations the commands use. */
export interface Ui {
  info(message: string, ...actions: string[]): Promise<string | undefined>;
  warn(message: string, ...actions: string[]): Promise<string | undefined>;
  error(message: string, ...actions: string[]): Promise<string | undefined>;
  /** A modal question; resolves to the chosen action or undefined when dismissed. */
  confirm(message: string, detail: string, ...actions: string[]): Promise<string | undefined>;
  input(options: { title: string; prompt: string; value?: string; placeHolder?: string; validate?: (v: string) => string | undefined }): Promise<string | undefined>;
  pick<T>(items: PickItem<T>[], options: { title: string; placeHolder?: string }): Promise<PickItem<T> | undefined>;
  openDialog(options: OpenDialogOptions): Promise<string | undefined>;
  saveDialog(options: { title: string; defaultPath: string; filters?: Record<string, string[]> }): Promise<string | undefined>;
  /** Runs a task under a notification with a progress bar, cancellable when asked. */
  withProgress<R>(title: string, cancellable: boolean, task: (report: ProgressReporter, token: CancellationToken) => Promise<R>): Promise<R>;
  /** Puts text on the system clipboard. */
  copy(text: string): Promise<void>;
  /** The text on the system clipboard ('' when it holds none). */
  paste(): Promise<string>;
  /** A short message in the status bar that goes away by itself (for confirmations that need no answer). */
  status(message: string): void;
  openExternal(url: string): Promise<boolean>;
  /** Opens a file in an editor (VS Code picks the text editor or a preview). */
  openFile(path: string): Promise<void>;
  /** Shows text in a new read-only-by-intent editor (an untitled document). */
  showText(text: string): Promise<void>;
  /** Shows a folder: in the Explorer when it is inside the workspace, else in the system's file manager. */
  revealFolder(path: string): Promise<void>;
  /** Shows the "BitTorrent" output channel. */
  showLog(): void;
  /** Reveals the torrents view. */
  showView(): Promise<void>;
}
