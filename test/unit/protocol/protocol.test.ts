/** The protocol's declarations: unique `area/verb` names, typed handles, error codes in their ranges. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as P from '../../../protocol/src';

const handles = Object.entries(P).filter(([, v]) => typeof v === 'object' && v !== null && 'method' in v && 'type' in v) as [string, { method: string; type: { method: string } }][];

test('every method and notification is declared once, with a handle of the same name', () => {
  assert.ok(handles.length >= 25, `found ${handles.length}`);
  const requests = handles.filter(([n]) => n.endsWith('Request')).map(([, v]) => v.method);
  assert.equal(new Set(requests).size, requests.length, 'request names are unique');
  for (const [name, v] of handles) {
    assert.equal(v.type.method, v.method, name);
    assert.match(v.method, /^([a-z]+\/[a-z][A-Za-z]*|initialize|initialized|shutdown|exit|auth|log)$/, name);
  }
});

test('every method and notification of the protocol is declared', () => {
  const names = new Set(handles.map(([, v]) => v.method));
  for (const m of ['torrent/create', 'torrent/add', 'torrent/seed', 'torrent/list', 'torrent/get', 'torrent/pause', 'torrent/resume', 'torrent/verify', 'torrent/remove', 'peer/list', 'tracker/start', 'tracker/stop', 'tracker/stats', 'session/stats', 'session/getSettings', 'session/setSettings', 'dht/stats', 'torrent/progress', 'torrent/stateChanged', 'peer/changed', 'log']) {
    assert.ok(names.has(m), m);
  }
});

test("error codes are unique; btd's own live in -32900..-32999", () => {
  const codes = Object.entries(P.ErrorCodes);
  assert.equal(new Set(codes.map(([, c]) => c)).size, codes.length);
  const jsonRpc = new Set([-32700, -32600, -32601, -32602, -32603, -32002, -32800]);
  for (const [name, code] of codes) assert.ok(jsonRpc.has(code) || (code <= -32900 && code >= -32999), `${name} ${code}`);
});

test('protocol sources import nothing from Node or VS Code', () => {
  const dir = join(__dirname, '..', '..', '..', '..', 'protocol', 'src');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const imports = [...readFileSync(join(dir, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    for (const i of imports) assert.ok(i === 'vscode-jsonrpc' || i.startsWith('./'), `${f} imports ${i}`);
  }
});

test('every method is in the README', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'protocol', 'README.md'), 'utf8');
  for (const [, v] of handles) assert.ok(readme.includes(`\`${v.method}\``), `${v.method} is documented`);
});
