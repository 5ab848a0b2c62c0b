/** Param validators: typed results for good input, a ParamError naming the field for anything else (fuzzed). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ParamError } from '../../../daemon/src/rpc/validate';
import { validators } from '../../../daemon/src/rpc/params';
import { invalidMessageReason } from '../../../daemon/src/rpc/message-guard';

const hash = fc.stringMatching(/^[0-9a-f]{40}$/);

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ParamError, `threw ${String(err)}`);
    assert.ok(err.message.startsWith(err.field === '' ? 'params' : err.field), err.message);
    return err.field;
  }
  throw new Error('expected a ParamError');
}

describe('validators', () => {
  test('every validator either returns or throws ParamError, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        for (const v of Object.values(validators)) {
          try {
            v(value, '');
          } catch (err) {
            assert.ok(err instanceof ParamError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  test('fuzzed objects near the real shape: failures name a field of the input', () => {
    const arb = fc.record(
      { torrent: fc.oneof(fc.record({ base64: fc.base64String() }), fc.record({ path: fc.string() }), fc.anything()), savePath: fc.oneof(fc.string(), fc.integer()), paused: fc.oneof(fc.boolean(), fc.string()) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arb, (value) => {
        try {
          const r = validators.torrentAdd(value, '');
          assert.equal(Object.keys(r.torrent).length, 1);
        } catch (err) {
          assert.ok(err instanceof ParamError);
          assert.match(err.field, /^(torrent|savePath|paused)/);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('fuzzed priority changes near the real shape: good ones pass typed, bad ones name their field', () => {
    const entry = fc.record({ index: fc.oneof(fc.nat(2_000_000), fc.integer(), fc.string()), priority: fc.oneof(fc.constantFrom('skip', 'low', 'normal', 'high'), fc.string()) }, { requiredKeys: [] });
    const arb = fc.record({ infoHash: fc.oneof(hash, fc.string()), priorities: fc.oneof(fc.array(entry, { maxLength: 4 }), fc.anything()) }, { requiredKeys: [] });
    fc.assert(
      fc.property(arb, (value) => {
        try {
          const r = validators.setFilePriorities(value, '');
          assert.ok(r.priorities.length > 0 && r.priorities.every((e) => Number.isInteger(e.index) && ['skip', 'low', 'normal', 'high'].includes(e.priority)));
        } catch (err) {
          assert.ok(err instanceof ParamError);
          assert.match(err.field, /^(|infoHash|priorities(\[\d+\](\..*)?)?)$/s, 'the field, or an unknown key inside an entry');
        }
      }),
      { numRuns: 500 },
    );
    assert.equal(fieldOf(() => validators.setFilePriorities({ infoHash: 'a'.repeat(40), priorities: [] }, '')), 'priorities');
    assert.equal(fieldOf(() => validators.setFilePriorities({ infoHash: 'a'.repeat(40), priorities: [{ index: 0, priority: 'high' }, { index: 1.5, priority: 'low' }] }, '')), 'priorities[1].index');
    assert.equal(fieldOf(() => validators.torrentAdd({ torrent: { base64: 'AAAA' }, filePriorities: [{ index: 0, priority: 'top' }] }, '')), 'filePriorities[0].priority');
    assert.equal(fieldOf(() => validators.setSequential({ infoHash: 'a'.repeat(40) }, '')), 'sequential');
    assert.equal(fieldOf(() => validators.fileUrl({ infoHash: 'a'.repeat(40) }, '')), 'fileIndex');
    assert.equal(fieldOf(() => validators.fileUrl({ infoHash: 'a'.repeat(40), fileIndex: -1 }, '')), 'fileIndex');
    assert.equal(fieldOf(() => validators.fileUrl({ infoHash: 'a'.repeat(40), fileIndex: 0.5 }, '')), 'fileIndex');
    assert.equal(fieldOf(() => validators.fileUrl({ infoHash: 'xyz', fileIndex: 0 }, '')), 'infoHash');
    assert.deepEqual(validators.fileUrl({ infoHash: 'a'.repeat(40), fileIndex: 3 }, ''), { infoHash: 'a'.repeat(40), fileIndex: 3 });
  });

  test('good params pass through typed', () => {
    fc.assert(
      fc.property(hash, fc.boolean(), (infoHash, deleteData) => {
        assert.deepEqual(validators.torrentRemove({ infoHash, deleteData }, ''), { infoHash, deleteData });
      }),
    );
    assert.deepEqual(validators.settings({ port: 0, uploadRateLimit: 5 }, ''), { port: 0, uploadRateLimit: 5 });
    assert.deepEqual(validators.none(undefined, ''), {});
    assert.deepEqual(validators.none(null, ''), {});
    assert.equal(validators.torrentCreate({ path: '/a', pieceLength: 32768, trackers: ['udp://x:1'] }, '').pieceLength, 32768);
  });

  test('messages name the field', () => {
    assert.equal(fieldOf(() => validators.torrentId({ infoHash: 'g'.repeat(40) }, '')), 'infoHash');
    assert.equal(fieldOf(() => validators.torrentCreate({ path: '/a', trackers: ['http://ok', 'ftp://no'] }, '')), 'trackers[1]');
    assert.equal(fieldOf(() => validators.torrentCreate({ path: '/a', pieceLength: 30000 }, '')), 'pieceLength');
    assert.equal(fieldOf(() => validators.torrentAdd({ torrent: { path: 'relative.torrent' } }, '')), 'torrent.path');
    assert.equal(fieldOf(() => validators.torrentAdd({ torrent: { base64: 'abc' } }, '')), 'torrent.base64');
    assert.equal(fieldOf(() => validators.torrentAdd({ torrent: {} }, '')), 'torrent');
    assert.equal(fieldOf(() => validators.settings({ maxConnections: 1.5 }, '')), 'maxConnections');
    assert.equal(fieldOf(() => validators.settings([], '')), '');
    assert.equal(fieldOf(() => validators.none({ x: 1 }, '')), 'x');
    assert.equal(fieldOf(() => validators.torrentSeed({ torrent: { base64: 'AAAA' }, dataPath: '/a\0b' }, '')), 'dataPath');
  });

  test('sizes are bounded before any pattern runs', () => {
    assert.equal(fieldOf(() => validators.torrentId({ infoHash: 'a'.repeat(1_000_000) }, '')), 'infoHash');
    assert.equal(fieldOf(() => validators.torrentCreate({ path: '/a', trackers: Array(1000).fill('http://x') }, '')), 'trackers');
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
    assert.equal(fieldOf(() => validators.settings(many, '')), '');
  });

  test('initialize accepts what LSP clients send and ignores unknown fields', () => {
    const p = validators.initialize({ processId: null, rootUri: null, capabilities: { x: 1 }, clientInfo: { name: 'vscode' }, initializationOptions: { downloadDir: '/d', extra: true } }, '');
    assert.deepEqual(p.initializationOptions, { downloadDir: '/d' });
  });
});

describe('invalidMessageReason', () => {
  test('accepts requests, notifications and responses', () => {
    assert.equal(invalidMessageReason({ jsonrpc: '2.0', id: 1, method: 'a' }), undefined);
    assert.equal(invalidMessageReason({ jsonrpc: '2.0', method: 'a', params: [] }), undefined);
    assert.equal(invalidMessageReason({ jsonrpc: '2.0', id: 'x', result: null }), undefined);
  });

  test('refuses anything else with a reason, for any JSON value, without throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
        const r = invalidMessageReason(value);
        assert.ok(r === undefined || typeof r === 'string');
      }),
      { numRuns: 1000 },
    );
    for (const bad of [[], 1, null, { id: 1, method: 'a' }, { jsonrpc: '2.0', id: 1.5, method: 'a' }, { jsonrpc: '2.0', id: 1, method: '' }, { jsonrpc: '2.0', id: 1, method: 'a', params: 3 }, { jsonrpc: '2.0', id: 1 }]) {
      assert.equal(typeof invalidMessageReason(bad), 'string', JSON.stringify(bad));
    }
  });
});

describe('tracker/start store', () => {
  test('memory and Redis URLs pass; a password in the URL or another scheme names the field', () => {
    for (const store of ['memory', 'redis://127.0.0.1:6379', 'redis://10.0.0.5:6380/2', 'rediss://tracker@redis.example:6380']) {
      assert.deepEqual(validators.trackerStart({ port: 0, store }, ''), { port: 0, store });
    }
    for (const store of ['redis://:secret@127.0.0.1:6379', 'redis://user:secret@h', 'http://127.0.0.1', '', 'redis://h:6379/db']) {
      assert.equal(fieldOf(() => validators.trackerStart({ store }, '')), 'store', store);
    }
  });
});
