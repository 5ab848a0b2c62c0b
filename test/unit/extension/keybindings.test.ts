/** The default keybindings of package.json: they run declared commands and keep clear of VS Code's own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandIds } from '../../../extension/src/commands';

interface Keybinding {
  command: string;
  key: string;
  mac?: string;
  when?: string;
}

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; keybindings?: Keybinding[]; menus: Record<string, { command?: string; when?: string }[]> };
};
const bindings = pkg.contributes.keybindings ?? [];

/**
 * VS Code's default keybindings that use the same modifiers as ours (ctrl+shift+alt on Windows and
 * Linux; cmd+shift+alt or ctrl+shift+alt on macOS), as listed by "Preferences: Open Default Keyboard
 * Shortcuts (JSON)" in VS Code 1.100 (the code-server 4.100.3 build the extension tests run).
 */
const VSCODE_DEFAULTS = {
  linux: ['ctrl+shift+alt+c', 'ctrl+shift+alt+down', 'ctrl+shift+alt+i', 'ctrl+shift+alt+l', 'ctrl+shift+alt+n', 'ctrl+shift+alt+up'],
  mac: [
    'ctrl+shift+alt+j', 'ctrl+shift+alt+left', 'ctrl+shift+alt+right', 'shift+alt+cmd+c', 'shift+alt+cmd+down', 'shift+alt+cmd+l',
    'shift+alt+cmd+left', 'shift+alt+cmd+n', 'shift+alt+cmd+pagedown', 'shift+alt+cmd+pageup', 'shift+alt+cmd+right', 'shift+alt+cmd+up',
  ],
};

/** A key in one spelling whatever the order of its modifiers: `cmd+shift+alt+B` → `alt+cmd+shift+b`. */
function canonical(key: string): string {
  return key.toLowerCase().split(' ').map((chord) => {
    const parts = chord.split('+');
    const last = parts.pop() ?? '';
    return [...parts.sort(), last].join('+');
  }).join(' ');
}

test('the most used commands have default keybindings', () => {
  const bound = new Set(bindings.map((b) => b.command));
  for (const id of [CommandIds.download, CommandIds.showView, CommandIds.share, CommandIds.create]) assert.ok(bound.has(id), id);
});

test('every keybinding runs a command that package.json declares and the extension registers', () => {
  const declared = new Set(pkg.contributes.commands.map((c) => c.command));
  const registered = new Set<string>(Object.values(CommandIds));
  const hidden = new Set((pkg.contributes.menus['commandPalette'] ?? []).filter((m) => m.when === 'false').map((m) => m.command));
  assert.ok(bindings.length > 0);
  for (const b of bindings) {
    assert.ok(declared.has(b.command), `${b.command} is in contributes.commands`);
    assert.ok(registered.has(b.command), `${b.command} is in the command table`);
    // A key for a command that needs a tree row would run it with no row.
    assert.ok(!hidden.has(b.command), `${b.command} works from the palette`);
  }
});

test('every keybinding has a mac key and leaves the terminal its keys', () => {
  for (const b of bindings) {
    assert.ok(b.mac, `${b.command} has a mac key`);
    assert.match(b.when ?? '', /!terminalFocus/, `${b.command}'s when clause`);
  }
});

test("no two keybindings share a key, and none is one of VS Code's defaults", () => {
  const linux = new Set(VSCODE_DEFAULTS.linux.map(canonical));
  const mac = new Set(VSCODE_DEFAULTS.mac.map(canonical));
  const seen = new Map<string, string>();
  for (const b of bindings) {
    for (const [platform, key, defaults] of [['linux', b.key, linux], ['mac', b.mac ?? '', mac]] as const) {
      const k = `${platform}:${canonical(key)}`;
      assert.equal(seen.get(k), undefined, `${b.command} and ${seen.get(k)} both use ${key}`);
      seen.set(k, b.command);
      assert.ok(!defaults.has(canonical(key)), `${key} (${b.command}) is a VS Code default on ${platform}`);
    }
  }
});

test('canonical spells a key one way', () => {
  assert.equal(canonical('cmd+shift+alt+B'), canonical('shift+alt+cmd+b'));
  assert.equal(canonical('ctrl+k ctrl+shift+s'), 'ctrl+k ctrl+shift+s');
  assert.notEqual(canonical('ctrl+shift+alt+b'), canonical('ctrl+alt+b'));
});
