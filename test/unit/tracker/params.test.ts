import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { percentDecode, scanQuery, splitQuery, valuesOf, QueryError } from '../../../daemon/src/tracker/server/query';
import { effectiveNumwant, parseAnnounceParams, parseScrapeParams, TrackerRequestError, type AnnounceParseOptions } from '../../../daemon/src/tracker/server/params';
import { buildAnnounceUrl, percentEncodeBytes } from '../../../daemon/src/tracker/client/announce-url';

const OPTS: AnnounceParseOptions = { source: '10.0.0.1', trustIpParam: false, defaultNumwant: 50, maxNumwant: 200 };
const HASH = Uint8Array.from({ length: 20 }, (_, i) => (i * 37 + 0x80) & 0xff);
const PEER_ID = Buffer.from('-BT0001-abcdefghijkl');
const base = `info_hash=${percentEncodeBytes(HASH)}&peer_id=${percentEncodeBytes(PEER_ID)}&port=6881&uploaded=1&downloaded=2&left=3`;

function refusal(query: string, pattern: RegExp, opts: AnnounceParseOptions = OPTS): void {
  assert.throws(() => parseAnnounceParams(query, opts), (err: unknown) => err instanceof TrackerRequestError && pattern.test(err.message));
}

describe('query splitting', () => {
  test('decodes bytes above 0x7f without UTF-8 and keeps repeated keys', () => {
    const q = splitQuery('a=%FF%00%e9&b=x+y&a=&flag');
    assert.deepEqual([...Buffer.from(valuesOf(q, 'a')[0], 'latin1')], [0xff, 0x00, 0xe9]);
    assert.deepEqual(valuesOf(q, 'a').length, 2);
    assert.equal(q.get('b'), 'x y');
    assert.deepEqual(valuesOf(q, 'flag'), ['']);
    assert.deepEqual(valuesOf(q, 'none'), []);
  });
  test('refuses bad escapes, non-latin1 characters and oversized input', () => {
    assert.throws(() => percentDecode('%G0'), QueryError);
    assert.throws(() => percentDecode('abc%4'), QueryError);
    assert.throws(() => percentDecode('\u0100'), QueryError);
    assert.throws(() => splitQuery('a'.repeat(20), { maxLength: 10, maxPairs: 5 }), /longer than 10/);
    assert.throws(() => splitQuery('a&b&c', { maxLength: 100, maxPairs: 2 }), /more than 2/);
  });
  test('fuzz: the one-pass scanner agrees with the general splitter, refusals included', () => {
    const keys = ['a', 'b%', 'info_hash', 'x y'];
    const piece = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('a', 'b%25', 'info_hash', 'x+y', 'x%20y', '=', '&', '%', '%4', '%zz', '\u00ff', '\u2603'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const raw = parts.join('');
        const limits = { maxLength: 200, maxPairs: 12 };
        let expected: Map<string, string | string[]> | QueryError;
        try {
          expected = splitQuery(raw, limits);
        } catch (err) {
          expected = err as QueryError;
        }
        if (expected instanceof QueryError) {
          assert.throws(() => scanQuery(raw, keys, limits), { message: expected.message });
          return;
        }
        const scanned = scanQuery(raw, keys, limits);
        keys.forEach((key, k) => {
          const all = valuesOf(expected as Map<string, string | string[]>, key);
          assert.equal(scanned.values[k], all[0]);
          assert.equal((scanned.repeated >> k) & 1, all.length > 1 ? 1 : 0);
        });
      }),
      { numRuns: 3000 },
    );
  });
  test('percent-encoding then decoding is the identity on any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      assert.deepEqual([...Buffer.from(percentDecode(percentEncodeBytes(bytes)), 'latin1')], [...bytes]);
    }));
  });
});

describe('announce params', () => {
  test('a full announce becomes one validated object with defaults', () => {
    const p = parseAnnounceParams(base, OPTS);
    assert.deepEqual([...Buffer.from(p.infoHash, 'latin1')], [...HASH]);
    assert.equal(p.peerId, '-BT0001-abcdefghijkl');
    assert.equal(p.port, 6881);
    assert.deepEqual([p.uploaded, p.downloaded, p.left], [1, 2, 3]);
    assert.equal(p.event, '');
    assert.equal(p.numwant, 50);
    assert.equal(p.compact, true);
    assert.equal(p.noPeerId, false);
    assert.equal(p.ipv4, '10.0.0.1');
    assert.equal(p.ipv6, undefined);
  });
  test('events, numwant cap, dictionary model and key', () => {
    const p = parseAnnounceParams(`${base}&event=completed&numwant=99999999999999999999&compact=0&no_peer_id=1&key=ab12`, OPTS);
    assert.equal(p.event, 'completed');
    assert.equal(p.numwant, 200);
    assert.equal(p.compact, false);
    assert.equal(p.noPeerId, true);
    assert.equal(p.key, 'ab12');
    assert.equal(parseAnnounceParams(`${base}&event=stopped`, OPTS).event, 'stopped');
    assert.equal(parseAnnounceParams(`${base}&numwant=0`, OPTS).numwant, 0);
  });
  test('every kind of bad input names what was wrong', () => {
    refusal('', /missing info_hash/);
    refusal('info_hash=abc&peer_id=x&port=1', /info_hash must be 20 bytes, got 3/);
    refusal(base.replace(/peer_id=[^&]*/, 'peer_id=short'), /peer_id must be 20 bytes/);
    refusal(base.replace('port=6881', 'port=0'), /port must be between/);
    refusal(base.replace('port=6881', 'port=70000'), /port must be between/);
    refusal(base.replace('port=6881', 'port=http'), /port must be a non-negative integer/);
    refusal(base.replace('&port=6881', ''), /missing port/);
    refusal(base.replace('uploaded=1', 'uploaded=-5'), /uploaded must be a non-negative integer/);
    // A magnet client without metadata does not know what is left (Transmission sends 2^64 - 1): a leecher with a huge left.
    assert.equal(parseAnnounceParams(base.replace('left=3', 'left=18446744073709551615'), OPTS).left, Number.MAX_SAFE_INTEGER);
    assert.equal(parseAnnounceParams(base.replace('left=3', 'left=9007199254740992'), OPTS).left, Number.MAX_SAFE_INTEGER);
    refusal(base.replace('left=3', 'left=99999999999999999999'.replace('9', 'x')), /left must be a non-negative integer/);
    refusal(base.replace('uploaded=1', 'uploaded=99999999999999999999'), /uploaded is too large/);
    assert.equal(parseAnnounceParams(base.replace('left=3', 'left=9007199254740991'), OPTS).left, Number.MAX_SAFE_INTEGER);
    assert.equal(parseAnnounceParams(base.replace('left=3', 'left=999999999999999'), OPTS).left, 999_999_999_999_999);
    refusal(base.replace('left=3', 'left=1e3'), /left must be a non-negative integer/);
    refusal(`${base}&numwant=-1`, /numwant must be/);
    refusal(`${base}&event=finished`, /event must be/);
    refusal(`${base}&compact=yes`, /compact must be 0 or 1/);
    refusal(`${base}&port=6882`, /port given more than once/);
    refusal(`${base}&ip=not-an-ip`, /ip is not an IP address/);
    refusal(`${base}&x=%zz`, /malformed query string/);
    refusal(`${base}&key=${'k'.repeat(65)}`, /key is longer than 64/);
  });
  test('addresses: IPv4-mapped source, IPv6 source, and ip parameters only when trusted', () => {
    assert.equal(parseAnnounceParams(base, { ...OPTS, source: '::ffff:127.0.0.1' }).ipv4, '127.0.0.1');
    const v6 = parseAnnounceParams(base, { ...OPTS, source: '2001:db8::1' });
    assert.deepEqual([v6.ipv4, v6.ipv6], [undefined, '2001:db8::1']);
    const ignored = parseAnnounceParams(`${base}&ip=192.168.1.9&ipv6=2001:db8::7`, OPTS);
    assert.deepEqual([ignored.ipv4, ignored.ipv6], ['10.0.0.1', undefined]);
    const trusted = parseAnnounceParams(`${base}&ip=192.168.1.9&ipv6=%5B2001:db8::7%5D:6881`, { ...OPTS, trustIpParam: true });
    assert.deepEqual([trusted.ipv4, trusted.ipv6], ['192.168.1.9', '2001:db8::7']);
  });
  test('fuzz: any query string yields params or a TrackerRequestError, never another error', () => {
    const piece = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('info_hash=', 'peer_id=', 'port=', '&', '=', '%', '%F', '%00', 'numwant=', 'event=', '\u00ff', '\u2603'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        try {
          parseAnnounceParams(parts.join(''), OPTS);
        } catch (err) {
          assert.ok(err instanceof TrackerRequestError, String(err));
        }
      }),
      { numRuns: 2000 },
    );
  });
  test('fuzz: what the client builds, the server parses back exactly', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.array(fc.maxSafeNat(), { minLength: 3, maxLength: 3 }),
        fc.constantFrom(undefined, 'started', 'completed', 'stopped' as const),
        (infoHash, peerId, port, [uploaded, downloaded, left], event) => {
          const url = buildAnnounceUrl('http://t.example/announce?passkey=x', { infoHash, peerId, port, uploaded, downloaded, left, event, numwant: 7 });
          const p = parseAnnounceParams(url.slice(url.indexOf('?') + 1), OPTS);
          assert.deepEqual([...Buffer.from(p.infoHash + p.peerId, 'latin1')], [...infoHash, ...peerId]);
          assert.deepEqual([p.port, p.uploaded, p.downloaded, p.left, p.event, p.numwant], [port, uploaded, downloaded, left, event ?? '', 7]);
        },
      ),
    );
  });
});

describe('effective numwant', () => {
  const limits = { defaultNumwant: 50, maxNumwant: 200 };

  test('the default when absent or negative, the request itself from zero to the cap, the cap above it', () => {
    assert.equal(effectiveNumwant(undefined, limits), 50);
    assert.equal(effectiveNumwant(-1, limits), 50);
    assert.equal(effectiveNumwant(-2147483648, limits), 50);
    assert.equal(effectiveNumwant(0, limits), 0);
    assert.equal(effectiveNumwant(7, limits), 7);
    assert.equal(effectiveNumwant(200, limits), 200);
    assert.equal(effectiveNumwant(201, limits), 200);
    assert.equal(effectiveNumwant(Number.MAX_SAFE_INTEGER, limits), 200);
  });

  test('a default above the cap is capped too', () => {
    assert.equal(effectiveNumwant(undefined, { defaultNumwant: 300, maxNumwant: 200 }), 200);
    assert.equal(effectiveNumwant(-1, { defaultNumwant: 300, maxNumwant: 200 }), 200);
  });
});

describe('scrape params', () => {
  test('zero or more 20-byte info hashes, bounded', () => {
    assert.deepEqual(parseScrapeParams('', 10).infoHashes, []);
    const two = `info_hash=${percentEncodeBytes(HASH)}&info_hash=${percentEncodeBytes(new Uint8Array(20))}`;
    assert.equal(parseScrapeParams(two, 10).infoHashes.length, 2);
    assert.throws(() => parseScrapeParams(two, 1), /at most 1 info hashes/);
    assert.throws(() => parseScrapeParams('info_hash=abc', 10), /must be 20 bytes/);
  });
});
