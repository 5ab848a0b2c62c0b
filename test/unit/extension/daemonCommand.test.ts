import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { daemonCommand } from '../../../extension/src/daemonCommand';

describe('daemonCommand', () => {
  test('runs the bundled bin/btd.js under the extension host with --rpc stdio', () => {
    const c = daemonCommand('/ext', '', '/usr/bin/node', { PATH: '/bin' });
    assert.equal(c.command, '/usr/bin/node');
    assert.deepEqual(c.args, ['/ext/bin/btd.js', '--rpc', 'stdio']);
    assert.equal(c.options.env.ELECTRON_RUN_AS_NODE, '1');
    assert.equal(c.options.env.PATH, '/bin');
  });

  test('btd.daemonPath: a .js file runs under Node, anything else as an executable', () => {
    assert.deepEqual(daemonCommand('/ext', '/opt/btd/main.js', '/node', {}).args, ['/opt/btd/main.js', '--rpc', 'stdio']);
    const exe = daemonCommand('/ext', '/usr/local/bin/btd', '/node', {});
    assert.equal(exe.command, '/usr/local/bin/btd');
    assert.deepEqual(exe.args, ['--rpc', 'stdio']);
  });
});
