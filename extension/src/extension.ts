import type * as vscode from 'vscode';

/** Activates the btd extension. */
export function activate(_context: vscode.ExtensionContext): void {}

/** Deactivates the btd extension. */
export function deactivate(): void {}
