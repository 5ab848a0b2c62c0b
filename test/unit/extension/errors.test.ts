import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes } from '../../../protocol/src';
import { describeError, isCancellation } from '../../../extension/src/errors';

describe('describeError', () => {
  test('daemon error codes get advice on what to do', () => {
    const m = describeError('Seed', new ResponseError(ErrorCodes.DataMismatch, 'piece 3 does not match.'));
    assert.equal(m, 'Seed failed: piece 3 does not match. Choose the file or folder the torrent was created from.');
    assert.match(describeError('Stop Tracker', new ResponseError(ErrorCodes.TrackerNotRunning, 'no tracker')), /Start Tracker/);
  });

  test('a lost connection points at the output, the daemon path and Restart Daemon', () => {
    const m = describeError('Download', new Error('Client is not running and can\'t be stopped'));
    assert.match(m, /daemon is not running/);
    assert.match(m, /btd\.daemonPath/);
    assert.match(m, /Restart Daemon/);
    const lost = describeError('Start', new ResponseError(-32097, 'Pending response rejected since connection got disposed'));
    assert.match(lost, /daemon is not running/);
  });

  test('anything else points at the output', () => {
    assert.match(describeError('X', new Error('boom')), /^X failed: boom\. See the "BitTorrent" output/);
    assert.match(describeError('X', 'plain'), /plain/);
  });

  test('cancellation is recognised and not an error to show', () => {
    assert.equal(isCancellation(new ResponseError(ErrorCodes.RequestCancelled, 'cancelled')), true);
    assert.equal(isCancellation(new Error('x')), false);
  });
});
