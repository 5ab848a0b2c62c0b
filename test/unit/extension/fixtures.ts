import { tmpdir } from 'node:os';
import { join } from 'node:path';
/** Builders of protocol snapshots and stubbed Ui/Daemon for the extension's unit tests. */
import sinon from 'sinon';
import type { PeerInfo, TorrentInfo } from '../../../protocol/src';
import type { CommandContext } from '../../../extension/src/commands/context';
import type { Daemon } from '../../../extension/src/daemon';
import { DEFAULT_SETTINGS, type ExtensionSettings } from '../../../extension/src/settings';
import { TorrentStore } from '../../../extension/src/torrentStore';
import type { Ui } from '../../../extension/src/ui';

/** A hex info hash made of one repeated digit. */
export function hash(digit: string): string {
  return digit.repeat(40);
}

/** A torrent snapshot with sensible values, overridden by `o`. */
export function torrent(o: Partial<TorrentInfo> = {}): TorrentInfo {
  return {
    infoHash: hash('a'), name: 'file.bin', state: 'downloading', progress: 0.5, totalLength: 1000, wantedLength: 1000, verifiedBytes: 500,
    pieceCount: 4, havePieces: 2, downloaded: 500, uploaded: 50, downloadRate: 0, uploadRate: 0, ratio: 0.1,
    peers: 1, seeds: 1, savePath: '/dl', addedAt: 0, ...o,
  };
}

/** A peer snapshot overridden by `o`. */
export function peer(o: Partial<PeerInfo> = {}): PeerInfo {
  return {
    id: '127.0.0.1:6881', ip: '127.0.0.1', port: 6881, client: 'btd 0.1.0', progress: 1, downloadRate: 0, uploadRate: 0,
    downloaded: 0, uploaded: 0, amChoking: true, amInterested: false, peerChoking: true, peerInterested: false, direction: 'outgoing', ...o,
  };
}

/** Each method of T as a plain sinon stub. */
export type Stubs<T> = { [K in keyof T]: sinon.SinonStub };

/** Every Ui method as a sinon stub; dialogs resolve undefined unless a test says otherwise. */
export function stubUi(): Stubs<Ui> {
  return {
    info: sinon.stub().resolves(undefined),
    warn: sinon.stub().resolves(undefined),
    error: sinon.stub().resolves(undefined),
    confirm: sinon.stub().resolves(undefined),
    input: sinon.stub().resolves(undefined),
    pick: sinon.stub().resolves(undefined),
    openDialog: sinon.stub().resolves(undefined),
    saveDialog: sinon.stub().resolves(undefined),
    withProgress: sinon.stub().callsFake((_title: string, _c: boolean, task: (r: unknown, t: unknown) => Promise<unknown>) =>
      task(() => undefined, { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) })),
    copy: sinon.stub().resolves(),
    paste: sinon.stub().resolves(''),
    status: sinon.stub(),
    openExternal: sinon.stub().resolves(true),
    openFile: sinon.stub().resolves(),
    showText: sinon.stub().resolves(),
    revealFolder: sinon.stub().resolves(),
    showLog: sinon.stub(),
    showView: sinon.stub().resolves(),
  };
}

/** A Daemon whose methods are stubs; requests reject until a test says what they answer. */
export function stubDaemon(): Stubs<Daemon> {
  return {
    request: sinon.stub().rejects(new Error('unexpected request')),
    request0: sinon.stub().rejects(new Error('unexpected request')),
    onProgress: sinon.stub().returns({ dispose: sinon.stub() }),
  };
}

/** A command context over stubs, with the stubs themselves for assertions. */
export function stubContext(settings: Partial<ExtensionSettings> = {}): { ctx: CommandContext; ui: Stubs<Ui>; daemon: Stubs<Daemon> } {
  const ui = stubUi();
  const daemon = stubDaemon();
  const ctx: CommandContext = {
    ui: ui as unknown as Ui,
    daemon: daemon as unknown as Daemon,
    store: new TorrentStore(),
    settings: () => ({ ...DEFAULT_SETTINGS, ...settings }),
    homeDir: '/home/u',
    storageDir: join(tmpdir(), `btd-ext-storage-${process.pid}`),
    state: {},
  };
  return { ctx, ui, daemon };
}
