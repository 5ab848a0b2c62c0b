/** A socket daemon's settings survive a restart; the command line wins; a damaged file never stops a start. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../../../protocol/src';
import { Daemon } from '../../../daemon/src/rpc/daemon';
import { defaultSettings } from '../../../daemon/src/rpc/settings';
import { parseSavedSettings, settingsPath } from '../../../daemon/src/rpc/settings-file';
import { fakeEngine } from './fake-engine';

function stateDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'btd-settings-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startDaemon(dir: string, persistSettings: boolean, explicit: Partial<Settings> = {}): Promise<{ daemon: Daemon; engine: ReturnType<typeof fakeEngine>; logs: string[] }> {
  const engine = fakeEngine();
  const daemon = new Daemon(engine, { stateDir: dir, settings: { ...defaultSettings(), downloadDir: '/downloads', ...explicit }, persistSettings, explicit });
  const logs: string[] = [];
  daemon.on('log', (e: { message: string }) => logs.push(e.message));
  await daemon.start();
  return { daemon, engine, logs };
}

describe('saved settings', () => {
  test('changes are saved and come back at the next start, under what the command line names', async (t) => {
    const dir = stateDir(t);
    const first = await startDaemon(dir, true);
    await first.daemon.setSettings({ uploadRateLimit: 65536, maxConnections: 90, port: 7001 });
    await first.daemon.close();
    assert.equal(JSON.parse(readFileSync(settingsPath(dir), 'utf8')).uploadRateLimit, 65536);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);

    const second = await startDaemon(dir, true, { port: 7000 });
    const s = second.daemon.getSettings();
    assert.deepEqual([s.uploadRateLimit, s.maxConnections, s.port], [65536, 90, 7000]);
    assert.deepEqual([second.engine.started[0].uploadRateLimit, second.engine.started[0].port], [65536, 7000], 'the session starts with them');
    await second.daemon.close();
  });

  test('a daemon that does not keep settings writes no file', async (t) => {
    const dir = stateDir(t);
    const d = await startDaemon(dir, false);
    await d.daemon.setSettings({ uploadRateLimit: 1 });
    await d.daemon.close();
    assert.equal(existsSync(settingsPath(dir)), false);
  });

  test('a refused change is not saved', async (t) => {
    const dir = stateDir(t);
    const d = await startDaemon(dir, true);
    d.engine.session.failSetOptions = new Error('port taken');
    await assert.rejects(d.daemon.setSettings({ port: 1 }), /port taken/);
    assert.equal(existsSync(settingsPath(dir)), false);
    await d.daemon.close();
  });

  test('an unreadable file is kept aside with a warning; bad fields are dropped one by one', async (t) => {
    const dir = stateDir(t);
    writeFileSync(settingsPath(dir), '{"port": 70');
    const broken = await startDaemon(dir, true);
    assert.equal(broken.daemon.getSettings().port, 6881);
    assert.match(broken.logs.join('\n'), /could not read .*settings\.json.*kept as .*starting with the default settings/);
    assert.ok(readdirSync(dir).some((f) => f.startsWith('settings.json.unreadable-')));
    await broken.daemon.close();

    writeFileSync(settingsPath(dir), JSON.stringify({ port: 'x', uploadRateLimit: 5, downloadDir: 'relative', colour: 'blue' }));
    const partial = await startDaemon(dir, true);
    assert.equal(partial.daemon.getSettings().uploadRateLimit, 5);
    assert.equal(partial.daemon.getSettings().downloadDir, '/downloads');
    assert.equal(partial.logs.filter((l) => l.startsWith('ignored in settings.json')).length, 3);
    await partial.daemon.close();
  });

  test('parseSavedSettings keeps exactly the valid fields', () => {
    assert.deepEqual(parseSavedSettings({ maxConnectionsPerTorrent: 10, maxConnections: -1 }).settings, { maxConnectionsPerTorrent: 10 });
    assert.deepEqual(parseSavedSettings({}).settings, {});
  });

  test('maxConnectionsPerIp is a setting: 1..1000 kept, others dropped', () => {
    assert.deepEqual(parseSavedSettings({ maxConnectionsPerIp: 5 }).settings, { maxConnectionsPerIp: 5 });
    assert.deepEqual(parseSavedSettings({ maxConnectionsPerIp: 0 }).settings, {});
    assert.deepEqual(parseSavedSettings({ maxConnectionsPerIp: 1001 }).settings, {});
  });
});
