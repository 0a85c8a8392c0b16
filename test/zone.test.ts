// --assume-tz's conversion (src/ingest/zone.ts): wall-clock times of a zone to UTC, against tzdb's
// known rules (America/New_York: EST -05:00, EDT -04:00 from 02:00 on the second Sunday of March to
// 02:00 on the first Sunday of November); the option end to end is in assume-tz.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAssumedZone, WallClock, WALL_AMBIGUOUS, WALL_NONEXISTENT, WALL_UNIQUE, type AssumedZone } from '../src/ingest/zone.js';

function zone(name: string): AssumedZone {
  const z = parseAssumedZone(name);
  assert.ok(!('bad' in z), name);
  return z;
}

/** Epoch µs of a wall time written as 'YYYY-MM-DDTHH:MM:SS' read as UTC (what the time readers give without --assume-tz). */
const wall = (text: string): number => Date.parse(`${text}Z`) * 1000;
const utc = (text: string): number => Date.parse(text) * 1000;

function convert(clock: WallClock, text: string): { status: number; instant: string | null } {
  const status = clock.toUtc(wall(text));
  return { status, instant: status === WALL_NONEXISTENT ? null : new Date(clock.out[0]! / 1000).toISOString() };
}

test('America/New_York: summer is -04:00, winter -05:00; the spring-forward hour does not exist, the fall-back hour is the earlier instant', () => {
  const ny = new WallClock(zone('America/New_York'));
  assert.deepEqual(convert(ny, '2026-07-01T12:00:00'), { status: WALL_UNIQUE, instant: '2026-07-01T16:00:00.000Z' });
  assert.deepEqual(convert(ny, '2026-01-15T12:00:00'), { status: WALL_UNIQUE, instant: '2026-01-15T17:00:00.000Z' });
  // 2026-03-08: 01:59:59 EST is followed by 03:00:00 EDT (07:00Z).
  assert.deepEqual(convert(ny, '2026-03-08T01:59:59'), { status: WALL_UNIQUE, instant: '2026-03-08T06:59:59.000Z' });
  assert.deepEqual(convert(ny, '2026-03-08T02:00:00'), { status: WALL_NONEXISTENT, instant: null });
  assert.deepEqual(convert(ny, '2026-03-08T02:30:00'), { status: WALL_NONEXISTENT, instant: null });
  assert.deepEqual(convert(ny, '2026-03-08T02:59:59'), { status: WALL_NONEXISTENT, instant: null });
  assert.deepEqual(convert(ny, '2026-03-08T03:00:00'), { status: WALL_UNIQUE, instant: '2026-03-08T07:00:00.000Z' });
  // 2026-11-01: 01:00-01:59:59 is shown twice, EDT (05:00Z..) then EST (06:00Z..); 02:00 is EST only.
  assert.deepEqual(convert(ny, '2026-11-01T00:59:59'), { status: WALL_UNIQUE, instant: '2026-11-01T04:59:59.000Z' });
  assert.deepEqual(convert(ny, '2026-11-01T01:00:00'), { status: WALL_AMBIGUOUS, instant: '2026-11-01T05:00:00.000Z' });
  assert.deepEqual(convert(ny, '2026-11-01T01:30:00'), { status: WALL_AMBIGUOUS, instant: '2026-11-01T05:30:00.000Z' });
  assert.deepEqual(convert(ny, '2026-11-01T01:59:59'), { status: WALL_AMBIGUOUS, instant: '2026-11-01T05:59:59.000Z' });
  assert.deepEqual(convert(ny, '2026-11-01T02:00:00'), { status: WALL_UNIQUE, instant: '2026-11-01T07:00:00.000Z' });
  // Microseconds are carried.
  assert.equal(ny.toUtc(wall('2026-07-01T12:00:00') + 412_345), WALL_UNIQUE);
  assert.equal(ny.out[0], utc('2026-07-01T16:00:00Z') + 412_345);
});

test('southern and half-hour zones: Sydney goes back in April, Lord Howe moves by 30 minutes, Kolkata has no daylight time', () => {
  const sydney = new WallClock(zone('Australia/Sydney'));
  // 2026-04-05 03:00 AEDT (+11) becomes 02:00 AEST (+10); 2026-10-04 02:00 AEST becomes 03:00 AEDT.
  assert.deepEqual(convert(sydney, '2026-04-05T02:30:00'), { status: WALL_AMBIGUOUS, instant: '2026-04-04T15:30:00.000Z' });
  assert.deepEqual(convert(sydney, '2026-10-04T02:30:00'), { status: WALL_NONEXISTENT, instant: null });
  assert.deepEqual(convert(sydney, '2026-07-01T12:00:00'), { status: WALL_UNIQUE, instant: '2026-07-01T02:00:00.000Z' });
  const lordHowe = new WallClock(zone('Australia/Lord_Howe'));
  // +11 in summer, +10:30 in winter; 2026-10-04 02:00 becomes 02:30, 2026-04-05 02:00 becomes 01:30.
  assert.deepEqual(convert(lordHowe, '2026-10-04T02:15:00'), { status: WALL_NONEXISTENT, instant: null });
  assert.deepEqual(convert(lordHowe, '2026-10-04T02:30:00'), { status: WALL_UNIQUE, instant: '2026-10-03T15:30:00.000Z' });
  assert.deepEqual(convert(lordHowe, '2026-04-05T01:45:00'), { status: WALL_AMBIGUOUS, instant: '2026-04-04T14:45:00.000Z' });
  assert.deepEqual(convert(lordHowe, '2026-04-05T01:29:00'), { status: WALL_UNIQUE, instant: '2026-04-04T14:29:00.000Z' });
  const kolkata = new WallClock(zone('Asia/Kolkata'));
  assert.deepEqual(convert(kolkata, '2026-03-08T02:30:00'), { status: WALL_UNIQUE, instant: '2026-03-07T21:00:00.000Z' });
});

test('every quarter hour of 2026 in five zones: an instant found formats back to its wall time; NY skips and repeats four quarters', () => {
  for (const name of ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo']) {
    const clock = new WallClock(zone(name));
    const format = new Intl.DateTimeFormat('en-US', { timeZone: name, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    const wallOf = (us: number): string => {
      const p = Object.fromEntries(format.formatToParts(new Date(us / 1000)).map((x) => [x.type, x.value]));
      return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
    };
    const counts = [0, 0, 0];
    const start = wall('2026-01-01T00:00:00');
    const quarters = 365 * 96;
    for (let q = 0; q < quarters; q++) {
      const w = start + q * 900_000_000;
      const status = clock.toUtc(w);
      counts[status]!++;
      const text = new Date(w / 1000).toISOString().slice(0, 16);
      if (status !== WALL_NONEXISTENT) assert.equal(wallOf(clock.out[0]!), text, `${name} ${text}`);
      // The earlier of two: an hour before it the clocks showed another wall time (read once).
      if (status === WALL_AMBIGUOUS) assert.equal(wallOf(clock.out[0]! + 3_600_000_000 * (name === 'Australia/Lord_Howe' ? 0.5 : 1)), text, `${name} ${text} later`);
    }
    if (name === 'America/New_York') assert.deepEqual(counts, [quarters - 8, 4, 4]);
    if (name === 'Europe/Berlin') assert.deepEqual(counts, [quarters - 8, 4, 4]);
    // Intl is asked per day of wall time at most, not per row (35,040 rows here).
    assert.ok(clock.intlCalls <= 365 + 2 * 30, `${name}: ${clock.intlCalls} Intl calls`);
  }
});

test('Intl is not asked per row: a week of one row a second costs fewer calls than hours', () => {
  const ny = new WallClock(zone('America/New_York'));
  const start = wall('2026-03-05T00:00:00');
  for (let s = 0; s < 7 * 86_400; s++) ny.toUtc(start + s * 1e6);
  assert.ok(ny.intlCalls > 0 && ny.intlCalls <= 7 * 24, `${ny.intlCalls} Intl calls for 168 wall hours (a DST change among them)`);
});

test('zone names: IANA names in any case, UTC, fixed offsets; unknown names and abbreviations refused with why', () => {
  assert.deepEqual(parseAssumedZone('america/chicago'), { name: 'America/Chicago', fixedSeconds: null });
  assert.deepEqual(parseAssumedZone('Asia/Kolkata'), { name: 'Asia/Kolkata', fixedSeconds: null });
  assert.deepEqual(parseAssumedZone('UTC'), { name: 'UTC', fixedSeconds: 0 });
  assert.deepEqual(parseAssumedZone('Etc/UTC'), { name: 'UTC', fixedSeconds: 0 });
  assert.deepEqual(parseAssumedZone('+02:00'), { name: '+02:00', fixedSeconds: 7200 });
  assert.deepEqual(parseAssumedZone('-0330'), { name: '-03:30', fixedSeconds: -12600 });
  assert.deepEqual(parseAssumedZone('+05'), { name: '+05:00', fixedSeconds: 18000 });
  assert.deepEqual(parseAssumedZone('+00:00'), { name: 'UTC', fixedSeconds: 0 });
  assert.match(JSON.stringify(parseAssumedZone('Amerika/Chicago')), /'Amerika\/Chicago' is no time zone/);
  assert.match(JSON.stringify(parseAssumedZone('EST')), /'EST' is an abbreviation/);
  assert.match(JSON.stringify(parseAssumedZone('CET')), /'CET' is an abbreviation/);
  assert.match(JSON.stringify(parseAssumedZone('+19:00')), /no UTC offset/);
  // A fixed offset never asks Intl.
  const plus2 = new WallClock(zone('+02:00'));
  assert.deepEqual(convert(plus2, '2026-03-29T02:30:00'), { status: WALL_UNIQUE, instant: '2026-03-29T00:30:00.000Z' });
  assert.equal(plus2.intlCalls, 0);
});
