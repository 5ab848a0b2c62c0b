import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { isLoopbackDestination } from '../../support/net-guard';

describe('test network guard', () => {
  test('loopback is 127.0.0.0/8, ::1 and localhost; everything else is outside', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) assert.ok(isLoopbackDestination(h), h);
    for (const h of ['0.0.0.0', '10.0.0.1', '192.0.2.1', '::', '2001:db8::1', 'router.bittorrent.com', '128.0.0.1']) assert.ok(!isLoopbackDestination(h), h);
  });

  test('is loaded in this process: TCP, UDP and DNS to outside throw; loopback works', async () => {
    assert.throws(() => net.connect(6881, '192.0.2.1'), /test network guard: a TCP connection to 192\.0\.2\.1 refused/);
    assert.throws(() => net.connect({ host: 'router.bittorrent.com', port: 6881 }), /refused/);
    assert.throws(() => dns.lookup('dht.transmissionbt.com', () => undefined), /a DNS lookup to dht\.transmissionbt\.com refused/);
    await assert.rejects(async () => dns.promises.lookup('example.org'), /refused/);
    const udp = dgram.createSocket('udp4');
    try {
      assert.throws(() => udp.send(Buffer.from('x'), 6881, '192.0.2.1'), /a UDP datagram to 192\.0\.2\.1 refused/);
    } finally {
      udp.close();
    }
    const server = net.createServer((s) => s.end());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((done, fail) => net.connect(port, '127.0.0.1', done).on('error', fail).on('connect', function (this: net.Socket) { this.destroy(); }));
    await new Promise<void>((done) => server.close(() => done()));
  });
});
