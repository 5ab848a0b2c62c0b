import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figuresMoved, type MovingFigures } from '../../../daemon/src/session/progress-figures';

const idle: MovingFigures = { downloaded: 100, uploaded: 50, downloadRate: 0, uploadRate: 0, peers: 0, seeds: 0, havePieces: 3 };

test('figuresMoved: the first tick always, an idle seed never again, any moved figure', () => {
  assert.ok(figuresMoved(undefined, idle));
  assert.ok(!figuresMoved(idle, { ...idle }));
  for (const key of Object.keys(idle) as (keyof MovingFigures)[]) assert.ok(figuresMoved(idle, { ...idle, [key]: idle[key] + 1 }), key);
  assert.ok(figuresMoved({ ...idle, uploadRate: 10 }, idle), 'a rate falling to 0 is news too');
});
