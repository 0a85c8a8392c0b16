import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimestamp, formatTimeUs, twoDigitYear, twoDigitYearDoubt } from '../src/ingest/time.js';

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

test('Microsoft JSON dates: UTC milliseconds, an offset after the number does not move the instant', () => {
  assert.deepEqual(parseTimestamp('/Date(1772461145444)/'), { timeUs: 1772461145444000, format: 'ms-json-date' });
  assert.deepEqual(parseTimestamp('/Date(1772461145444+0100)/'), { timeUs: 1772461145444000, format: 'ms-json-date' });
  assert.deepEqual(parseTimestamp('/Date(1772461145444-0500)/'), { timeUs: 1772461145444000, format: 'ms-json-date' });
  for (const bad of ['/Date()/', '/Date(1772461145444)', 'Date(1772461145444)', '/Date(1772461145444+01)/', '/Date(1.5)/']) assert.equal(parseTimestamp(bad), null, bad);
});

test('Kibana dates (Discover CSV export, default dateFormat): no offset, read as UTC', () => {
  assert.deepEqual(parseTimestamp('Mar 2, 2026 @ 14:19:05.444'), { timeUs: 1772461145444000, format: 'kibana-no-offset' });
  assert.deepEqual(parseTimestamp('Dec 31, 2025 @ 23:59:59.999'), { timeUs: Date.UTC(2025, 11, 31, 23, 59, 59, 999) * 1000, format: 'kibana-no-offset' });
  assert.deepEqual(parseTimestamp('feb 29, 2024 @ 00:00:00'), { timeUs: Date.UTC(2024, 1, 29) * 1000, format: 'kibana-no-offset' });
  assert.equal(parseTimestamp('Mar 2, 2026 @ 14:19')!.timeUs, Date.UTC(2026, 2, 2, 14, 19) * 1000);
  for (const bad of ['Feb 29, 2026 @ 14:19:05.444', 'Mar 32, 2026 @ 14:19:05', 'Mar 2, 2026 @ 24:00:00', 'Mar 2 2026 @ 14:19:05', 'Mrz 2, 2026 @ 14:19:05']) {
    assert.equal(parseTimestamp(bad), null, bad);
  }
});

test('dates with an English month name: month, day or year first, 12- or 24-hour, offset read when written', () => {
  const at = (y: number, mo: number, d: number, h: number, mi: number, sec = 0, ms = 0): number => Date.UTC(y, mo - 1, d, h, mi, sec, ms) * 1000;
  // ICU's en-US medium date and time (JavaScript's toLocaleString, Java 9+), with U+202F before PM
  // as newer ICU writes it; Java 8's without the comma after the year; the long style's 'at'.
  assert.deepEqual(parseTimestamp('Dec 7, 2026, 3:04:05\u202fPM'), { timeUs: at(2026, 12, 7, 15, 4, 5), format: 'month-name-no-offset' });
  assert.equal(parseTimestamp('Dec 7, 2026 3:04:05 PM')!.timeUs, at(2026, 12, 7, 15, 4, 5));
  assert.equal(parseTimestamp('December 7, 2026 at 3:04:05 PM')!.timeUs, at(2026, 12, 7, 15, 4, 5));
  assert.equal(parseTimestamp('dec. 7, 2026, 3:04 p.m.')!.timeUs, at(2026, 12, 7, 15, 4));
  assert.equal(parseTimestamp('Sept 7, 2026 13:04')!.timeUs, at(2026, 9, 7, 13, 4));
  assert.equal(parseTimestamp('Mar 2, 2026 14:19:05')!.timeUs, at(2026, 3, 2, 14, 19, 5));
  // 12 AM is midnight, 12 PM noon.
  assert.equal(parseTimestamp('Dec 7, 2026 12:04 AM')!.timeUs, at(2026, 12, 7, 0, 4));
  assert.equal(parseTimestamp('Dec 7, 2026 12:04 PM')!.timeUs, at(2026, 12, 7, 12, 4));
  // Day first (en-GB, Oracle's DD-MON-YYYY) and year first.
  assert.equal(parseTimestamp('7 Dec 2026 15:04:05')!.timeUs, at(2026, 12, 7, 15, 4, 5));
  assert.equal(parseTimestamp('07-Dec-2026 15:04:05.123')!.timeUs, at(2026, 12, 7, 15, 4, 5, 123));
  assert.equal(parseTimestamp('2026-Dec-07 15:04:05')!.timeUs, at(2026, 12, 7, 15, 4, 5));
  // A weekday that is the date's own (7 December 2026 is a Monday).
  assert.equal(parseTimestamp('Mon, Dec 7, 2026 3:04 PM')!.timeUs, at(2026, 12, 7, 15, 4));
  // An offset after the time is read.
  assert.deepEqual(parseTimestamp('Dec 7, 2026 3:04:05 PM -05:00'), { timeUs: at(2026, 12, 7, 20, 4, 5), format: 'month-name' });
  assert.deepEqual(parseTimestamp('Dec 7, 2026 15:04:05 UTC'), { timeUs: at(2026, 12, 7, 15, 4, 5), format: 'month-name' });
  // Not times: another weekday, an hour beside AM/PM that no clock shows, a day the month lacks,
  // mixed separators, a month name in another language.
  for (const bad of ['Tue, Dec 7, 2026 3:04 PM', 'Dec 7, 2026 13:04 PM', 'Dec 7, 2026 0:04 AM', 'Feb 29, 2026 10:00', '7-Dec 2026 10:00',
    'Dez 7, 2026 10:00', 'Dec 7, 2026', 'Dec 7, 2026 10:00 +25:00']) {
    assert.equal(parseTimestamp(bad), null, bad);
  }
});

test('JavaScript Date strings and ISO times ending in GMT: read with their offset', () => {
  // What String(new Date()) prints (Node, browsers), the zone's name in brackets; before: unparseable.
  assert.deepEqual(parseTimestamp('Mon Dec 07 2026 15:04:05 GMT+0000 (Coordinated Universal Time)'), { timeUs: Date.UTC(2026, 11, 7, 15, 4, 5) * 1000, format: 'js-date' });
  assert.equal(parseTimestamp('Mon Dec 07 2026 16:04:05 GMT+0100 (Central European Standard Time)')!.timeUs, Date.UTC(2026, 11, 7, 15, 4, 5) * 1000);
  assert.equal(parseTimestamp('Mon Dec 07 2026 10:04:05 GMT-0500')!.timeUs, Date.UTC(2026, 11, 7, 15, 4, 5) * 1000);
  // A weekday that is not the date's own: no time.
  assert.equal(parseTimestamp('Tue Dec 07 2026 15:04:05 GMT+0000 (Coordinated Universal Time)'), null);
  // An ISO time ending in GMT is UTC, as one ending in UTC was (before: unparseable).
  assert.deepEqual(parseTimestamp('2026-12-07 15:04:05 GMT'), { timeUs: Date.UTC(2026, 11, 7, 15, 4, 5) * 1000, format: 'iso8601' });
});

test('dotted dates: day first with the year last (no --date-order needed), year first with four digits', () => {
  assert.deepEqual(parseTimestamp('02.03.2026 14:19:05'), { timeUs: Date.UTC(2026, 2, 2, 14, 19, 5) * 1000, format: 'dotted-dmy-no-offset' });
  assert.deepEqual(parseTimestamp('2.3.2026 14:19'), { timeUs: Date.UTC(2026, 2, 2, 14, 19) * 1000, format: 'dotted-dmy-no-offset' });
  assert.equal(parseTimestamp('3.2.2025, 07:05:00.671')!.timeUs, Date.UTC(2025, 1, 3, 7, 5, 0, 671) * 1000, 'the Azure portal in a German browser');
  assert.equal(parseTimestamp('13.02.2026 14:19:05,25')!.timeUs, Date.UTC(2026, 1, 13, 14, 19, 5, 250) * 1000);
  assert.equal(parseTimestamp('02.03.26 14:19')!.timeUs, Date.UTC(2026, 2, 2, 14, 19) * 1000, 'DIN 5008 short year');
  assert.equal(parseTimestamp('02.03.95 14:19')!.timeUs, Date.UTC(1995, 2, 2, 14, 19) * 1000);
  assert.deepEqual(parseTimestamp('2026.03.02 14:19:05'), { timeUs: Date.UTC(2026, 2, 2, 14, 19, 5) * 1000, format: 'ymd-dotted-no-offset' });
  assert.deepEqual(parseTimestamp('2026.03.02'), { timeUs: Date.UTC(2026, 2, 2) * 1000, format: 'ymd-dotted-no-offset' });
  assert.deepEqual(parseTimestamp('2026.03.02T15:19:05+01:00'), { timeUs: Date.UTC(2026, 2, 2, 14, 19, 5) * 1000, format: 'ymd-dotted' });
  // Never month first: 02.13.2026 is no date, not February 13.
  for (const bad of ['02.13.2026 14:19:05', '31.04.2026 10:00', '29.02.2026 10:00', '02.03.2026 24:00', '02.03.45 14:19', '02.03.2026', '2.3.26.1 10:00', '2026.13.02', '2026.3.2 14:00', '2026.03-02']) {
    assert.equal(parseTimestamp(bad), null, bad);
  }
});

test('two-digit years: read where the common century rules agree, else refused with the reason', () => {
  assert.deepEqual([0, 26, 29, 30, 45, 68, 69, 95, 99].map(twoDigitYear), [2000, 2026, 2029, null, null, null, 1969, 1995, 1999]);
  assert.match(twoDigitYearDoubt('02/03/45 14:19')!, /two-digit year '45': 1945 or 2045/);
  assert.match(twoDigitYearDoubt('2.3.45, 14:19')!, /two-digit year '45'/);
  for (const fine of ['02/03/26 14:19', '02/03/2045 14:19', '2026-03-02', '02.03.95 10:00']) assert.equal(twoDigitYearDoubt(fine), null, fine);
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

test('the hand-read common ISO shape gives what the expression gives, and declines what it cannot judge', async () => {
  const fc = (await import('fast-check')).default;
  const { commonIso, isoByExpression } = await import('../src/ingest/time.js');
  const iso = fc.record({
    y: fc.constantFrom('2026', '1999', '2000', '1900', '2024', '0099', '20a6'), mo: fc.constantFrom('01', '02', '12', '13', '00', '1a'),
    d: fc.constantFrom('01', '28', '29', '30', '31', '00', '32'), sep: fc.constantFrom('T', 't', ' ', '_'),
    h: fc.constantFrom('00', '23', '24', '9x'), mi: fc.constantFrom('00', '59', '60'), s: fc.constantFrom('00', '59', '60', '61'),
    frac: fc.constantFrom('', '.1', '.412', ',5', '.123456', '.1234567', '.123456789', '.1234567890', '.'),
    zone: fc.constantFrom('', 'Z', 'z', '+00:00', '-05:00', '+05:30', '+18:00', '+19:00', '+05:60', '+0530', '+09', ' Z', 'UTC', 'Zx', '+05:3'),
  }).map((t) => `${t.y}-${t.mo}-${t.d}${t.sep}${t.h}:${t.mi}:${t.s}${t.frac}${t.zone}`);
  let handRead = 0;
  fc.assert(fc.property(iso, (text) => {
    const fast = commonIso(text);
    if (fast !== null) { handRead++; assert.deepEqual(fast, isoByExpression(text), text); }
  }), { numRuns: 3000, seed: 20261204 });
  assert.ok(handRead > 30, `the common shape was read by hand ${handRead} times`);
  // Valid times of every day, fraction length and offset: hand-read, and equal.
  const valid = fc.record({
    ms: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2099, 11, 31) }), digits: fc.integer({ min: 0, max: 9 }),
    sep: fc.constantFrom('T', ' '), zone: fc.oneof(fc.constantFrom('', 'Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 18 }), fc.integer({ min: 0, max: 59 }))
      .map(([sign, h, m]) => `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`)),
    extra: fc.integer({ min: 0, max: 999_999_999 }),
  }).map((t) => {
    const base = new Date(t.ms).toISOString().slice(0, 19).replace('T', t.sep);
    return base + (t.digits === 0 ? '' : `.${String(t.extra).padStart(9, '0').slice(0, t.digits)}`) + t.zone;
  });
  fc.assert(fc.property(valid, (text) => {
    const fast = commonIso(text);
    assert.notEqual(fast, null, text);
    assert.deepEqual(fast, isoByExpression(text), text);
  }), { numRuns: 3000, seed: 20261205 });
  for (const text of ['2026-03-02T14:03:11.412Z', '2026-03-02 14:03:11', '2026-03-02T16:03:11.412345+02:00']) assert.notEqual(commonIso(text), null, text);
  for (const text of ['2026-03-02T14:03:11 Z', '2026-03-02T14:03:11+0530', '2026-03-02T14:03', '2026/03/02 14:03:11']) assert.equal(commonIso(text), null, text);
});

// Expected values from Python's email.utils.parsedate_to_datetime(...).timestamp() * 1e6.
test('date(1) output, as shell scripts that log pings write it: read by RFC 2822\'s rules, in its own order', () => {
  // 1772460191 s is 2026-03-02T14:03:11Z (as in the RFC 2822 test below). Each was time_unparseable.
  assert.deepEqual(parseTimestamp('Mon Mar  2 14:03:11 UTC 2026'), { timeUs: 1772460191000000, format: 'unix-date' });
  assert.deepEqual(parseTimestamp('Mon Mar 2 09:03:11 EST 2026'), { timeUs: 1772460191000000, format: 'unix-date' });
  assert.deepEqual(parseTimestamp('Mon Mar  2 15:03:11.5 +0100 2026'), { timeUs: 1772460191500000, format: 'unix-date' });
  // No zone (asctime), a weekday not the date's own, a day that does not exist: refused, not guessed.
  for (const refused of ['Mon Mar  2 14:03:11 2026', 'Tue Mar  2 14:03:11 UTC 2026', 'Mon Feb 30 14:03:11 UTC 2026']) {
    assert.equal(parseTimestamp(refused), null, refused);
  }
});

test('RFC 2822 dates (mail headers, HTTP logs): zones, offsets, no weekday, and what is refused', () => {
  assert.deepEqual(parseTimestamp('Mon, 02 Mar 2026 14:03:11 GMT'), { timeUs: 1772460191000000, format: 'rfc2822' });
  assert.deepEqual(parseTimestamp('02 Mar 2026 09:03:11 -0500'), { timeUs: 1772460191000000, format: 'rfc2822' });
  assert.deepEqual(parseTimestamp('Mon, 2 Mar 2026 06:03:11 PST'), { timeUs: 1772460191000000, format: 'rfc2822' });
  assert.deepEqual(parseTimestamp('Sun, 29 Feb 2032 23:59:59 +0100'), { timeUs: 1961708399000000, format: 'rfc2822' });
  // Case, a colon in the offset, fractions (µs kept, floored), minutes only.
  assert.deepEqual(parseTimestamp('mon, 02 mar 2026 19:33:11.4129 +05:30'), { timeUs: 1772460191412900, format: 'rfc2822' });
  assert.deepEqual(parseTimestamp('02 Mar 2026 14:03 UT'), { timeUs: 1772460180000000, format: 'rfc2822' });
  for (const bad of [
    'Tue, 02 Mar 2026 14:03:11 GMT', // the weekday is not the date's
    'Mon, 30 Feb 2026 14:03:11 GMT', 'Mon, 02 Mar 2026 24:03:11 GMT', '02 Mar 2026 14:03:11 +1900', '02 Mar 2026 14:03:11 CET',
    'Mon 02 Mar 26 14:03:11 GMT',
  ]) assert.equal(parseTimestamp(bad), null, bad);
  // Not RFC 2822 (no zone; a full month name), but dates with a month name all the same: the first
  // an offset-less time, read as UTC and warned of as every other (it was refused before).
  assert.deepEqual(parseTimestamp('Mon, 02 Mar 2026 14:03:11'), { timeUs: 1772460191000000, format: 'month-name-no-offset' });
  assert.deepEqual(parseTimestamp('02 March 2026 14:03:11 GMT'), { timeUs: 1772460191000000, format: 'month-name' });
});

test('Common Log Format times (nginx $time_local, Apache %t), in brackets or not: the offset always applied', () => {
  // Before: null (time_unparseable). 14:03:11 at +01:00 is 13:03:11 UTC; at -05:00, 19:03:12 UTC.
  assert.deepEqual(parseTimestamp('01/Mar/2026:14:03:11 +0100'), { timeUs: Date.UTC(2026, 2, 1, 13, 3, 11) * 1000, format: 'clf' });
  assert.deepEqual(parseTimestamp('[01/Mar/2026:14:03:12 -0500]'), { timeUs: Date.UTC(2026, 2, 1, 19, 3, 12) * 1000, format: 'clf' });
  assert.deepEqual(parseTimestamp('31/Dec/2025:23:59:59.250 +0000'), { timeUs: Date.UTC(2025, 11, 31, 23, 59, 59) * 1000 + 250_000, format: 'clf' });
  for (const bad of ['31/Feb/2026:10:00:00 +0000', '01/Mar/2026:14:03:11', '01/Mar/2026:24:00:00 +0000', '01/Foo/2026:10:00:00 +0000', '01/Mar/2026:10:00:00 +2460']) {
    assert.equal(parseTimestamp(bad), null, bad);
  }
});

test('a time with its offset and then the zone\'s name (Go\'s time.String(), "... Z GMT") is read by its offset; a name alone never', () => {
  // Before: each of these was time_unparseable (Go services log time.Time values with %v).
  const read = (s: string): string | null => { const p = parseTimestamp(s); return p === null ? null : `${formatTimeUs(p.timeUs)} ${p.format}`; };
  assert.equal(read('2026-12-07 20:43:32.123 +0000 UTC'), '2026-12-07T20:43:32.123Z iso8601');
  assert.equal(read('2026-12-07 20:43:32.123456789 +0000 UTC m=+0.000012345'), '2026-12-07T20:43:32.123456Z iso8601');
  assert.equal(read('2026-12-07 20:43:32 -0500 EST'), '2026-12-08T01:43:32.000Z iso8601');
  assert.equal(read('2026-12-07T20:43:32.123Z GMT'), '2026-12-07T20:43:32.123Z iso8601');
  // The name adds nothing to the offset, and alone it says too little: EST, IST name several zones.
  assert.equal(read('2026-12-07 20:43:32 EST'), null);
  assert.equal(read('2026-12-07 20:43:32 IST'), null);
  assert.equal(read('hello +0000 UTC'), null);
});
