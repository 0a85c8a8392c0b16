import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimestamp, formatTimeUs } from '../src/ingest/time.js';

// Expected values computed with Python: int(datetime.fromisoformat(...).timestamp() * 1e6)
test('ISO 8601 with Z and milliseconds', () => {
  assert.deepEqual(parseTimestamp('2026-03-02T14:03:11.412Z'), { timeUs: 1772460191412000, format: 'iso8601' });
});

test('ISO 8601 without offset is UTC, whatever TZ says', () => {
  const parsed = parseTimestamp('2026-03-02 14:03:11.412');
  assert.deepEqual(parsed, { timeUs: 1772460191412000, format: 'iso8601-no-offset' });
});

test('ISO 8601 offsets and microseconds', () => {
  assert.equal(parseTimestamp('2026-03-02T16:03:11.412345+02:00')!.timeUs, 1772460191412345);
  assert.equal(parseTimestamp('2026-03-02T09:03:11-0500')!.timeUs, 1772460191000000);
  assert.equal(parseTimestamp('2026-03-02T14:03:11.412345678Z')!.timeUs, 1772460191412345);
});

test('epoch seconds, ms, us, ns detected by magnitude', () => {
  assert.deepEqual(parseTimestamp('1772460191'), { timeUs: 1772460191000000, format: 'epoch-s' });
  assert.deepEqual(parseTimestamp('1772460191.412345'), { timeUs: 1772460191412345, format: 'epoch-s' });
  assert.deepEqual(parseTimestamp('1772460191412'), { timeUs: 1772460191412000, format: 'epoch-ms' });
  assert.deepEqual(parseTimestamp('1772460191412345'), { timeUs: 1772460191412345, format: 'epoch-us' });
  assert.deepEqual(parseTimestamp('1772460191412345678'), { timeUs: 1772460191412345, format: 'epoch-ns' });
});

test('year-first dates with slashes: the same fields, their own format name', () => {
  assert.deepEqual(parseTimestamp('2026/03/02 14:03:11.412'), { timeUs: 1772460191412000, format: 'ymd-slash-no-offset' });
  assert.deepEqual(parseTimestamp('2026/03/02T16:03:11.412+02:00'), { timeUs: 1772460191412000, format: 'ymd-slash' });
  assert.deepEqual(parseTimestamp('2026/03/02'), { timeUs: Date.UTC(2026, 2, 2) * 1000, format: 'ymd-slash-no-offset' });
});

test('invalid timestamps are null', () => {
  for (const bad of ['', 'yesterday', '2026-02-30T00:00:00Z', '2026-13-01', '2026-03-02T25:00:00Z', '0x10', '-5', '2026-03-02T10:00:00+25:00',
    '2026/03-02 14:03:11', '2026-03/02', '2026/02/30 10:00:00', '02/03/2026']) {
    assert.equal(parseTimestamp(bad), null, bad);
  }
});

test('formatTimeUs round-trips', () => {
  assert.equal(formatTimeUs(1772460191412000), '2026-03-02T14:03:11.412Z');
  assert.equal(formatTimeUs(1772460191412345), '2026-03-02T14:03:11.412345Z');
});
