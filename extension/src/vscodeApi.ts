/** The Ui interface over the real VS Code window API: the only place commands reach VS Code through. */
import * as vscode from 'vscode';
import type { OpenDialogOptions, PickItem, ProgressReporter, Ui } from './ui';

/** The id of the torrents view, as declared in package.json. */
export const TORRENTS_VIEW_ID = 'btd.torrents';

/** How long a status bar confirmation stays up. */
const STATUS_MESSAGE_MS = 5000;

/** Creates the Ui implementation bound to an output channel. */
export function createVscodeUi(output: vscode.OutputChannel): Ui {
  return {
    info: (message, ...actions) => Promise.resolve(vscode.window.showInformationMessage(message, ...actions)),
    warn: (message, ...actions) => Promise.resolve(vscode.window.showWarningMessage(message, ...actions)),
    error: (message, ...actions) => Promise.resolve(vscode.window.showErrorMessage(message, ...actions)),
    confirm: (message, detail, ...actions) => Promise.resolve(vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions)),
    input: (o) => Promise.resolve(vscode.window.showInputBox({
      title: o.title, prompt: o.prompt, value: o.value, placeHolder: o.placeHolder, ignoreFocusOut: true,
      validateInput: o.validate ? (v: string) => o.validate?.(v) : undefined,
    })),
    pick: <T>(items: PickItem<T>[], o: { title: string; placeHolder?: string }) =>
      Promise.resolve(vscode.window.showQuickPick(items, { title: o.title, placeHolder: o.placeHolder, ignoreFocusOut: true })),
    openDialog: async (o: OpenDialogOptions) => {
      const uris = await vscode.window.showOpenDialog({
        title: o.title, openLabel: 'Select', canSelectFiles: o.files, canSelectFolders: o.folders, canSelectMany: false,
        defaultUri: o.defaultPath !== undefined ? vscode.Uri.file(o.defaultPath) : undefined, filters: o.filters,
      });
      return uris?.[0]?.fsPath;
    },
    saveDialog: async (o) => (await vscode.window.showSaveDialog({ title: o.title, defaultUri: vscode.Uri.file(o.defaultPath), filters: o.filters }))?.fsPath,
    withProgress: <R>(title: string, cancellable: boolean, task: (report: ProgressReporter, token: vscode.CancellationToken) => Promise<R>) =>
      Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable }, (progress, token) =>
        task((message, increment) => progress.report({ message, increment }), token))),
    copy: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
    paste: () => readClipboard(),
    status: (message) => {
      vscode.window.setStatusBarMessage(message, STATUS_MESSAGE_MS);
    },
    openExternal: (url) => Promise.resolve(vscode.env.openExternal(vscode.Uri.parse(url))),
    showText: async (text) => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: text }), { preview: true });
    },
    openFile: async (path) => {
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path));
    },
    revealFolder: async (path) => {
      const uri = vscode.Uri.file(path);
      if (vscode.workspace.getWorkspaceFolder(uri) !== undefined) {
        await vscode.commands.executeCommand('revealInExplorer', uri);
        return;
      }
      try {
        await vscode.commands.executeCommand('revealFileInOS', uri);
      } catch {
        // A remote or web window has no system file manager to show it in.
        void vscode.window.showInformationMessage(`The folder is ${path}`);
      }
    },
    showLog: () => output.show(true),
    showView: async () => {
      await vscode.commands.executeCommand(`${TORRENTS_VIEW_ID}.focus`);
    },
  };
}

/**
 * Longest wait for the clipboard: in a browser (code-server, vscode.dev) reading it may wait on a
 * permission the user is never asked for, and a command must not hang on it.
 */
const CLIPBOARD_WAIT_MS = 500;

/** The clipboard's text, or '' when it cannot be read soon. */
function readClipboard(): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(''), CLIPBOARD_WAIT_MS);
    const done = (text: string): void => {
      clearTimeout(timer);
      resolve(text);
    };
    Promise.resolve(vscode.env.clipboard.readText()).then(done, () => done(''));
  });
}
