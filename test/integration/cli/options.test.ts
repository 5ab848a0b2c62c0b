import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIp, parsePeer, parsePort, parseRate, parseSeconds } from '../../../daemon/src/cli/download-options';
import { CliError } from '../../../daemon/src/cli/errors';

describe('download/seed option parsers', () => {
  test('ports: 0..65535 only, digits only', () => {
    assert.equal(parsePort('0'), 0);
    assert.equal(parsePort('6881'), 6881);
    assert.equal(parsePort('65535'), 65535);
    for (const bad of ['65536', '-1', '1.5', 'abc', '', '0x10', '99999999']) assert.throws(() => parsePort(bad), CliError, bad);
  });

  test('peers: IPv4 and bracketed IPv6 with a port, collected in order', () => {
    const two = parsePeer('[::1]:7000', parsePeer('127.0.0.1:6881'));
    assert.deepEqual(two, [
      { ip: '127.0.0.1', port: 6881 },
      { ip: '::1', port: 7000 },
    ]);
    for (const bad of ['127.0.0.1', 'host:80', '127.0.0.1:0', '127.0.0.1:70000', '::1:80', '1.2.3.4:x']) {
      assert.throws(() => parsePeer(bad), CliError, bad);
    }
  });

  test('ip, rates and seconds', () => {
    assert.equal(parseIp('10.0.0.1'), '10.0.0.1');
    assert.throws(() => parseIp('example.org'), CliError);
    assert.equal(parseRate('0'), 0);
    assert.equal(parseRate('500k'), 500 * 1024);
    assert.equal(parseRate('2M'), 2 * 1024 * 1024);
    assert.equal(parseRate('1.5MiB/s'), 1.5 * 1024 * 1024);
    for (const bad of ['fast', '-1', '2T', '']) assert.throws(() => parseRate(bad), CliError, bad);
    assert.equal(parseSeconds('0.5'), 0.5);
    for (const bad of ['0', '-2', 'x', '1e9']) assert.throws(() => parseSeconds(bad), CliError, bad);
  });

  test('any input either parses or is a CliError, never another exception', () => {
    const parsers = [parsePort, parseIp, (s: string) => parsePeer(s), parseRate, parseSeconds];
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        for (const parse of parsers) {
          try {
            parse(s);
          } catch (err) {
            assert.ok(err instanceof CliError, `${String(err)} for ${JSON.stringify(s)}`);
            assert.ok(!err.message.includes('\n'));
          }
        }
      }),
    );
  });
});
