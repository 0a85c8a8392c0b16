// Timestamp parsing to integer epoch microseconds (UTC).
// Hand-written on purpose: Date.parse keeps only milliseconds and reads offset-less ISO times as
// *local* time, which would make the output depend on the machine's time zone; evidence needs
// microseconds and a rule that does not move (offset-less = UTC, stated in the report header).

export type TimeFormat = 'iso8601' | 'iso8601-no-offset' | 'ymd-slash' | 'ymd-slash-no-offset' | 'rfc2822' | 'unix-date' | 'epoch-s' | 'epoch-ms' | 'epoch-us' | 'epoch-ns'
  | 'locale-mdy-no-offset' | 'locale-dmy-no-offset' | 'ms-json-date' | 'kibana-no-offset' | 'dotted-dmy-no-offset' | 'ymd-dotted' | 'ymd-dotted-no-offset'
  | 'clf' | 'month-name' | 'month-name-no-offset' | 'js-date';

export const TIME_FORMAT_LABEL: Record<TimeFormat, string> = {
  'iso8601': 'ISO 8601 with UTC offset',
  'iso8601-no-offset': 'ISO 8601 without offset, read as UTC',
  'ymd-slash': 'YYYY/MM/DD date and time with UTC offset',
  'ymd-slash-no-offset': 'YYYY/MM/DD date and time without offset, read as UTC',
  'rfc2822': 'RFC 2822 date (Mon, 02 Mar 2026 14:03:11 GMT)',
  'unix-date': 'date(1) output (Mon Mar  2 14:03:11 UTC 2026)',
  'epoch-s': 'epoch seconds',
  'epoch-ms': 'epoch milliseconds',
  'epoch-us': 'epoch microseconds',
  'epoch-ns': 'epoch nanoseconds',
  // Read by the generic adapter in the order --date-order gives (export-util parseSlashDate).
  'locale-mdy-no-offset': 'locale date (M/D/YYYY, --date-order), read as UTC',
  'locale-dmy-no-offset': 'locale date (D/M/YYYY, --date-order), read as UTC',
  'ms-json-date': 'Microsoft JSON date /Date(ms)/ (UTC)',
  'kibana-no-offset': 'Kibana date (Mar 2, 2026 @ 14:19:05.444) without offset, read as UTC',
  'dotted-dmy-no-offset': 'dotted date, day first (D.M.YYYY), read as UTC',
  'ymd-dotted': 'YYYY.MM.DD date and time with UTC offset',
  'ymd-dotted-no-offset': 'YYYY.MM.DD date and time without offset, read as UTC',
  'clf': 'Common Log Format time (01/Mar/2026:14:03:11 +0000, web servers\' logs)',
  'month-name': 'date with an English month name (Mar 2, 2026, 2:03:11 PM) with UTC offset',
  'month-name-no-offset': 'date with an English month name (Mar 2, 2026, 2:03:11 PM) without offset, read as UTC',
  'js-date': 'JavaScript Date string (Mon Mar 02 2026 14:03:11 GMT+0000 (Coordinated Universal Time))',
};

const ISO_RE =
  /^(\d{4})([-/.])(\d{2})\2(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH_RE = /^\d{1,19}(?:\.\d{1,9})?$/;
/**
 * RFC 2822 / RFC 1123 dates, as mail headers, HTTP logs and some SaaS exports write them:
 * `[Mon, ]02 Mar 2026 14:03[:11[.412]] GMT|UT|UTC|Z|+0000|+00:00`, and the zones RFC 2822 names
 * (EST EDT CST CDT MST MDT PST PDT). A zone is required: the format has no local-time reading.
 */
const RFC2822_RE =
  /^(?:(mon|tue|wed|thu|fri|sat|sun),?\s+)?(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s+(gmt|ut|utc|z|[+-]\d{2}:?\d{2}|[ecmp][sd]t)$/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** RFC 2822's North American zones, hours east of UTC. */
const RFC2822_ZONES: Record<string, number> = { est: -5, edt: -4, cst: -6, cdt: -5, mst: -7, mdt: -6, pst: -8, pdt: -7 };

/** Minutes east of UTC of a written offset, `+0100` or `-05:00`; null past ±18:59. */
function signedOffsetMinutes(zone: string): number | null {
  const digits = zone.slice(1).replace(':', '');
  const oh = Number(digits.slice(0, 2));
  const om = Number(digits.slice(2, 4));
  if (oh > 18 || om > 59) return null;
  return (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
}

/** An RFC 2822 date (RFC2822_RE); null when it is not one, names a day that does not exist, or a weekday that is not its own. */
function rfc2822(s: string): ParsedTime | null {
  const m = RFC2822_RE.exec(s);
  if (m === null) return null;
  const [, weekday, dayText, monthText, yearText, hh, mm, ss, frac, zoneText] = m;
  const day = Number(dayText);
  const month = MONTHS.indexOf(monthText!.toLowerCase()) + 1;
  const year = Number(yearText);
  const hour = Number(hh);
  const minute = Number(mm);
  const second = ss === undefined ? 0 : Number(ss);
  if (day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return null;
  const dateMs = Date.UTC(year, month - 1, day);
  // A weekday that is not the date's own is a damaged or hand-edited cell: not guessed which is right.
  if (weekday !== undefined && WEEKDAYS[new Date(dateMs).getUTCDay()] !== weekday.toLowerCase()) return null;
  const zone = zoneText!.toLowerCase();
  let offsetMin = 0;
  if (zone in RFC2822_ZONES) offsetMin = RFC2822_ZONES[zone]! * 60;
  else if (zone[0] === '+' || zone[0] === '-') {
    const signed = signedOffsetMinutes(zone);
    if (signed === null) return null;
    offsetMin = signed;
  }
  // As the ISO readers: the first six fraction digits (µs), floored; a leap second counts as :59.
  const fracUs = frac === undefined ? 0 : Number(frac.slice(0, 6).padEnd(6, '0'));
  const ms = dateMs + hour * 3_600_000 + minute * 60_000 + Math.min(second, 59) * 1000 - offsetMin * 60_000;
  return { timeUs: ms * 1000 + fracUs, format: 'rfc2822' };
}

/**
 * What `date` prints in the C locale, as shell scripts that log pings write it (`echo "$(date),..."`):
 * `Mon Mar  2 14:03:11 UTC 2026`, the same fields as RFC 2822 in another order, read by its rules
 * (a zone required, the weekday the date's own).
 */
const UNIX_DATE_RE =
  /^(mon|tue|wed|thu|fri|sat|sun)\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+(\d{1,2})\s+(\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)\s+(gmt|ut|utc|z|[+-]\d{2}:?\d{2}|[ecmp][sd]t)\s+(\d{4})$/i;

/** A date of `re`'s shape whose fields are RFC 2822's in another order (`asRfc2822` puts them back), read by its rules as `format`. */
function reorderedRfc2822(s: string, re: RegExp, asRfc2822: (fields: string[]) => string, format: TimeFormat): ParsedTime | null {
  const m = re.exec(s);
  if (m === null) return null;
  const parsed = rfc2822(asRfc2822(m));
  return parsed === null ? null : { timeUs: parsed.timeUs, format };
}

const unixDate = (s: string): ParsedTime | null => reorderedRfc2822(s, UNIX_DATE_RE,
  ([, weekday, month, day, clock, zone, year]) => `${weekday}, ${day} ${month} ${year} ${clock} ${zone}`, 'unix-date');

/**
 * What JavaScript's `String(new Date())` (Date.prototype.toString) writes, as Node and browser
 * scripts that log pings print it: `Mon Mar 02 2026 14:03:11 GMT+0000 (Coordinated Universal
 * Time)`, the offset always there, the zone's name in brackets (left out). Read by RFC 2822's rules.
 */
const JS_DATE_RE =
  /^(mon|tue|wed|thu|fri|sat|sun)\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+(\d{1,2})\s+(\d{4})\s+(\d{2}:\d{2}:\d{2})\s+GMT([+-]\d{4})(?:\s+\([^()]*\))?$/i;

const jsDate = (s: string): ParsedTime | null => reorderedRfc2822(s, JS_DATE_RE,
  ([, weekday, month, day, year, clock, offset]) => `${weekday}, ${day} ${month} ${year} ${clock} ${offset}`, 'js-date');

/**
 * Microsoft's JSON date, `/Date(1772461145444)/`, as Windows PowerShell 5.1's ConvertTo-Json and
 * OData v3 verbose JSON write it (`"\/Date(...)\/"` in the file, the escaped slashes unescaped by
 * JSON). The number is UTC milliseconds; an offset after it (`/Date(1772461145444+0100)/`) only says
 * which zone the writer was in, and does not move the instant.
 */
const MS_JSON_DATE_RE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

function msJsonDate(s: string): ParsedTime | null {
  const m = MS_JSON_DATE_RE.exec(s);
  return m === null ? null : { timeUs: Number(m[1]) * 1000, format: 'ms-json-date' };
}

/**
 * Kibana's default date format (advanced setting `dateFormat`, `MMM D, YYYY @ HH:mm:ss.SSS`), as
 * Discover's CSV export writes `@timestamp`: `Mar 2, 2026 @ 14:19:05.444`. It is written in the
 * zone of the browser that exported it (`dateFormat:tz`, "Browser" by default) and says none: read
 * as UTC, as every offset-less time is, and warned of.
 */
const KIBANA_RE = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+(\d{1,2}),\s+(\d{4})\s+@\s+(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/i;

function kibanaDate(s: string): ParsedTime | null {
  const m = KIBANA_RE.exec(s);
  if (m === null) return null;
  const [, month, day, year, hh, mm, ss, frac] = m;
  const timeUs = wallClockUs(Number(year), MONTHS.indexOf(month!.toLowerCase()) + 1, Number(day), Number(hh), Number(mm), ss === undefined ? 0 : Number(ss), frac);
  return timeUs === null ? null : { timeUs, format: 'kibana-no-offset' };
}

/**
 * The Common Log Format's time, as Apache (`%t`) and nginx (`$time_local`) write it:
 * `01/Mar/2026:14:03:11 +0100`, in brackets in the log line itself and often without them in an
 * export; the offset is always there. The same fields as RFC 2822 in another order, read by its rules.
 */
const CLF_RE = /^\[?(\d{2})\/(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\/(\d{4}):(\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)\s+([+-]\d{4})\]?$/i;

const clfDate = (s: string): ParsedTime | null => reorderedRfc2822(s, CLF_RE,
  ([, day, month, year, clock, offset]) => `${day} ${month} ${year} ${clock} ${offset}`, 'clf');

/** English month names, full or abbreviated (`Sep`, `Sept`, `September`), with an optional dot. */
const MONTH_NAME = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
/** A time of day after such a date: 24-hour, or 12-hour with AM/PM; then an optional offset (`Z`, `UTC`, `GMT`, `+01:00`, `+0100`). */
const MONTH_NAME_CLOCK = '(?:at\\s+)?(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?\\s*([ap]\\.?m\\.?)?(?:\\s*(z|utc|gmt|[+-]\\d{2}:?\\d{2}))?';
const WEEKDAY_PREFIX = '(?:(mon|tue|wed|thu|fri|sat|sun)[a-z]*\\.?,?\\s+)?';
/** `Mar 2, 2026, 2:03:11 PM`, `March 2, 2026 at 14:03:11`, `Mon, Mar 2, 2026 2:03 PM`: month first. */
const MONTH_FIRST_RE = new RegExp(`^${WEEKDAY_PREFIX}${MONTH_NAME}\\s+(\\d{1,2}),?\\s+(\\d{4}),?\\s+${MONTH_NAME_CLOCK}$`, 'i');
/** `2 Mar 2026 14:03:11`, `02-Mar-2026 14:03:11`, `2 March 2026 at 2:03 PM`: day first (a zone-less RFC 2822 falls here). */
const DAY_FIRST_RE = new RegExp(`^${WEEKDAY_PREFIX}(\\d{1,2})([\\s-])${MONTH_NAME}\\3(\\d{4}),?\\s+${MONTH_NAME_CLOCK}$`, 'i');
/** `2026-Mar-02 14:03:11`: year first. */
const YEAR_FIRST_RE = new RegExp(`^(\\d{4})-${MONTH_NAME}-(\\d{1,2})[\\sT]${MONTH_NAME_CLOCK}$`, 'i');

/**
 * Dates whose month is an English name, as report tools, Java's and JavaScript's en-US/en-GB date
 * formats and spreadsheets write them: `Mar 2, 2026, 2:03:11 PM` (ICU's medium date and time, with
 * U+202F before PM in newer ICU), `2 Mar 2026 14:03:11`, `02-Mar-2026 14:03:11`, `2026-Mar-02
 * 14:03:11`. A month name leaves no day-month order to decide. AM/PM as written (12 AM is midnight;
 * an hour of 0 or above 12 beside AM/PM is no time); a weekday, when written, must be the date's own.
 * An offset after the time is read; without one, read as UTC and warned of, as every offset-less time.
 */
function monthNameDate(s: string): ParsedTime | null {
  let year: string, monthText: string, day: string, rest: string[];
  let weekday: string | undefined;
  let m = MONTH_FIRST_RE.exec(s);
  if (m !== null) [, weekday, monthText, day, year, ...rest] = m as unknown as string[];
  else if ((m = DAY_FIRST_RE.exec(s)) !== null) [, weekday, day, , monthText, year, ...rest] = m as unknown as string[];
  else if ((m = YEAR_FIRST_RE.exec(s)) !== null) [, year, monthText, day, ...rest] = m as unknown as string[];
  else return null;
  const [hh, mm, ss, frac, meridiem, zoneText] = rest;
  const month = MONTHS.indexOf(monthText!.slice(0, 3).toLowerCase()) + 1;
  let hour = Number(hh);
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem[0]!.toLowerCase() === 'p' ? 12 : 0);
  }
  const wallUs = wallClockUs(Number(year), month, Number(day), hour, Number(mm), ss === undefined ? 0 : Number(ss), frac);
  if (wallUs === null) return null;
  if (weekday !== undefined && WEEKDAYS[new Date(Math.floor(wallUs / 1000)).getUTCDay()] !== weekday.toLowerCase()) return null;
  if (zoneText === undefined) return { timeUs: wallUs, format: 'month-name-no-offset' };
  const zone = zoneText.toLowerCase();
  const offsetMin = zone[0] === '+' || zone[0] === '-' ? signedOffsetMinutes(zone) : 0;
  return offsetMin === null ? null : { timeUs: wallUs - offsetMin * 60_000_000, format: 'month-name' };
}

/**
 * Dotted dates with the year last, day first: `02.03.2026 14:19:05`, `2.3.2026 14:19`,
 * `3.2.2025, 07:05:00.671` (the Azure portal in a German browser), as German, Austrian, Swiss,
 * Nordic, Polish, Russian, Turkish and other locales write them (DIN 5008's day.month.year). No
 * locale writes a dotted date month first, so no --date-order is needed. A two-digit year as
 * twoDigitYear says. No offset: read as UTC, and warned of.
 */
const DOTTED_DMY_RE = /^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?$/;

function dottedDate(s: string): ParsedTime | null {
  const m = DOTTED_DMY_RE.exec(s);
  if (m === null) return null;
  const [, day, month, yearText, hh, mm, ss, frac] = m;
  const year = yearText!.length === 2 ? twoDigitYear(Number(yearText)) : Number(yearText);
  if (year === null) return null;
  const timeUs = wallClockUs(year, Number(month), Number(day), Number(hh), Number(mm), ss === undefined ? 0 : Number(ss), frac);
  return timeUs === null ? null : { timeUs, format: 'dotted-dmy-no-offset' };
}

/**
 * The year a two-digit year means, where the common rules agree: 00-29 are 2000-2029 and 69-99
 * are 1969-1999 under Excel's and Windows' (1930-2029), .NET's (1950-2049) and POSIX strptime's
 * (1969-2068) alike. They part on 30-68 (Excel reads 35 as 1935, strptime as 2035): null, not read.
 */
export function twoDigitYear(yy: number): number | null {
  if (yy <= 29) return 2000 + yy;
  return yy >= 69 ? 1900 + yy : null;
}

/** Why a day-month-year date with a two-digit year is not read (twoDigitYear), else null: for a rejection's detail. */
export function twoDigitYearDoubt(text: string): string | null {
  const m = /^\s*\d{1,2}[./]\d{1,2}[./](\d{2}),?\s/.exec(text);
  if (m === null || twoDigitYear(Number(m[1])) !== null) return null;
  return `two-digit year '${m[1]}': 19${m[1]} or 20${m[1]}, as rules differ; only 00-29 (20xx) and 69-99 (19xx) are read`;
}

/**
 * Why a number Excel wrote is no time we can read, else null: for a rejection's detail. An epoch in
 * scientific notation (`1.7653E+09`, what Excel shows and saves for a long number in a General
 * column) has kept a few significant digits, the rest of the time lost (hours, for 5 digits of
 * seconds): not read. A number of 1990..2099's Excel date serials (`46363.86`, a date column saved
 * as General) read as epoch seconds is a moment of 1970: named, as it is out of range anyway.
 */
export function excelNumberDoubt(text: string): string | null {
  const s = text.trim();
  const sci = /^\d(?:\.(\d+))?[eE]\+?\d{1,2}$/.exec(s);
  if (sci !== null) {
    return `a number in scientific notation, as Excel saves a long number, keeping ${1 + (sci[1]?.length ?? 0)} significant digits: `
      + 'not read as a time; save the column formatted as Number with 0 decimals';
  }
  const serial = /^\d{5}(?:\.\d+)?$/.test(s) ? Number(s) : NaN;
  // 32874 is 1990-01-01 and 73051 2100-01-01 as Excel counts days (from 1899-12-30).
  if (serial >= 32874 && serial < 73051) {
    return `an Excel date serial number? it would be ${formatTimeUs(Math.round((serial - 25569) * 86_400_000) * 1000)}; save the column formatted as a date and time`;
  }
  return null;
}

/**
 * Epoch µs of a date and time of day read as UTC; null when the day or the time does not exist.
 * As the ISO readers: the first six fraction digits (µs), floored; a leap second counts as :59.
 */
function wallClockUs(year: number, month: number, day: number, hour: number, minute: number, second: number, frac: string | undefined): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return null;
  const fracUs = frac === undefined ? 0 : Number(frac.slice(0, 6).padEnd(6, '0'));
  return Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59)) * 1000 + fracUs;
}

// Plausible range for evidence timestamps: 1990-01-01 .. 2100-01-01 (UTC), in µs.
export const MIN_TIME_US = 631152000_000000;
export const MAX_TIME_US = 4102444800_000000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1-12) of `year` (Gregorian): every time reader checks its day against this. */
export function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

export interface ParsedTime {
  timeUs: number;
  format: TimeFormat;
}

/** Epoch unit from magnitude: seconds until ~5138 AD would be < 1e11, ms < 1e14, µs < 1e17. */
function epochFormat(integerDigits: number): TimeFormat {
  if (integerDigits <= 11) return 'epoch-s';
  if (integerDigits <= 14) return 'epoch-ms';
  if (integerDigits <= 17) return 'epoch-us';
  return 'epoch-ns';
}

const EPOCH_SCALE_US: Record<string, number> = { 'epoch-s': 1e6, 'epoch-ms': 1e3, 'epoch-us': 1, 'epoch-ns': 1e-3 };

/** Parse one timestamp; null when it is not a timestamp at all. Range is checked by the caller. */
export function parseTimestamp(text: string): ParsedTime | null {
  const s = text.trim();
  if (s.length === 0) return null;
  if (s.length > 48) return jsDate(s) ?? withZoneName(s);
  if (EPOCH_RE.test(s)) {
    const dot = s.indexOf('.');
    const intPart = dot < 0 ? s : s.slice(0, dot);
    const format = epochFormat(intPart.replace(/^0+(?=\d)/, '').length);
    const scale = EPOCH_SCALE_US[format]!;
    let timeUs: number;
    if (format === 'epoch-ns') {
      // 19-digit ns values exceed 2^53: split to keep µs exact.
      timeUs = Number(intPart.slice(0, -3) || '0') + Math.floor(Number(intPart.slice(-3)) / 1000);
    } else {
      const frac = dot < 0 ? 0 : Number('0' + s.slice(dot));
      timeUs = Number(intPart) * scale + Math.round(frac * scale);
    }
    return { timeUs: Math.round(timeUs), format };
  }
  return commonIso(s) ?? isoByExpression(s) ?? rfc2822(s) ?? unixDate(s) ?? msJsonDate(s) ?? kibanaDate(s) ?? dottedDate(s) ?? clfDate(s) ?? monthNameDate(s) ?? jsDate(s) ?? withZoneName(s);
}

/** A time with its offset, then the zone's name, and Go's monotonic clock reading after it (see withZoneName). */
const ZONE_NAME_AFTER_OFFSET_RE = /^(.{10,48}?(?:[+-]\d{2}(?::?\d{2})?|Z))\s+[A-Z]{2,5}(?:\s+m=[+-]\d+(?:\.\d+)?)?$/;

/**
 * A time whose offset is written and then named: Go's time.Time.String() (`2026-12-07 20:43:32.123
 * +0000 UTC`, with ` m=+0.000012345` when the value still holds a monotonic clock reading), `... Z
 * GMT`, `... -0500 EST`. The offset says the moment; the name adds nothing and is left out (a name
 * alone, without an offset, is never read: `EST` and `IST` mean more than one zone).
 */
function withZoneName(s: string): ParsedTime | null {
  const m = ZONE_NAME_AFTER_OFFSET_RE.exec(s);
  if (m === null) return null;
  const head = m[1]!;
  const parsed = commonIso(head) ?? isoByExpression(head);
  return parsed !== null && !parsed.format.endsWith('-no-offset') ? parsed : null;
}

const digitAt = (s: string, i: number): number => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
};
const twoDigits = (s: string, i: number): number => {
  const a = digitAt(s, i);
  const b = digitAt(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
};

/**
 * The shape nearly every export writes, `YYYY-MM-DD[Tt ]HH:MM:SS[.f…][Z|z|±HH:MM]`, read by hand
 * into the result the expression gives; null for anything else or anything in doubt, which the
 * expression then decides. Why by hand: the expression cost ~0.4 µs a row, a fifth of reading a
 * JSON Lines file (the delimited byte lane has its own byte version, `isoTime`).
 */
export function commonIso(s: string): ParsedTime | null {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return null;
  const y1 = twoDigits(s, 0);
  const y2 = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return null;
  const year = y1 * 100 + y2;
  if (day > daysInMonth(year, month)) return null;
  let i = 19;
  let fracUs = 0;
  if (i < n && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
    const start = ++i;
    while (i < n && digitAt(s, i) >= 0) i++;
    const digits = i - start;
    if (digits < 1 || digits > 9) return null;
    // The expression keeps the first six digits (µs) and floors: the same, in integers.
    for (let k = 0; k < 6; k++) fracUs = fracUs * 10 + (k < digits ? s.charCodeAt(start + k) - 48 : 0);
  }
  let offsetMin = 0;
  let zoned = false;
  if (i < n) {
    const c = s.charCodeAt(i);
    if ((c === 90 || c === 122) && i + 1 === n) zoned = true;
    else if ((c === 43 || c === 45) && i + 6 === n && s.charCodeAt(i + 3) === 58) {
      const oh = twoDigits(s, i + 1);
      const om = twoDigits(s, i + 4);
      if (oh < 0 || om < 0 || oh > 18 || om > 59) return null;
      offsetMin = (c === 45 ? -1 : 1) * (oh * 60 + om);
      zoned = true;
    } else return null;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59)) - offsetMin * 60000;
  return { timeUs: ms * 1000 + fracUs, format: zoned ? 'iso8601' : 'iso8601-no-offset' };
}

/** ISO 8601 and its year-first slash form by the regular expression: the reference for every shape. */
export function isoByExpression(s: string): ParsedTime | null {
  const m = ISO_RE.exec(s);
  if (m === null) return null;
  // Year first with '/' or '.' (2026/03/02 14:03:11, 2026.03.02 14:03:11, as some tools write): the
  // same fields, never ambiguous (no locale writes a four-digit year first, then the day).
  const separator = m[2];
  const year = Number(m[1]);
  const month = Number(m[3]);
  const day = Number(m[4]);
  const hour = m[5] === undefined ? 0 : Number(m[5]);
  const minute = m[6] === undefined ? 0 : Number(m[6]);
  const second = m[7] === undefined ? 0 : Number(m[7]);
  if (month < 1 || month > 12 || day < 1) return null;
  if (day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return null;
  const fracUs = m[8] === undefined ? 0 : Math.floor(Number(('0.' + m[8]).slice(0, 8)) * 1e6 + 1e-7);
  let offsetMin = 0;
  const zone = m[9];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z' && zone !== 'UTC' && zone !== 'GMT') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 18 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59)) - offsetMin * 60000;
  const named = separator === '/' ? 'ymd-slash' : separator === '.' ? 'ymd-dotted' : 'iso8601';
  const format: TimeFormat = zone === undefined ? `${named}-no-offset` : named;
  return { timeUs: ms * 1000 + fracUs, format };
}

/** ISO 8601 (UTC, µs when needed) rendering of epoch µs, machine-independent. */
export function formatTimeUs(timeUs: number): string {
  const ms = Math.floor(timeUs / 1000);
  const us = timeUs - ms * 1000;
  const iso = new Date(ms).toISOString();
  return us === 0 ? iso : iso.replace('Z', String(us).padStart(3, '0') + 'Z');
}

/**
 * Parse a --since/--until (or --now) value: an ISO date/time (offset-less = UTC) or epoch; null
 * when it is neither. An epoch outside the range evidence is read in (1990..2099) is refused with
 * why (`bad`): `2026` or `20261101` are digits as epoch seconds, a moment of 1970, and would
 * silently leave out nothing (--since) or everything (--until).
 */
export function parseBound(text: string): { us: number } | { bad: string } | null {
  const parsed = parseTimestamp(text);
  if (parsed === null) return null;
  if (parsed.format.startsWith('epoch-') && (parsed.timeUs < MIN_TIME_US || parsed.timeUs > MAX_TIME_US)) {
    return { bad: `'${text.trim()}' reads as ${TIME_FORMAT_LABEL[parsed.format]}, ${formatTimeUs(parsed.timeUs)}, outside 1990..2099 (a date is written 2026-03-02)` };
  }
  return { us: parsed.timeUs };
}
