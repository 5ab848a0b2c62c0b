import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPiecesAllowed, OVERFLOW_PIECES } from '../../../daemon/src/session/requests';

describe('newPiecesAllowed', () => {
  test('within the budget: as many new pieces as it has room for', () => {
    assert.equal(newPiecesAllowed(6, 0, false), 6);
    assert.equal(newPiecesAllowed(6, 4, false), 2);
    assert.equal(newPiecesAllowed(6, 6, false), 0);
    assert.equal(newPiecesAllowed(6, 9, false), 0, 'never negative');
  });

  test('a connection with nothing outstanding may go the overflow beyond', () => {
    assert.equal(newPiecesAllowed(6, 6, true), OVERFLOW_PIECES);
    assert.equal(newPiecesAllowed(2, 10, true), 0, 'beyond the overflow pickRequests still starts one piece for it');
  });
});
