import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  infoHashArg, objectArg, parseTrackerList, pathArg, stringsField, validateTrackerList,
} from '../../../extension/src/commands/args';
import { hash } from './fixtures';

describe('command arguments', () => {
  test('paths come from strings and Uri-like objects', () => {
    assert.equal(pathArg('/a'), '/a');
    assert.equal(pathArg({ fsPath: '/b', scheme: 'file' }), '/b');
    assert.equal(pathArg({ path: '/c' }), undefined);
    assert.equal(pathArg(undefined), undefined);
  });

  test('a Uri is not taken as a plain-object argument', () => {
    assert.deepEqual(objectArg({ fsPath: '/b' }), {});
    assert.deepEqual(objectArg({ path: '/c' }), { path: '/c' });
    assert.deepEqual(objectArg(null), {});
  });

  test('info hashes come from nodes, objects or strings, lower-cased', () => {
    assert.equal(infoHashArg({ kind: 'torrent', infoHash: hash('A') }), hash('a'));
    assert.equal(infoHashArg(hash('b')), hash('b'));
    assert.equal(infoHashArg('xyz'), undefined);
    assert.equal(infoHashArg({ infoHash: 'short' }), undefined);
  });

  test('tracker lists split on commas and whitespace and are validated', () => {
    assert.deepEqual(parseTrackerList(' http://a/announce, udp://b:1\nhttps://c/x '), ['http://a/announce', 'udp://b:1', 'https://c/x']);
    assert.deepEqual(parseTrackerList(''), []);
    assert.equal(validateTrackerList('http://a/announce udp://b:1'), undefined);
    assert.match(validateTrackerList('http://a/announce ftp://b') ?? '', /ftp:\/\/b/);
    assert.deepEqual(stringsField({ trackers: 'http://a' }, 'trackers'), ['http://a']);
    assert.equal(stringsField({ trackers: [1] }, 'trackers'), undefined);
  });

  test('argument parsers never throw on arbitrary input', () => {
    fc.assert(fc.property(fc.anything(), (v) => {
      pathArg(v);
      objectArg(v);
      infoHashArg(v);
      return true;
    }));
    fc.assert(fc.property(fc.string(), (s) => {
      validateTrackerList(s);
      return parseTrackerList(s).every((x) => x.length > 0);
    }));
  });
});
