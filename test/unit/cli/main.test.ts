import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram } from '../../../daemon/src/cli/main';

test('btd --version loads no subcommand; a subcommand loads only itself; anything else loads them all', () => {
  assert.deepEqual(buildProgram('--version').commands.map((c) => c.name()), []);
  assert.deepEqual(buildProgram('-V').commands.map((c) => c.name()), []);
  assert.deepEqual(buildProgram('create').commands.map((c) => c.name()), ['create']);
  assert.ok(buildProgram('--help').commands.length >= 8);
  assert.ok(buildProgram(undefined).commands.length >= 8);
});
