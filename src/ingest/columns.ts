// Header aliases for generic timing files, and the resolution of a header into roles.
// The alias table is product knowledge (which column name means which kind of latency), so it
// lives here as data; the README prints the same table.
import type { Kind } from '../types.js';
import { KINDS } from '../types.js';
import { inputError, usageError } from '../errors.js';

export type Unit = 'ms' | 's' | 'us' | 'ns';

export const UNIT_TO_MS: Record<Unit, number> = { ms: 1, s: 1000, us: 0.001, ns: 0.000001 };

export const ACCOUNT_ALIASES = [
  'account', 'user', 'username', 'user_name', 'account_name', 'accountname', 'upn', 'userprincipalname',
  'user_principal_name', 'principal', 'login', 'login_name', 'employee', 'email', 'samaccountname', 'user_id', 'userid',
  'user_email', 'user_upn', 'account_id', 'accountid', 'employee_id', 'login_id',
];
export const TIME_ALIASES = [
  'time', 'timestamp', 'ts', 'datetime', 'date_time', 'time_utc', 'timestamp_utc', 'timegenerated', 'time_generated',
  'event_time', 'eventtime', '@timestamp', 'time_epoch', 'epoch', 'frame.time_epoch', 'created_at', 'start_time', 'date',
  // Epoch numbers are told apart by magnitude (s, ms, µs, ns), so a unit in the name changes nothing.
  'time_stamp', 'event_timestamp', 'datetime_utc', 'sample_time', 'recorded_at', 'logged_at', 'epoch_s', 'epoch_ms',
  'epoch_us', 'timestamp_s', 'timestamp_ms', 'timestamp_us', 'ts_ms', 'unix_time', 'unixtime', 'unix_timestamp',
  // Web servers' log fields (nginx $time_local, $time_iso8601; Apache %t as time_received).
  'time_local', 'time_iso8601', 'time_received',
  // Sumo Logic: a message's own time (`_messagetime` in the Search Job API and its exports,
  // `messageTime` in data forwarding's CSV; epoch ms) and an aggregate's bucket (`_timeslice`).
  // Never `_receipttime`: when Sumo received the message, seconds to hours after it was written.
  'messagetime', 'message_time', 'timeslice',
  // A session's start, as session-level VDI exports name it (a row per session with its average
  // round trip, "Session Start" beside "Session End"): the start, never the end; after every name
  // above, so that a row's own time wins where both are present.
  'session_start', 'session_start_time', 'sessionstart', 'session_started',
];
/** Date columns that a time-of-day column is read with, and the time columns that may hold only a time of day. */
export const DATE_ALIASES = ['date', 'day', 'event_date', 'date_utc', 'log_date'];
const TIME_OF_DAY_ALIASES = ['time', 'time_utc', 'event_time', 'start_time', 'time_of_day'];
export const SESSION_ALIASES = [
  'session', 'session_id', 'sessionid', 'connection', 'connection_id', 'conn_id', 'correlationid', 'correlation_id',
  'stream', 'stream_id', 'tcp.stream', 'sid', 'session_key', 'sessionkey', 'session_guid', 'session_uuid', 'connection_guid',
];
export const KIND_ALIASES = ['kind', 'metric', 'latency_kind', 'measure', 'measurement'];
/** InfluxDB's field column (`_field`): what each row's `_value` is (resolveColumns). */
const INFLUX_FIELD = 'field';
/** Prometheus' metric-name label (`__name__`) as a column: what each row's value is (resolveColumns). */
const PROMETHEUS_METRIC_NAME = '__name__';
/**
 * Grafana's name for a query's value in its table view and CSV download (Prometheus, Loki: *Format:
 * Table*): `Value`, or `Value #A`, `Value #B` (the query's refId) when the panel has several queries.
 * Matched as Grafana writes it (capital V), with its time column `Time`: a file's own `value` is a
 * generic value as before.
 */
const GRAFANA_VALUE_RE = /^Value(?: #(.+))?$/;
const GRAFANA_TIME = 'Time';
/** The text of a header cell as written (a BOM and surrounding spaces aside). */
const cellText = (name: string): string => name.replace(/^\uFEFF/, '').trim();

/**
 * InfluxDB 1.x's CLI (`influx -format csv`, `-execute 'SELECT ...'`) writes each series' measurement
 * as `name` first, then, for a query grouped by tags (GROUP BY user, GROUP BY *), its tags in one
 * `tags` cell (`"host=vdi1,user=alice"`), then `time` (epoch ns by default) and the query's columns.
 */
function influxCliColumns(header: readonly string[]): { name: number; tags: number } | null {
  const cells = header.map(cellText);
  if (cells[0] !== 'name' || (cells[1] !== 'tags' && cells[1] !== 'time')) return null;
  if (cells[1] === 'tags' && cells[2] !== 'time') return null;
  return { name: 0, tags: cells[1] === 'tags' ? 1 : -1 };
}

/**
 * The account in an InfluxDB 1.x `tags` cell (`host=vdi1,user=alice`, sorted by key, as the CLI
 * joins them): the tag `key` names (--account-col), else the first tag whose key is an account's name
 * in ACCOUNT_ALIASES' order (`user`, `username`, `upn`...); null when none is there.
 */
export function accountInTags(cell: string, key: string | null): string | null {
  const tags = new Map<string, string>();
  for (const pair of cell.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) tags.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  if (key !== null) {
    const target = normaliseHeader(key);
    for (const [k, v] of tags) if (normaliseHeader(k) === target) return v === '' ? null : v;
    return null;
  }
  const keys = [...tags.keys()];
  const keyForms = keys.map(headerForms);
  for (const alias of ACCOUNT_ALIASES) {
    const i = keyForms.findIndex((f) => f.includes(alias));
    if (i >= 0) return tags.get(keys[i]!) || null;
  }
  return null;
}

/** Optional per-row server (for --servers: where the round trip ended) and client address (for --geoip-db). */
export const SERVER_ALIASES = [
  'server', 'server_name', 'servername', 'session_host', 'sessionhost', 'sessionhostname', 'session_host_name', 'gateway',
  'datacenter', 'data_center', 'server_region', 'server_location',
];
export const CLIENT_ADDRESS_ALIASES = [
  'client_ip', 'clientip', 'client_ip_address', 'clientipaddress', 'client_address', 'client_addr', 'client_public_ip',
  'source_ip', 'src_ip', 'ip_src', 'remote_ip', 'remote_addr', 'c_ip', 'ip', 'ip_address', 'ipaddress',
];

/** Value column aliases: name -> kind and unit. `value*` columns take their kind from the kind column. */
interface ValueAlias { name: string; kind: Kind | null; unit: Unit | null }
const NAMED_VALUE_ALIASES: ValueAlias[] = [
  // transport round trips
  ...['rtt', 'rtt_ms', 'round_trip_ms', 'roundtrip_ms', 'round_trip_time_ms', 'rtt_msec', 'est_rtt_ms',
    'estroundtriptimeinms', 'network_rtt_ms', 'tcp_rtt_ms', 'ping_ms', 'icalatency', 'ica_latency_ms',
    // Amazon WorkSpaces' CloudWatch metric: "the round trip time between the WorkSpaces client and the
    // WorkSpace", in ms (WorkSpaces Administration Guide, metrics); was an input_lag by its word 'latency'.
    'insessionlatency', 'in_session_latency']
    .map((name) => ({ name, kind: 'rtt' as Kind, unit: null })),
  { name: 'rtt_us', kind: 'rtt', unit: 'us' },
  { name: 'rtt_s', kind: 'rtt', unit: 's' },
  { name: 'tcp.analysis.ack_rtt', kind: 'rtt', unit: 's' },
  // application round trips
  ...['app_rtt', 'app_rtt_ms', 'application_rtt_ms', 'echo_ms', 'echo_rtt_ms', 'keystroke_echo_ms', 'icarttms', 'ica_rtt_ms']
    .map((name) => ({ name, kind: 'app_rtt' as Kind, unit: null })),
  // reported lag of unknown nature
  ...['latency', 'latency_ms', 'lag', 'lag_ms', 'input_lag', 'input_lag_ms', 'input_latency_ms', 'input_delay_ms', 'delay_ms']
    .map((name) => ({ name, kind: 'input_lag' as Kind, unit: null })),
  // human in the loop
  ...['reaction', 'reaction_ms', 'reaction_time_ms'].map((name) => ({ name, kind: 'reaction' as Kind, unit: null })),
  ...['keystroke_interval', 'keystroke_interval_ms', 'interkey_ms', 'inter_key_ms', 'key_interval_ms']
    .map((name) => ({ name, kind: 'keystroke_interval' as Kind, unit: null })),
  // generic: kind from the kind column (or input_lag)
  ...['value', 'value_ms', 'ms', 'duration_ms'].map((name) => ({ name, kind: null, unit: null })),
];
export const VALUE_ALIASES: ValueAlias[] = NAMED_VALUE_ALIASES.flatMap((alias) => [alias, ...otherUnits(alias)]);

/** `latency_ms` also as `latency_s` (seconds), `latency_us` (µs) and `latency_ns`, unless named above (rtt_s, rtt_us). */
function otherUnits(alias: ValueAlias): ValueAlias[] {
  if (alias.unit !== null || !alias.name.endsWith('_ms')) return [];
  const stem = alias.name.slice(0, -3);
  return (['s', 'us', 'ns'] as const).filter((unit) => !NAMED_VALUE_ALIASES.some((a) => a.name === `${stem}_${unit}`))
    .map((unit) => ({ name: `${stem}_${unit}`, kind: alias.kind, unit }));
}

const KIND_VALUE_SYNONYMS: Record<string, Kind> = {
  rtt: 'rtt', transport_rtt: 'rtt', tcp_rtt: 'rtt', ping: 'rtt', network_rtt: 'rtt',
  app_rtt: 'app_rtt', application_rtt: 'app_rtt', echo: 'app_rtt', keystroke_echo: 'app_rtt',
  reaction: 'reaction', reaction_time: 'reaction',
  keystroke_interval: 'keystroke_interval', interkey: 'keystroke_interval', inter_key: 'keystroke_interval',
  input_lag: 'input_lag', latency: 'input_lag', lag: 'input_lag', input_latency: 'input_lag',
};

/** Kind named in a kind column cell; null when unknown. */
export function kindFromText(text: string): Kind | null {
  const key = text.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return KIND_VALUE_SYNONYMS[key] ?? null;
}

/**
 * The kind, and the unit when it names one, of a kind column's cell: a kind's name (`rtt`, `echo`),
 * else the name of a latency column or metric (`rtt_us`, `latency_s`, Prometheus'
 * `rdp_rtt_seconds`, a dotted `rdp.rtt.ms`), read as a header's name is (an alias, or latency words
 * with qualifiers only and a unit: `rdp_jitter_seconds`, `rtt_max_ms`, `packets_received` and
 * `response_time` name none). InfluxDB's
 * `_field` and Prometheus' `__name__` say so of the row's value. Null when it names no kind.
 */
export function kindOfCell(text: string): { kind: Kind; unit: Unit | null } | null {
  const kind = kindFromText(text);
  if (kind !== null) return { kind, unit: null };
  const forms = headerForms(text);
  const alias = valueAliasIn(forms);
  if (alias !== undefined) return alias.kind === null ? null : { kind: alias.kind, unit: alias.unit ?? unitNamed(forms) };
  // By its words only with its unit: a name without one says nothing of it, and metrics are often
  // seconds (Telegraf's http_response and net_response `response_time`), which read as ms would be
  // latencies a thousand times too small. Such a row stays kind_unknown.
  const byWords = latencyKindByWords(forms);
  const unit = unitNamed(forms);
  return byWords === null || unit === null ? null : { kind: byWords, unit };
}

export function parseKindName(text: string): Kind {
  const k = kindFromText(text);
  if (k === null) throw usageError(`unknown kind '${text}' (kinds: ${KINDS.join(', ')})`);
  return k;
}

export interface ColumnOptions {
  accountCol?: string | undefined;
  timeCol?: string | undefined;
  sessionCol?: string | undefined;
  kindCol?: string | undefined;
  /** `COL` or `COL:KIND`, repeatable. */
  valueCols?: string[] | undefined;
  unit?: Unit | undefined;
  /** Latency cells use a decimal comma (`59,6`): read as a point. */
  decimalComma?: boolean | undefined;
  /** Column naming the server of each row (default: detected from SERVER_ALIASES). */
  serverCol?: string | undefined;
  /** Column holding the client's IP address (default: detected from CLIENT_ADDRESS_ALIASES). */
  ipCol?: string | undefined;
  /**
   * One column per account (Grafana's "Series joined by time" CSV, a Splunk timechart by user):
   * every column but the time is one account's series of this kind, the account its name.
   */
  accountColumns?: Kind | undefined;
}

export interface ValueColumn {
  index: number;
  name: string;
  /** Fixed kind, or null: take it from the kind column (default input_lag). */
  kind: Kind | null;
  toMs: number;
  unitLabel: Unit;
  /**
   * The unit came from --unit or the column's name (rtt_ms, RTT (s), latencyUs); false when a name
   * without one (rtt, latency) was read as ms by default: its values are then checked for a unit
   * that does not fit (ValueRange, `unitWarnings`).
   */
  unitStated: boolean;
  /** The account whose series the column is (one column per account: seriesColumnsPlan); the row's account otherwise. */
  account?: string;
}

export interface ColumnPlan {
  /** The account column; -1 when each value column names its account (ValueColumn.account). */
  account: number;
  time: number;
  session: number | null;
  kind: number | null;
  values: ValueColumn[];
  /** Human notes for the report header, e.g. "rtt_ms -> rtt (ms)". */
  notes: string[];
  /** A date column, when the time column may hold only the time of day (date,time exports). */
  date?: number | null;
  /**
   * The account column is InfluxDB 1.x's `tags` cell (`host=vdi1,user=alice`): the account is the
   * tag `key` names (--account-col), or with `key` null the first account-like tag (accountInTags).
   */
  accountTag?: { key: string | null };
  /** What a kind_unknown rejection's detail adds (InfluxDB's `_field` as the kind column). */
  kindHint?: string;
  /** What the header warns of about the columns (two read as one kind; a duration read as a latency). */
  warnings?: string[];
  /** Server and client-address columns, when the file has them (physical model, IP location). */
  server?: number | null;
  clientAddress?: number | null;
}

/** A normalised name that ends in its unit (`rtt_ms`, `latency_s`, `delay_us`; `ms` alone). */
const UNIT_SUFFIX_RE = /(?:^|_)(ms|s|us|ns)$/;

/** The value alias one of a name's forms is (the first form that is one), or undefined. */
function valueAliasIn(forms: readonly string[]): ValueAlias | undefined {
  for (const form of forms) {
    const alias = VALUE_ALIASES.find((a) => a.name === form);
    if (alias !== undefined) return alias;
  }
  return undefined;
}

/** The unit a column's name ends in (any of its forms), or null. */
function unitNamed(forms: readonly string[]): Unit | null {
  for (const form of forms) {
    const m = UNIT_SUFFIX_RE.exec(form);
    if (m !== null) return m[1] as Unit;
  }
  return null;
}

/**
 * Values of a column whose unit keylag assumed (ValueColumn.unitStated false) that no latency in
 * that unit looks like: all below 1 ms (seconds read as ms: 0.023 for 23 ms) or all above 2 s
 * (microseconds read as ms: 23500 for 23.5 ms). Judged on at least this many values.
 */
export const UNIT_CHECK_MIN_VALUES = 30;
const UNIT_CHECK_BELOW_MS = 1;
const UNIT_CHECK_ABOVE_MS = 2000;

/** Per value column of a plan: how many values were read, the smallest and the largest (in ms). */
export class ValueRange {
  readonly count: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  constructor(columns: number) {
    this.count = new Float64Array(columns);
    this.min = new Float64Array(columns).fill(Infinity);
    this.max = new Float64Array(columns).fill(-Infinity);
  }

  /** A value of column v read. */
  add(v: number, valueMs: number): void {
    this.count[v]++;
    if (valueMs < this.min[v]!) this.min[v] = valueMs;
    if (valueMs > this.max[v]!) this.max[v] = valueMs;
  }
}

/** A cell that is a value, never a column's name: a number, hex flags, an IPv4 or IPv6 address, an ISO time. */
const DATA_CELL_RE = /^(?:[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?|0x[0-9a-f]+|\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}|\d{4}-\d{2}-\d{2}[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)$/i;

/**
 * Warnings for value columns read in an assumed unit whose values do not fit it (a report of
 * 0.02 ms floors from an export in seconds is wrong evidence): never a guessed unit, a pointer to
 * --unit. Without --unit the default stays ms, so the report says what it read.
 */
export function unitWarnings(plan: ColumnPlan, range: ValueRange): string[] {
  const warnings: string[] = [...(plan.warnings ?? [])];
  plan.values.forEach((column, v) => {
    if (column.unitStated || range.count[v]! < UNIT_CHECK_MIN_VALUES) return;
    const n = range.count[v]!.toLocaleString('en-US');
    if (range.max[v]! < UNIT_CHECK_BELOW_MS) {
      warnings.push(`column '${column.name}' names no unit and was read as ms, but all its ${n} values are below ${UNIT_CHECK_BELOW_MS} ms `
        + `(largest ${range.max[v]}): if they are seconds, give --unit s`);
    } else if (range.min[v]! > UNIT_CHECK_ABOVE_MS) {
      warnings.push(`column '${column.name}' names no unit and was read as ms, but all its ${n} values are above ${UNIT_CHECK_ABOVE_MS} ms `
        + `(smallest ${range.min[v]}): if they are microseconds, give --unit us`);
    }
  });
  return warnings;
}

/** Unit words a header may end with ("RTT (ms)", "latency_msec", "Delay [s]"), and the unit each names. */
const UNIT_WORDS: Record<string, Unit> = {
  ms: 'ms', msec: 'ms', msecs: 'ms', millis: 'ms', millisecond: 'ms', milliseconds: 'ms',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  us: 'us', 'µs': 'us', 'μs': 'us', usec: 'us', usecs: 'us', micros: 'us', microsecond: 'us', microseconds: 'us',
  ns: 'ns', nsec: 'ns', nsecs: 'ns', nanos: 'ns', nanosecond: 'ns', nanoseconds: 'ns',
};

/** Lower case, runs of spaces, dashes and underscores as one `_`, none at the ends; a last unit word spelled `ms`, `s`, `us` or `ns`. */
function snakeName(text: string): string {
  const name = text.toLowerCase().replace(/[\s_/-]+/g, '_').replace(/^_+|_+$/g, '');
  const cut = name.lastIndexOf('_');
  const unit = cut > 0 ? UNIT_WORDS[name.slice(cut + 1)] : undefined;
  return unit === undefined ? name : `${name.slice(0, cut)}_${unit}`;
}

/**
 * The forms of a header name that aliases are matched against: its snake-case form and, for a
 * camelCase name, the same split at its case changes (`latencyMs` -> `latency_ms`, while
 * `EstRoundTripTimeInMs` still matches `estroundtriptimeinms`), and a dotted field path with `_` for
 * its dots (`user.name` -> `user_name`). A unit in brackets at the end is a unit suffix
 * (`RTT (ms)` -> `rtt_ms`); `[UTC]` or `(UTC)` is dropped (times are UTC unless zoned).
 */
export function headerForms(name: string): string[] {
  let base = name.trim().replace(/^\uFEFF/, '');
  const bracket = /\s*[([]\s*([^()[\]]*?)\s*[)\]]$/.exec(base);
  if (bracket !== null) {
    const word = bracket[1]!.toLowerCase();
    if (word === 'utc') base = base.slice(0, bracket.index);
    else if (UNIT_WORDS[word] !== undefined) base = `${base.slice(0, bracket.index)}_${UNIT_WORDS[word]}`;
  }
  const plain = snakeName(base);
  const camel = snakeName(base.replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
  const forms = camel === plain ? [plain] : [plain, camel];
  // An aggregate as Splunk's stats and timechart name it, `avg(rtt_ms)`: its function is a word of
  // the name (`avg_rtt_ms`, taken by its words as avg_rtt_ms is; `max(rtt_ms)` and `count(rtt_ms)`
  // name another quantity), never the bare argument (a count of rtt_ms values is no rtt_ms).
  const call = /^([A-Za-z]\w*)\(\s*([^()]+?)\s*\)$/.exec(base);
  if (call !== null) forms.push(snakeName(`${call[1]}_${call[2]}`));
  // Datadog writes attributes with an '@' (`@usr.name`, `@network.latency_ms`): also without it.
  for (const form of [...forms]) {
    if (form.startsWith('@') && form.length > 1 && !forms.includes(form.slice(1))) forms.push(form.slice(1));
  }
  // Dotted field paths (Elastic's user.name, source.ip; Wireshark's own names stay as they are).
  for (const form of [...forms]) {
    const undotted = form.replaceAll('.', '_');
    if (!forms.includes(undotted)) forms.push(undotted);
  }
  return forms;
}

function normaliseHeader(name: string): string {
  return headerForms(name)[0]!;
}

/**
 * `--value-col COL[:KIND]`: the column's name and the kind after the last ':' (COL itself may hold
 * ':'); `kindText` is what follows that ':' (null without one), `kind` null when it names no kind
 * (the whole text is then the column's name).
 */
function valueColSpec(spec: string): { column: string; kind: Kind | null; kindText: string | null } {
  const colon = spec.lastIndexOf(':');
  const kindText = colon > 0 ? spec.slice(colon + 1) : null;
  const kind = kindText !== null && kindText !== '' ? kindFromText(kindText) : null;
  return { column: kind !== null ? spec.slice(0, colon) : spec, kind, kindText };
}

/** The column an option names (compared in normalised form), or -1. */
function columnNamed(header: readonly string[], wanted: string): number {
  const target = normaliseHeader(wanted);
  return header.findIndex((h) => normaliseHeader(h) === target);
}

function findByOption(header: string[], wanted: string, at: HeaderAt, role: string): number {
  const idx = columnNamed(header, wanted);
  if (idx < 0) {
    throw inputError(`--${role}-col '${wanted}' is not a column (columns found: ${header.join(', ')})`, at.file, at.line);
  }
  return idx;
}

/**
 * Latency words in a column's name and the kind each gives, for names no alias spells (`delay`,
 * `avg_rtt_ms`, `RoundTripTime`, `network_latency_ms`, `response_time_ms`): application words
 * first (an echo RTT is an application round trip), then transport, then a lag of unknown nature.
 */
const LATENCY_WORDS: readonly { words: readonly string[]; kind: Kind }[] = [
  { words: ['echo'], kind: 'app_rtt' }, { words: ['app', 'rtt'], kind: 'app_rtt' }, { words: ['application', 'rtt'], kind: 'app_rtt' },
  // Citrix's own words, as Director shows them and as the Citrix preset reads IcaRttMS and IcaLatency:
  // "ICA RTT" is keystroke to screen update (an application round trip), "ICA Latency" the network's.
  { words: ['ica', 'rtt'], kind: 'app_rtt' }, { words: ['ica', 'latency'], kind: 'rtt' },
  { words: ['rtt'], kind: 'rtt' }, { words: ['srtt'], kind: 'rtt' }, { words: ['ping'], kind: 'rtt' },
  { words: ['round', 'trip'], kind: 'rtt' }, { words: ['roundtrip'], kind: 'rtt' },
  { words: ['latency'], kind: 'input_lag' }, { words: ['lag'], kind: 'input_lag' }, { words: ['delay'], kind: 'input_lag' },
  { words: ['response', 'time'], kind: 'input_lag' },
];
/**
 * Words that may stand beside a latency word: how or where the figure was taken, or its unit, never
 * another quantity. A name with any other word (max, p95, jitter, stddev, loss, count, threshold...)
 * is not taken: a floor of per-minute maxima, or of jitter, is not a latency floor.
 */
const QUALIFIER_WORDS = new Set([
  'min', 'minimum', 'avg', 'average', 'mean', 'median', 'p50', 'est', 'estimated', 'network', 'net', 'tcp', 'udp',
  'session', 'client', 'connection', 'conn', 'observed', 'measured', 'current', 'last', 'smoothed', 'time', 'in',
  'input', 'app', 'application', 'transport', 'ica', 'rdp', 'vdi', 'user', 'keystroke', 'key', 'total', 'ms', 's', 'us',
]);

const ALL_LATENCY_WORDS = new Set(LATENCY_WORDS.flatMap((l) => l.words));

/**
 * The kind a column's name gives by its words, or null: one of LATENCY_WORDS (the first in their
 * order: `echo_latency_us` is an application round trip), every other word a latency word or one of
 * QUALIFIER_WORDS.
 */
export function latencyKindByWords(forms: readonly string[]): Kind | null {
  for (const form of forms) {
    const words = form.split('_').filter((w) => w !== '');
    if (!words.every((w) => ALL_LATENCY_WORDS.has(w) || QUALIFIER_WORDS.has(w))) continue;
    for (const { words: latency, kind } of LATENCY_WORDS) if (latency.every((w) => words.includes(w))) return kind;
  }
  return null;
}

/**
 * Account and time columns no alias spells, taken by their words (`actor`, `identity`,
 * `event_time_utc`, `sampled_at`): a core word of the role, every other word a qualifier.
 */
const ROLE_WORDS = {
  account: {
    core: new Set(['user', 'username', 'usr', 'account', 'login', 'logon', 'principal', 'actor', 'identity', 'employee', 'operator', 'member', 'person', 'upn', 'email']),
    // Whose name it is in an event: ECS `client.user.name`, `source.user.name`, Apache's `remote_user`,
    // Windows events' `TargetUserName` (the account logged on).
    qualifiers: new Set(['name', 'id', 'email', 'upn', 'principal', 'display', 'logon', 'login', 'sam', 'alternate', 'alternateid', 'user', 'account', 'primary', 'mail',
      'client', 'source', 'target', 'remote', 'end', 'assigned']),
  },
  time: {
    core: new Set(['time', 'timestamp', 'datetime', 'ts']),
    qualifiers: new Set(['event', 'log', 'logged', 'sample', 'sampled', 'measured', 'measurement', 'collected', 'recorded', 'received',
      'observed', 'captured', 'created', 'generated', 'utc', 'gmt', 'epoch', 'unix', 'iso', 'date', 'stamp', 'ms', 's', 'us', 'ns']),
  },
  // A roster's claimed location (`Work Location`, `Office Address`); not an e-mail, IP or MAC address.
  location: {
    core: new Set(['location', 'address', 'residence']),
    qualifiers: new Set(['work', 'office', 'home', 'primary', 'base', 'current', 'claimed', 'employee', 'physical', 'residential', 'remote',
      'site', 'name', 'full', 'street', 'mailing', 'main', 'worker', 'job', 'of', 'place', 'city']),
  },
} as const;

/**
 * A form's words for `role`. For an account, an e-mail's address is the e-mail (`Email Address`,
 * `E-mail Address`, as HR and SaaS exports head it), while `address` alone stays a location's word.
 */
function roleWords(form: string, role: keyof typeof ROLE_WORDS): string[] {
  const words = form.split('_').filter((w) => w !== '');
  if (role !== 'account') return words;
  const joined: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === 'e' && words[i + 1] === 'mail') { joined.push('email'); i++; } else joined.push(words[i]!);
  }
  const mail = joined.findIndex((w) => w === 'email' || w === 'mail');
  return mail >= 0 && joined[mail + 1] === 'address' ? joined.filter((_, i) => i !== mail + 1) : joined;
}

/** Whether a column's name is made of the role's words (ROLE_WORDS); `X_at` with X a time qualifier counts as a time. */
function namedByWords(forms: readonly string[], role: keyof typeof ROLE_WORDS): boolean {
  const { core, qualifiers } = ROLE_WORDS[role];
  return forms.some((form) => {
    const words = roleWords(form, role);
    if (words.length === 0) return false;
    if (role === 'time' && words.length === 2 && words[1] === 'at') return qualifiers.has(words[0]!);
    return words.some((w) => core.has(w)) && words.every((w) => core.has(w) || qualifiers.has(w));
  });
}

/** The columns (not in `taken`) whose names are made of the role's words (namedByWords). */
export function columnsNamedByWords(forms: readonly (readonly string[])[], role: keyof typeof ROLE_WORDS, taken: readonly number[] = []): number[] {
  return forms.map((_, index) => index).filter((index) => !taken.includes(index) && namedByWords(forms[index]!, role));
}

/**
 * The one column of `found` (columns named by words), noted as taken for `what`; -1 when none; an
 * input error naming them when more than one is, for the analyst's `option` to decide.
 */
function oneByWords(found: readonly number[], header: readonly string[], what: string, option: string, at: HeaderAt, notes: string[]): number {
  if (found.length > 1) {
    throw inputError(`${what} columns by their names: ${found.map((i) => `'${header[i]}'`).join(', ')}: keylag cannot tell which to use; give ${option}`, at.file, at.line);
  }
  if (found.length === 1) notes.push(`${header[found[0]!]}: no alias, taken as ${what === 'latency' ? 'a latency' : `the ${what}`} by its words`);
  return found.length === 1 ? found[0]! : -1;
}

/** The first column (in alias order, not in `taken`) one of whose forms is an alias. */
function findAlias(forms: string[][], aliases: readonly string[], taken: readonly number[] = []): number {
  for (const alias of aliases) {
    const idx = forms.findIndex((f, i) => f.includes(alias) && !taken.includes(i));
    if (idx >= 0) return idx;
  }
  return -1;
}

/** Where a header is: its file and line (after a preamble, `#TYPE` or `sep=;`, not the first), for its errors. */
interface HeaderAt { file: string; line: number }

/** Resolve header names (on `line` of `file`) into roles, or fail with a message listing what was found and tried. */
export function resolveColumns(header: string[], options: ColumnOptions, file: string, line = 1): ColumnPlan {
  const at: HeaderAt = { file, line };
  const forms = header.map(headerForms);
  const normalised = forms.map((f) => f[0]!);
  const notes: string[] = [];
  // Columns the options name are theirs: no alias or word makes one of them another role (a ping
  // log's `time` column of `26.3 ms` given with --value-col time was also taken as the time).
  const optionColumns = [options.accountCol, options.timeCol, options.sessionCol, options.kindCol]
    .flatMap((name) => (name ? [columnNamed(header, name)] : []))
    .concat((options.valueCols ?? []).map((spec) => columnNamed(header, valueColSpec(spec).column)))
    .filter((index) => index >= 0);
  const influx = influxCliColumns(header);
  // InfluxDB 1.x's `tags` cell holds the account (`user=alice`): --account-col names its tag, else an account-like one.
  let accountTag: { key: string | null } | undefined;
  if (influx !== null && influx.tags >= 0 && (options.accountCol ? columnNamed(header, options.accountCol) < 0 : findAlias(forms, ACCOUNT_ALIASES, optionColumns) < 0)) {
    accountTag = { key: options.accountCol ?? null };
    notes.push(`${header[influx.tags]} -> account: ${accountTag.key === null ? `the tag named as an account is (${ACCOUNT_ALIASES.slice(0, 3).join(', ')}, ...)` : `the tag ${accountTag.key}`} `
      + 'in each row\'s tags (InfluxDB 1.x CLI CSV: host=vdi1,user=alice)');
  }
  let account = accountTag !== undefined ? influx!.tags
    : options.accountCol ? findByOption(header, options.accountCol, at, 'account') : findAlias(forms, ACCOUNT_ALIASES, optionColumns);
  let time = options.timeCol ? findByOption(header, options.timeCol, at, 'time') : findAlias(forms, TIME_ALIASES, optionColumns);
  if (!options.accountCol && account >= 0) {
    // Say which when several columns could be the account (user and user_email): a wrong one joins nothing.
    const others = header.map((_, i) => i).filter((i) => i !== account && !optionColumns.includes(i) && forms[i]!.some((f) => ACCOUNT_ALIASES.includes(f)));
    if (others.length > 0) notes.push(`${header[account]} -> account (also named like one: ${others.map((i) => header[i]).join(', ')}; --account-col picks another)`);
  }
  if (account < 0) account = oneByWords(columnsNamedByWords(forms, 'account', [time, ...optionColumns]), header, 'account', '--account-col', at, notes);
  if (time < 0) time = oneByWords(columnsNamedByWords(forms, 'time', [account, ...optionColumns]), header, 'time', '--time-col', at, notes);
  if (options.accountColumns !== undefined || (account < 0 && header.some((name) => accountLabelOf(seriesName(name)) !== null))) {
    if (options.accountCol) throw usageError('--account-columns reads the account from each column\'s name: give it or --account-col, not both');
    return seriesColumnsPlan(header, time, options, at, notes);
  }
  const sessionIdx = options.sessionCol ? findByOption(header, options.sessionCol, at, 'session') : findAlias(forms, SESSION_ALIASES, optionColumns);
  let kindHint: string | undefined;
  /** What the header warns of about the columns (ColumnPlan.warnings). */
  const warnings: string[] = [];
  let kindIdx = options.kindCol ? findByOption(header, options.kindCol, at, 'kind') : findAlias(forms, KIND_ALIASES, optionColumns);
  const valueAliasOf = (index: number) => valueAliasIn(forms[index]!);

  const values: ValueColumn[] = [];
  const forcedUnit = options.unit;
  /**
   * Column `index` read as a value of `kind`, in --unit, else its alias's unit, else (`nameUnit`:
   * columns taken by their words) the unit its name ends in, else ms. The unit is stated when it came
   * from --unit or the alias, or is the one the name ends in (ValueColumn.unitStated).
   */
  const valueColumn = (index: number, kind: Kind | null, aliasUnit: Unit | null, nameUnit: boolean): ValueColumn => {
    const named = unitNamed(forms[index]!);
    const unit: Unit = forcedUnit ?? aliasUnit ?? (nameUnit ? named : null) ?? 'ms';
    return { index, name: header[index]!, kind, toMs: UNIT_TO_MS[unit], unitLabel: unit,
      unitStated: forcedUnit !== undefined || aliasUnit !== null || named === unit };
  };
  if (options.valueCols && options.valueCols.length > 0) {
    for (const spec of options.valueCols) {
      const { column: colName, kind, kindText } = valueColSpec(spec);
      if (kindText !== null && kind === null && !header.some((h) => h === spec)) {
        throw usageError(`--value-col '${spec}': unknown kind '${kindText}' (kinds: ${KINDS.join(', ')})`);
      }
      const index = findByOption(header, colName, at, 'value');
      const alias = valueAliasOf(index);
      values.push(valueColumn(index, kind ?? alias?.kind ?? null, alias?.unit ?? null, false));
    }
  } else {
    const columnOfAlias = new Map<string, number>();
    header.forEach((_, index) => {
      if (index === account || index === time || index === sessionIdx || index === kindIdx) return;
      const alias = valueAliasOf(index);
      if (!alias) return;
      // Two spellings of one name (latency_ms and latencyMs), or one quantity in two units
      // (rtt_ms and rtt_us), are the same column twice: every value would count twice.
      const quantity = alias.name.replace(/_(?:ms|s|us)$/, '');
      const twin = columnOfAlias.get(quantity);
      // (Two identical names get the check below, which names both columns the same way.)
      if (twin !== undefined && normalised[twin] !== normalised[index]) {
        throw inputError(`duplicate column '${header[index]}' (columns ${twin + 1} and ${index + 1} both read as ${quantity}): keylag cannot tell which to use; give --value-col`, at.file, at.line);
      }
      columnOfAlias.set(quantity, index);
      values.push(valueColumn(index, alias.kind, alias.unit, false));
    });
    // Two different measurements taken as one kind (latency_ms and input_delay_ms, both input_lag):
    // their values go into one distribution. Kept (an RTT and a ping are both round trips), but said
    // in the header, with the way to keep them apart.
    // The first such pair is named. (The same name twice gets the duplicate-column error below.)
    for (let i = 0; i < values.length && warnings.length === 0; i++) {
      const same = values.findIndex((v, j) => j < i && v.kind !== null && v.kind === values[i]!.kind && normalised[v.index] !== normalised[values[i]!.index]);
      if (same >= 0) {
        warnings.push(`columns '${values[same]!.name}' and '${values[i]!.name}' are both read as ${values[i]!.kind}: their values are merged into one ${values[i]!.kind} distribution; `
          + `to keep them apart give each its kind (--value-col '${values[same]!.name}:${values[i]!.kind}' --value-col '${values[i]!.name}:KIND'), or --value-col for the one to use`);
      }
    }
  }

  // Grafana's table of a panel's several queries names each query's value by its refId, `Value #A`,
  // `Value #B`: nothing in the file says which latency (or which unit) each query is. One such column
  // is the value a `Value` column is (its kind and unit from each row's __name__, when there is one);
  // several are the analyst's to choose between.
  if (values.length === 0 && !(options.valueCols && options.valueCols.length > 0)) {
    const queries = header.map((_, index) => index).filter((index) => GRAFANA_VALUE_RE.exec(cellText(header[index]!))?.[1] !== undefined);
    if (queries.length > 1) {
      const names = queries.map((i) => `'${cellText(header[i]!)}'`).join(', ');
      throw inputError(`columns ${names} are the values of the panel's queries ${queries.map((i) => GRAFANA_VALUE_RE.exec(cellText(header[i]!))![1]).join(', ')} `
        + '(Grafana\'s table of several queries): nothing in the file says which latency each query is, nor its unit; '
        + `give --value-col '${cellText(header[queries[0]!]!)}:KIND' for the query to read (again for another), with --unit s if its metric is in seconds (Prometheus' base unit), `
        + 'or export each query on its own', at.file, at.line);
    }
    if (queries.length === 1) values.push(valueColumn(queries[0]!, null, null, false));
  }

  // No alias: a column named by latency words (`delay`, `avg_rtt_ms`), if exactly one is. Two or
  // more (min_rtt_ms and avg_rtt_ms) are one measurement summed up two ways: which one is meant is
  // the analyst's to say, not a guess (each taken would count every row twice).
  if (values.length === 0 && !(options.valueCols && options.valueCols.length > 0)) {
    const found = header.map((_, index) => index)
      .filter((index) => index !== account && index !== time && index !== sessionIdx && index !== kindIdx && latencyKindByWords(forms[index]!) !== null);
    const index = oneByWords(found, header, 'latency', '--value-col COL[:KIND]', at, notes);
    if (index >= 0) values.push(valueColumn(index, latencyKindByWords(forms[index]!), null, true));
  }

  // InfluxDB's annotated CSV (`influx query --raw`, the Data Explorer's CSV download) writes every
  // field of a measurement into one `_value` column, `_field` naming which (`ping` holds
  // average_response_ms, packets_received, percent_packet_loss...): a value's kind is its row's
  // field, never the `_measurement` (the series' name), else counts and percentages are latencies.
  if (!options.kindCol && values.some((v) => v.kind === null)) {
    const field = forms.findIndex((f, i) => f.includes(INFLUX_FIELD) && i !== account && i !== time && i !== sessionIdx && !values.some((v) => v.index === i));
    if (field >= 0) {
      notes.push(`${header[field]} names the field of each row's value (InfluxDB): it gives the kind${kindIdx >= 0 ? `, not ${header[kindIdx]}` : ''}; `
        + 'rows of a field that names no kind (packets_received, average_response_ms) are rejected as kind_unknown: pivot the fields into columns and give --value-col');
      kindIdx = field;
      kindHint = `a field that names no kind: pivot the fields into columns and give --value-col`;
    }
    // Prometheus' metric-name label, as Grafana's table view (Format: Table) and its CSV download
    // write a query's series one row per point: `Time,__name__,instance,user,Value`. Each row's
    // metric says what its Value is and in which unit (`rdp_rtt_seconds`); read as a generic value
    // in ms, 0.0412 s was a 0.0412 ms input_lag.
    const metricName = header.findIndex((h, i) => cellText(h) === PROMETHEUS_METRIC_NAME && i !== account && i !== time && i !== sessionIdx);
    if (field < 0 && metricName >= 0) {
      notes.push(`${header[metricName]} names the metric of each row's value (Prometheus): it gives the kind and unit${kindIdx >= 0 ? `, not ${header[kindIdx]}` : ''} `
        + '(rdp_rtt_seconds: rtt in s); rows of a metric that names no latency (rdp_jitter_seconds) are rejected as kind_unknown');
      kindIdx = metricName;
      kindHint = 'a metric that names no latency';
    }
  }

  // InfluxDB 1.x's CLI CSV: a generic `value` field is the one value of its measurement (`name`), as
  // Prometheus' remote write stores a metric (measurement rdp_rtt_seconds, field value): the
  // measurement gives its kind and unit, as __name__ does.
  if (influx !== null && kindIdx < 0 && !options.kindCol && values.some((v) => v.kind === null)) {
    kindIdx = influx.name;
    notes.push(`${header[influx.name]} names the measurement of each row's value (InfluxDB 1.x): it gives the kind and unit (rdp_rtt_seconds: rtt in s); `
      + 'rows of a measurement that names no latency are rejected as kind_unknown');
    kindHint = 'a measurement that names no latency: give --value-col COL:KIND';
  }

  // Grafana's table of a Prometheus query (`"Time",...,"Value"`) without the metric's name: an
  // aggregation (`avg by (user) (rdp_rtt_seconds)`) drops __name__, and with it the unit. Prometheus'
  // base unit is seconds: read as ms, 0.0412 s is a 0.0412 ms latency, a thousand times too small,
  // which the unit check only sees past 30 values. Read as ms as every unit-less value (a file of its
  // own headed Time,User,Value in ms is common too), and warned of whatever the count: --unit says it.
  const grafanaValue = values.find((v) => GRAFANA_VALUE_RE.test(cellText(v.name)));
  if (grafanaValue !== undefined && kindIdx < 0 && options.unit === undefined && time >= 0 && cellText(header[time]!) === GRAFANA_TIME) {
    warnings.push(`column '${cellText(grafanaValue.name)}' is headed as Grafana's table of a query writes its value, without the metric's name `
      + '(no __name__ column: an aggregation such as avg by (user) (...) drops it): nothing says its unit and it was read as ms, while Prometheus\' base unit '
      + `is seconds (0.0412 is 41.2 ms); if the query's metric is in seconds give --unit s (--unit ms silences this), and --value-col '${cellText(grafanaValue.name)}:KIND' for which latency it is`);
  }

  // Zabbix's history (real-time export NDJSON, `history.get` rows) holds every item of a host, one
  // `value` per row and its `itemid`: CPU load, agent availability and ICMP response time (seconds)
  // would all be one input_lag. Which item is the latency is the analyst's to say.
  const itemId = forms.findIndex((f) => f.includes('itemid'));
  const generic = values.find((v) => v.kind === null);
  if (itemId >= 0 && generic !== undefined && kindIdx < 0 && !(options.valueCols && options.valueCols.length > 0)) {
    throw inputError(`each row's '${generic.name}' is the value of the Zabbix item its '${header[itemId]}' names (a history export holds every item: `
      + `CPU load, availability, ICMP response time...): read as one latency they would mix; keep only the latency item's rows `
      + `(one ${header[itemId]}) and give --value-col ${generic.name}:rtt (with --unit s for icmppingsec, which is in seconds)`, at.file, at.line);
  }

  // The same role twice (e.g. two `rtt_ms` columns) would count values twice or pick one silently.
  const roleColumns = [account, time, sessionIdx, kindIdx, ...values.map((v) => v.index)].filter((i) => i >= 0);
  for (const i of roleColumns) {
    const twins = normalised.map((n, j) => (n === normalised[i] ? j : -1)).filter((j) => j >= 0);
    if (twins.length > 1) {
      throw inputError(`duplicate column '${header[i]}' (columns ${twins.map((j) => j + 1).join(' and ')}): keylag cannot tell which to use`, at.file, at.line);
    }
  }

  const missing: string[] = [];
  // A time and nothing else named: likely one column per account (`Time,alice,bob`), which only the analyst can say.
  const wide = time >= 0 && values.length === 0 && header.length > 1
    ? '; one column per account, as Grafana\'s "Series joined by time" CSV or a Splunk timechart by user writes it? give --account-columns KIND' : '';
  if (account < 0) missing.push(`no account column (tried: ${ACCOUNT_ALIASES.join(', ')}; and names made of account words such as actor, identity, logon_name; or give --account-col${wide})`);
  if (time < 0) missing.push(`no time column (tried: ${TIME_ALIASES.join(', ')}; and names made of time words such as event_time_utc, sampled_at; or give --time-col)`);
  if (values.length === 0) {
    missing.push(`no latency value column (tried: ${NAMED_VALUE_ALIASES.map((a) => a.name).join(', ')}, each *_ms also as *_s, *_us and *_ns; and names made of latency words (rtt, ping, round trip, echo, latency, lag, delay, response time) with min/avg/est/network-style qualifiers only; or give --value-col COL[:KIND])`);
  }
  if (missing.length > 0) {
    // A first line of values, not names: a file without its header line (tshark -T fields without
    // -E header=y, a query saved without column names). The list of aliases would only mislead.
    const dataLike = header.filter((h) => h.trim() !== '');
    if (dataLike.length >= 2 && dataLike.every((h) => DATA_CELL_RE.test(h.trim()))) {
      throw inputError(`the first line holds values, not column names (${dataLike.slice(0, 3).map((h) => JSON.stringify(h.trim())).join(', ')}...): `
        + 'a file without its header line? keylag needs the names (a tshark -T fields export: add -E header=y)', at.file, at.line);
    }
    const found = header.length === 0 ? '(none)' : header.map((h) => JSON.stringify(h)).join(', ');
    throw inputError(`unrecognised header: ${missing.join('; ')}; columns found: ${found}`, at.file, at.line);
  }
  for (const v of values) {
    const kindText = v.kind ?? (kindIdx >= 0 ? `kind from column '${header[kindIdx]}'` : 'input_lag');
    // A kind cell may name the unit too (rtt_us, rdp_rtt_seconds): it wins over the column's.
    const unitText = v.kind === null && kindIdx >= 0 ? `${v.unitLabel} unless the kind names its unit` : v.unitLabel;
    notes.push(`${v.name} -> ${kindText} (${unitText})`);
  }
  const taken = new Set(roleColumns);
  const optional = (wanted: string | undefined, role: string, aliases: readonly string[]): number | null => {
    const i = wanted ? findByOption(header, wanted, at, role) : findAlias(forms, aliases);
    if (i < 0 || (!wanted && taken.has(i))) return null;
    notes.push(`${header[i]} -> ${role}`);
    return i;
  };
  const server = optional(options.serverCol, 'server', SERVER_ALIASES);
  const clientAddress = optional(options.ipCol, 'ip', CLIENT_ADDRESS_ALIASES);
  // Exports that split the time into a date and a time of day (date,time): a time cell that is not
  // a time by itself is read with the date cell of its row in front of it.
  const timeOfDay = time >= 0 && forms[time]!.some((name) => TIME_OF_DAY_ALIASES.includes(name));
  const dateIdx = !timeOfDay ? -1 : forms.findIndex((f, i) => i !== time && !taken.has(i) && f.some((name) => DATE_ALIASES.includes(name)));
  const date = dateIdx >= 0 ? dateIdx : null;
  const plan: ColumnPlan = { account, time, session: sessionIdx >= 0 ? sessionIdx : null, kind: kindIdx >= 0 ? kindIdx : null, values, notes, server, clientAddress, date };
  if (kindHint !== undefined) plan.kindHint = kindHint;
  if (accountTag !== undefined) plan.accountTag = accountTag;
  // A 'duration' read as a latency only because it names a number of ms: it is as often a session's
  // or a call's length, which as input_lag would be minutes of "latency".
  const duration = kindIdx < 0 ? values.find((v) => v.kind === null && /^duration/i.test(normalised[v.index]!)) : undefined;
  if (duration !== undefined) {
    warnings.push(`column '${duration.name}' was read as input_lag (a generic value: no kind column says which latency it is); `
      + 'if it is a session\'s or a call\'s length, not a latency, this report is not about latency: give --value-col COL:KIND for the latency column');
  }
  if (warnings.length > 0) plan.warnings = warnings;
  return plan;
}

/**
 * A column named as Grafana names a Prometheus series (`rdp_rtt_ms{instance="vdi1:9100", user="alice"}`,
 * `{user="alice"}` for a query whose result has no metric name): the metric's name (null without
 * one) and the labels, in order; null for any other name.
 */
export function seriesName(text: string): { metric: string | null; labels: Map<string, string> } | null {
  const m = /^\s*([A-Za-z_:][\w:.]*)?\s*\{(.*)\}\s*$/s.exec(text.replace(/^\uFEFF/, ''));
  if (m === null) return null;
  const body = m[2]!;
  const labels = new Map<string, string>();
  const label = /\s*([A-Za-z_][\w.]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  while (label.lastIndex < body.length) {
    const l = label.exec(body);
    if (l === null) return null;
    labels.set(l[1]!, l[2]!.replace(/\\(.)/g, '$1'));
    if (l[3] === '') break;
  }
  return labels.size === 0 ? null : { metric: m[1] ?? null, labels };
}

/** The label of a series that names its account: the first in ACCOUNT_ALIASES' order (`user`, `username`, `upn`...), or null. */
function accountLabelOf(series: ReturnType<typeof seriesName>): string | null {
  if (series === null) return null;
  const keys = [...series.labels.keys()];
  const keyForms = keys.map(headerForms);
  for (const alias of ACCOUNT_ALIASES) {
    const i = keyForms.findIndex((f) => f.includes(alias));
    if (i >= 0) return keys[i]!;
  }
  return null;
}

/** Columns of a Splunk timechart that are no account: the rest (`OTHER`), events without one (`NULL`). */
const SPLUNK_NOT_ACCOUNTS = new Set(['OTHER', 'NULL']);

/**
 * One column per account: Grafana's "Series joined by time" CSV (`"Time","alice","bob"` with a legend
 * of `{{user}}`, or each column a labelled series `rtt_ms{user="alice"}`), a Splunk timechart by user.
 * A labelled series' account is its account label and its kind its metric's name (an alias or
 * latency words, with its unit), unless --account-columns KIND says the kind; a column of plain
 * name is an account only with --account-columns (nothing in `alice` says it is one). Columns that
 * are no account's latency are left, named in a note: Splunk's internal `_span` and its `OTHER` and
 * `NULL`, and series of another quantity (`jitter_ms{user="alice"}`).
 */
function seriesColumnsPlan(header: string[], time: number, options: ColumnOptions, at: HeaderAt, notes: string[]): ColumnPlan {
  if (time < 0) throw inputError(`one column per account, but no time column (tried: ${TIME_ALIASES.join(', ')}; or give --time-col)`, at.file, at.line);
  const kindOption = options.accountColumns;
  const values: ValueColumn[] = [];
  const left: string[] = [];
  header.forEach((name, index) => {
    if (index === time) return;
    const series = seriesName(name);
    const text = name.replace(/^\uFEFF/, '').trim();
    let account: string;
    let kind: Kind | null = kindOption ?? null;
    let unitForms: string[] = [];
    let aliasUnit: Unit | null = null;
    if (series === null) {
      if (kindOption === undefined || text === '' || text.startsWith('_') || SPLUNK_NOT_ACCOUNTS.has(text)) { left.push(name); return; }
      // A file of one row per sample given --account-columns by mistake: its `user` column would be an account named user.
      const nameForms = headerForms(text);
      if (nameForms.some((f) => ACCOUNT_ALIASES.includes(f)) || valueAliasIn(nameForms) !== undefined) {
        throw inputError(`--account-columns: column '${text}' is named as an account or latency column is, not as an account: `
          + 'a file of one row per sample is read without --account-columns', at.file, at.line);
      }
      // Two queries with one legend (`{{user}}`), "Series joined by time": alice's rtt and alice's
      // jitter are both `alice`, and both would be read as the one KIND.
      const twin = values.findIndex((v) => v.account === text && seriesName(header[v.index]!) === null);
      if (twin >= 0) {
        throw inputError(`--account-columns: column '${text}' is there twice (columns ${values[twin]!.index + 1} and ${index + 1}): the series of two queries with one legend? `
          + 'keylag cannot tell which is the latency; download the latency query\'s series on its own', at.file, at.line);
      }
      account = text;
    } else {
      const key = accountLabelOf(series);
      if (key === null) {
        throw inputError(`series column '${name}' has no account label (tried: ${ACCOUNT_ALIASES.join(', ')}): keylag cannot tell whose series it is`, at.file, at.line);
      }
      account = series.labels.get(key)!.trim();
      if (series.metric !== null) {
        unitForms = headerForms(series.metric);
        const alias = valueAliasIn(unitForms);
        aliasUnit = alias?.unit ?? null;
        kind ??= alias !== undefined ? alias.kind : latencyKindByWords(unitForms);
        if (kind === null && alias === undefined) { left.push(name); return; }
      }
      if (kind === null) {
        throw inputError(`series column '${name}' names no latency kind (no metric name, or a generic one): give --account-columns KIND`, at.file, at.line);
      }
    }
    if (account === '') throw inputError(`series column '${name}' names no account (an empty account label)`, at.file, at.line);
    const named = unitNamed(unitForms);
    const unit: Unit = options.unit ?? aliasUnit ?? named ?? 'ms';
    values.push({ index, name, kind, toMs: UNIT_TO_MS[unit], unitLabel: unit,
      unitStated: options.unit !== undefined || aliasUnit !== null || named === unit, account });
  });
  if (values.length === 0) throw inputError(`one column per account, but no column is an account's latency (columns found: ${header.join(', ')})`, at.file, at.line);
  const shown = values.slice(0, 3).map((v) => `${v.name} -> ${v.account}: ${v.kind} (${v.unitLabel})`).join(', ');
  notes.push(`one column per account (${values.length} series; a blank cell is no sample of that series at that time): ${shown}${values.length > 3 ? ', ...' : ''}`);
  if (left.length > 0) notes.push(`columns not read (no account's latency): ${left.slice(0, 5).join(', ')}${left.length > 5 ? `, and ${left.length - 5} more` : ''}`);
  return { account: -1, time, session: null, kind: null, values, notes, server: null, clientAddress: null, date: null };
}
