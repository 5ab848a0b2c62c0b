import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bencode } from '../../../daemon/src/bencode';
import { escapeHtml, summarizeTorrent, torrentPage, type TorrentSummary } from '../../../extension/src/torrentView';

function torrentBytes(extra: Record<string, unknown> = {}): Uint8Array {
  const info = {
    name: 'set <b>',
    'piece length': 16384,
    pieces: Buffer.alloc(60, 7),
    files: [
      { length: 20000, path: ['a.txt'] },
      { length: 8000, path: ['.pad', '8000'], attr: 'p' },
      { length: 5000, path: ['sub', 'run.sh'], attr: 'x' },
    ],
  };
  return bencode({ announce: 'http://127.0.0.1:1/announce', comment: '<script>alert(1)</script>', 'created by': 'btd', 'creation date': 1_700_000_000, info, ...extra });
}

describe('.torrent editor', () => {
  test('summary: name, hash, files without padding (attr kept), trackers, facts', () => {
    const s = summarizeTorrent(torrentBytes()) as TorrentSummary;
    assert.equal(s.name, 'set <b>');
    assert.match(s.infoHash, /^[0-9a-f]{40}$/);
    assert.ok(s.magnet.startsWith(`magnet:?xt=urn:btih:${s.infoHash}`));
    assert.deepEqual(s.files, [{ path: 'a.txt', length: 20000 }, { path: 'sub/run.sh', length: 5000, attr: 'x' }]);
    assert.equal(s.fileCount, 2);
    assert.deepEqual(s.trackers, ['http://127.0.0.1:1/announce']);
    assert.equal(s.created, '2023-11-14 22:13:20 UTC');
  });

  test('a broken file gives the parser\'s message, not an exception', () => {
    const s = summarizeTorrent(new TextEncoder().encode('d4:infoi1ee'));
    assert.ok('error' in s);
    assert.match(s.error, /info/);
    assert.ok('error' in summarizeTorrent(new Uint8Array([0xff, 0x00])));
  });

  test('the page: strict CSP with a nonce, every torrent string escaped, buttons post commands', () => {
    const html = torrentPage(summarizeTorrent(torrentBytes()), 'n0nce');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-n0nce'; script-src 'nonce-n0nce';">/);
    assert.ok(!html.includes('<script>alert(1)</script>'), 'the comment is escaped');
    assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
    assert.ok(html.includes('<h1>set &#60;b&#62;</h1>'));
    assert.match(html, /data-command="download">Download</);
    assert.match(html, /data-command="seed">Seed…</);
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, ours');
    const bad = torrentPage({ error: 'bad <x>' }, 'n');
    assert.match(bad, /Not a valid torrent<\/h1><p class="error">bad &#60;x&#62;<\/p>/);
    assert.equal(escapeHtml(`"'&`), '&#34;&#39;&#38;');
  });
});
