/** The DHT flags of btd download and btd seed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addDhtOptions, dhtSessionOptions, parseBootstrap, type DhtFlags } from '../../../daemon/src/cli/download-options';
import { CliError } from '../../../daemon/src/cli/errors';

function parse(args: string[]): DhtFlags {
  const cmd = addDhtOptions(new Command().exitOverride());
  cmd.parse(args, { from: 'user' });
  return cmd.opts<DhtFlags>();
}

test('--dht-bootstrap takes HOST:PORT, repeatable; anything else is a CliError', () => {
  assert.deepEqual(parseBootstrap('router.bittorrent.com:6881', ['127.0.0.1:1']), ['127.0.0.1:1', 'router.bittorrent.com:6881']);
  assert.deepEqual(parseBootstrap('[::1]:6881'), ['[::1]:6881']);
  for (const bad of ['nope', 'host:', ':6881', 'host:0', 'host:70000', 'a b:1']) assert.throws(() => parseBootstrap(bad), CliError, bad);
});

test('the DHT is on unless --no-dht; bootstrap nodes and port pass through', () => {
  assert.deepEqual(dhtSessionOptions(parse([])), { dht: true });
  assert.deepEqual(dhtSessionOptions(parse(['--dht'])), { dht: true });
  assert.deepEqual(dhtSessionOptions(parse(['--no-dht'])), { dht: false });
  assert.deepEqual(dhtSessionOptions(parse(['--dht-bootstrap', '127.0.0.1:5', '--dht-bootstrap', 'localhost:6', '--dht-port', '7000'])), {
    dht: true,
    dhtBootstrap: ['127.0.0.1:5', 'localhost:6'],
    dhtPort: 7000,
  });
});
