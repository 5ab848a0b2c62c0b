import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figuresMoved, swarmIdle, type MovingFigures } from '../../../daemon/src/session/progress-figures';

const idle: MovingFigures = { downloaded: 100, uploaded: 50, downloadRate: 0, uploadRate: 0, peers: 0, seeds: 0, havePieces: 3 };

test('figuresMoved: the first tick always, an idle seed never again, any moved figure', () => {
  assert.ok(figuresMoved(undefined, idle));
  assert.ok(!figuresMoved(idle, { ...idle }));
  for (const key of Object.keys(idle) as (keyof MovingFigures)[]) assert.ok(figuresMoved(idle, { ...idle, [key]: idle[key] + 1 }), key);
  assert.ok(figuresMoved({ ...idle, uploadRate: 10 }, idle), 'a rate falling to 0 is news too');
});

test('swarmIdle: only with no connection, dial or address, once listeners heard the rates fall to 0', () => {
  const quiet = { connections: 0, pendingDials: 0, knownAddresses: 0, lastFigures: idle };
  assert.ok(swarmIdle(quiet));
  assert.ok(!swarmIdle({ ...quiet, connections: 1 }));
  assert.ok(!swarmIdle({ ...quiet, pendingDials: 1 }));
  assert.ok(!swarmIdle({ ...quiet, knownAddresses: 1 }));
  assert.ok(!swarmIdle({ ...quiet, lastFigures: undefined }), 'the first tick of a swarm runs');
  assert.ok(!swarmIdle({ ...quiet, lastFigures: { ...idle, uploadRate: 5 } }), 'rates still falling after the last peer left');
  assert.ok(!swarmIdle({ ...quiet, lastFigures: { ...idle, peers: 1 } }));
});
