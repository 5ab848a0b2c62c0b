import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validators } from '../../../daemon/src/rpc/params';
import {
  changedSessionSettings, DEFAULT_SETTINGS, readSettings, resolveDownloadFolder, toSessionSettings,
} from '../../../extension/src/settings';

describe('settings', () => {
  test('reads values, keeping defaults for missing or mistyped ones', () => {
    const values: Record<string, unknown> = { listenPort: 7000, maxConnections: 'many', uploadRateLimit: -5, downloadFolder: ' /data ', trackerUdp: 'yes' };
    const s = readSettings((k) => values[k]);
    assert.equal(s.trackerUdp, false, 'a non-boolean keeps the default');
    assert.equal(readSettings((k) => (k === 'trackerUdp' ? true : undefined)).trackerUdp, true);
    assert.equal(s.listenPort, 7000);
    assert.equal(s.maxConnections, DEFAULT_SETTINGS.maxConnections);
    assert.equal(s.uploadRateLimit, 0);
    assert.equal(s.downloadFolder, '/data');
  });

  test('an empty download folder means ~/Downloads', () => {
    assert.equal(resolveDownloadFolder(DEFAULT_SETTINGS, '/home/u'), '/home/u/Downloads');
    assert.equal(resolveDownloadFolder({ ...DEFAULT_SETTINGS, downloadFolder: '/x' }, '/home/u'), '/x');
  });

  test('maps onto session settings with rates in bytes per second', () => {
    const session = toSessionSettings({ ...DEFAULT_SETTINGS, uploadRateLimit: 100, downloadRateLimit: 2, listenPort: 0 }, '/h');
    assert.deepEqual(session, {
      downloadDir: '/h/Downloads', port: 0, maxConnections: 200, maxConnectionsPerTorrent: 50,
      uploadRateLimit: 102_400, downloadRateLimit: 2048, dht: true,
    });
  });

  test('only changed session settings are sent', () => {
    const before = toSessionSettings(DEFAULT_SETTINGS, '/h');
    assert.deepEqual(changedSessionSettings(before, before), {});
    const after = toSessionSettings({ ...DEFAULT_SETTINGS, uploadRateLimit: 1, trackerPort: 1234 }, '/h');
    assert.deepEqual(changedSessionSettings(before, after), { uploadRateLimit: 1024 });
  });
});

test('package.json declares every setting with the default the extension applies', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default?: unknown; pattern?: string }> } };
  };
  const props = pkg.contributes.configuration.properties;
  for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
    assert.ok(props[`btd.${key}`] !== undefined, `btd.${key} is not declared`);
    assert.deepEqual(props[`btd.${key}`].default, value, `btd.${key}'s default`);
  }
});

test('btd.trackerStore accepts what tracker/start accepts, and no password', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { pattern?: string }> } };
  };
  const pattern = new RegExp(pkg.contributes.configuration.properties['btd.trackerStore'].pattern ?? '');
  for (const ok of ['memory', 'redis://127.0.0.1:6379', 'redis://cache.lan:6380/2', 'rediss://redis.example:6379', 'redis://user@host:1/0']) {
    assert.ok(pattern.test(ok), ok);
    assert.doesNotThrow(() => validators.trackerStart({ store: ok }, 'params'), ok);
  }
  for (const bad of ['redis://:secret@host:6379', 'http://host', 'redis://', 'Memory', 'redis://host:port']) {
    assert.ok(!pattern.test(bad), bad);
    assert.throws(() => validators.trackerStart({ store: bad }, 'params'), bad);
  }
});
