/** Drives the VS Code workbench page the way a person does: F1, typing, Enter, reading what is shown. */
import type { Locator, Page } from 'playwright-core';

const STEP_MS = 20_000;

/** A VS Code window in a browser page. */
export class Workbench {
  constructor(readonly page: Page) {}

  /** Waits until the workbench is drawn and idle enough to take keys. */
  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: STEP_MS });
  }

  /** F1, then the command's title as shown in the palette ("BitTorrent: Start Tracker"), then Enter. */
  async runCommand(title: string): Promise<void> {
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    // Right after start-up the palette may open before its command list is loaded and drop the typed
    // text; typing again once it is open is what a person would do too.
    // Whatever a failed step left open (a menu, a prompt) closes first, as a person would.
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Escape');
    for (let attempt = 1; ; attempt++) {
      if (!(await this.quickInput().isVisible())) {
        await this.page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });
        await this.page.keyboard.press('F1');
        await this.quickInput().waitFor({ timeout: STEP_MS });
      }
      await this.quickInput().fill(`>${title}`);
      try {
        await row.waitFor({ timeout: 5000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err;
        await this.page.keyboard.press('Escape');
      }
    }
    await this.page.keyboard.press('Enter');
  }

  /** The text box of the quick input (palette, input boxes, quick picks and the simple file dialogs). */
  quickInput(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /** Waits for a quick input whose title or prompt contains `hint`, replaces its text and presses Enter. */
  async answer(hint: string, text?: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget', { hasText: hint });
    await widget.waitFor({ timeout: STEP_MS });
    if (text !== undefined) await this.quickInput().fill(text);
    await this.page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: STEP_MS });
  }

  /**
   * Answers a simple file dialog with an existing path as a person does: types the folder, waits for its
   * listing, types the name, waits until the dialog highlights that entry, then presses Enter (before
   * that, Enter would take the folder shown).
   */
  async chooseFile(hint: string, path: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget', { hasText: hint });
    await widget.waitFor({ timeout: STEP_MS });
    // The dialog fills in its start folder after it opens; typing before that gets mixed with it.
    await this.page.locator('.quick-input-widget .monaco-list-row').getByText('..', { exact: true }).waitFor({ timeout: STEP_MS });
    const cut = path.lastIndexOf('/') + 1;
    const name = path.slice(cut);
    for (let attempt = 1; ; attempt++) {
      await this.quickInput().fill(path.slice(0, cut));
      await this.page.locator('.quick-input-widget .monaco-list-row').getByText(name, { exact: true }).waitFor({ timeout: STEP_MS });
      await this.quickInput().press('End');
      await this.page.keyboard.type(name);
      try {
        await this.page.locator('.quick-input-widget .monaco-list-row.focused').getByText(name, { exact: true }).waitFor({ timeout: 5000 });
        if ((await this.quickInput().inputValue()) === path) break;
      } catch (err) {
        if (attempt === 3) throw err;
      }
      if (attempt === 3) throw new Error(`the dialog shows ${await this.quickInput().inputValue()}, not ${path}`);
    }
    await this.page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: STEP_MS });
  }

  /** Waits for a notification matching `pattern` and returns its text. */
  async notification(pattern: RegExp): Promise<string> {
    const toast = this.page.locator('.notification-toast', { hasText: pattern }).first();
    await toast.waitFor({ timeout: 30_000 });
    return (await toast.innerText()).trim();
  }

  /** Closes every visible notification. */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** Waits for a status bar entry whose text matches `pattern` and returns that text. */
  async statusBarEntry(pattern: RegExp): Promise<{ text: string; locator: Locator }> {
    const locator = this.page.locator('.part.statusbar .statusbar-item', { hasText: pattern }).first();
    await locator.waitFor({ timeout: STEP_MS });
    return { text: (await locator.innerText()).trim(), locator };
  }

  /** Waits for a row in a tree view whose text matches `pattern` and returns its text. */
  async treeRow(pattern: RegExp): Promise<{ text: string; locator: Locator }> {
    const locator = this.page.locator('.part.sidebar .monaco-list-row', { hasText: pattern }).first();
    await locator.waitFor({ timeout: STEP_MS });
    return { text: (await locator.innerText()).replace(/\s+/g, ' ').trim(), locator };
  }
}
