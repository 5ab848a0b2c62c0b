import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatPercent, formatRate, formatRatio } from '../../../extension/src/format';

describe('format', () => {
  test('bytes use decimal units with one decimal below 100', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1000), '1.0 kB');
    assert.equal(formatBytes(12_345_678), '12.3 MB');
    assert.equal(formatBytes(123_456_789), '123 MB');
    assert.equal(formatBytes(5e15), '5000 TB');
  });

  test('bad sizes print as ?', () => {
    assert.equal(formatBytes(-1), '?');
    assert.equal(formatBytes(Number.NaN), '?');
  });

  test('rates append /s', () => {
    assert.equal(formatRate(1_100_000), '1.1 MB/s');
  });

  test('percent never shows 100% before completion', () => {
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(0.425), '42%');
    assert.equal(formatPercent(0.9999), '99%');
    assert.equal(formatPercent(1), '100%');
    assert.equal(formatPercent(Number.NaN), '0%');
  });

  test('ratio has two decimals, infinity as ∞', () => {
    assert.equal(formatRatio(0.1), '0.10');
    assert.equal(formatRatio(Number.POSITIVE_INFINITY), '∞');
  });
});
