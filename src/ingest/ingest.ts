// The ingest stage: expand inputs, detect each one's format, read side files first, then every
// sample file, and hand each sample on. Counts records, samples and rejections per input.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { InputFileInfo, Rejection } from '../types.js';
import { KeylagError, inputError, isKeylagError, usageError } from '../errors.js';
import { openInput, DEFAULT_OPEN_LIMITS, type InputDigest, type OpenLimits, type OpenedFacts, type OpenedInput } from './open.js';
import { adapterByName, detectAdapter } from './registry.js';
import { readInWorker, PARALLEL_MIN_BYTES } from './parallel-read.js';
import { SideData, DEFAULT_READ_LIMITS, type AdapterContext, type AdapterResult, type AdapterOptions, type InputAdapter, type RawSample, type ReadLimits, type SampleColumns, unrollColumns } from './adapter.js';
import { csvInputError } from './csv-errors.js';
import { sha256OfFile } from '../custody/verify.js';
import { containerOf, decodeHead, sniffEncoding, toUtf8, type TextEncodingName } from './encoding.js';
import type { ColumnOptions } from './columns.js';
import { TIME_FORMAT_LABEL, type TimeFormat } from './time.js';
import { rotationGroups, type RotationLink, type RotationStart } from './rotation.js';
import { ASSUME_TZ_OPTION, parseAssumedZone } from './zone.js';

export interface IngestRequest {
  inputs: string[];
  columns: ColumnOptions;
  adapterOptions?: AdapterOptions;
  inputFormat: string | null;
  strict: boolean;
  keepGoing: boolean;
  openLimits?: OpenLimits;
  readLimits?: ReadLimits;
  stdin: NodeJS.ReadableStream;
  onRejection?: (rejection: Rejection) => void;
  /** Called as input is read (after each chunk): for a progress display. */
  onProgress?: (progress: IngestProgress) => void;
  /**
   * Files at least this large whose adapter allows it are read in a reader thread (parallel-read.ts);
   * default PARALLEL_MIN_BYTES, Infinity never (`--threads 1`).
   */
  parallelMinBytes?: number;
  /**
   * The `onColumns` consumer takes batches grouped by account and kind (SampleColumns.groups); the
   * reader thread then groups them. Batches read in this thread stay in input order either way.
   */
  groupedColumns?: boolean;
}

export interface IngestProgress {
  path: string;
  /** 0-based position of this input among `files`. */
  fileIndex: number;
  files: number;
  bytesRead: number;
  /** File size (compressed size for gzip); null for stdin. */
  sizeBytes: number | null;
  /** Samples handed on so far, all inputs. */
  samples: number;
}

/** What --assume-tz did over a run (AdapterResult.assumedZone summed). */
export interface AssumedZoneCounts { zone: string; samples: number; ambiguous: number; nonexistent: number }

export interface IngestResult {
  /** Every input after directory expansion; a sample's fileIndex points here. */
  paths: string[];
  inputs: InputFileInfo[];
  recordsRead: number;
  samplesEmitted: number;
  rejectionCounts: Map<string, number>;
  /** The first rejection of each reason: what `nothingReadError` names. */
  firstRejections: Map<string, Rejection>;
  warnings: string[];
  side: SideData;
  /** Indexes (into `paths`) of the inputs with times written without a UTC offset read as UTC (not those --assume-tz placed). */
  offsetlessFiles: Set<number>;
  /** --assume-tz: the zone and, over every input, the samples whose times it placed (AdapterResult.assumedZone); null without it. */
  assumedZone: AssumedZoneCounts | null;
  /** Rows rejected per raw account name, where the adapter had read it (at most MAX_REJECTED_NAMES names). */
  rejectedByAccount: Map<string, number>;
}

/** Raw names whose rejections are counted one by one: memory bounded like the accounts'. */
export const MAX_REJECTED_NAMES = 100_000;

/** Directories stand for the regular files inside them (recursively, sorted, hidden ones skipped). */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (input === '-') { out.push(input); continue; }
    let isDir = false;
    try { isDir = (await stat(input)).isDirectory(); } catch { /* reported when opened */ }
    if (!isDir) { out.push(input); continue; }
    const walk = async (dir: string): Promise<void> => {
      const entries = (await readdir(dir, { withFileTypes: true }))
        .filter((e) => !e.name.startsWith('.'))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile()) out.push(full);
      }
    };
    await walk(input);
  }
  return out;
}

/** Rejection counts by reason, most frequent first (ties by reason, in code-unit order): as every report lists them. */
export function rankedRejections(counts: ReadonlyMap<string, number>): { reason: string; count: number }[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([reason, count]) => ({ reason, count }));
}

/** Below this many records an input's rejected share is not warned of (a few bad rows of a few). */
const MOSTLY_REJECTED_MIN_RECORDS = 20;

/**
 * When more than half of an input's records were rejected, a warning with its reasons: the samples
 * kept are then a remnant whose selection the rejections decided (a tshark export whose unquoted
 * Info column shifted the fields of most rows kept only streams with holes), not the input.
 */
export function mostlyRejectedWarning(rejections: ReadonlyMap<string, number>, records: number): string | null {
  let rejected = 0;
  for (const count of rejections.values()) rejected += count;
  if (records < MOSTLY_REJECTED_MIN_RECORDS || rejected * 2 <= records) return null;
  const reasons = rankedRejections(rejections).map(({ reason, count }) => `${reason} ${count}`).join(', ');
  return `${rejected} rejections over ${records} records (${reasons}): what was kept is a remnant, not the input; see --rejects FILE before reading its figures`;
}

export async function ingest(
  req: IngestRequest,
  onSample: (raw: RawSample, fileIndex: number, path: string) => void,
  onColumns?: (batch: SampleColumns, fileIndex: number, path: string) => void,
): Promise<IngestResult> {
  if (req.inputs.length === 0) throw usageError('no input files given (use - for standard input)');
  if (req.inputs.filter((p) => p === '-').length > 1) throw usageError('standard input (-) can be read only once');
  const paths = await expandInputs(req.inputs);
  if (paths.length === 0) throw usageError('the input directories hold no files');
  const limits = req.openLimits ?? DEFAULT_OPEN_LIMITS;
  const side = new SideData();
  const rejectionCounts = new Map<string, number>();
  const firstRejections = new Map<string, Rejection>();
  const warnings: string[] = [];
  let recordsRead = 0;
  let samplesEmitted = 0;
  const offsetlessFiles = new Set<number>();
  const assumeTz = req.adapterOptions?.[ASSUME_TZ_OPTION];
  const assumed = assumeTz === undefined ? null : parseAssumedZone(assumeTz);
  if (assumed !== null && 'bad' in assumed) throw usageError(`--assume-tz ${assumed.bad}`);
  const assumedZone: AssumedZoneCounts | null = assumed === null ? null : { zone: assumed.name, samples: 0, ambiguous: 0, nonexistent: 0 };
  const rejectedByAccount = new Map<string, number>();
  const infos: InputFileInfo[] = paths.map((path) => ({
    path, status: 'read', sha256: null, sizeBytes: null, mtime: null, format: null, timeFormat: null, notes: [], records: 0, samples: 0,
  }));

  const fail = (info: InputFileInfo, err: unknown): void => {
    if (!isKeylagError(err) || err.category !== 'input' || !req.keepGoing || req.strict) throw err;
    info.status = info.samples > 0 ? 'partial' : 'skipped';
    info.error = (err as KeylagError).oneLine();
    warnings.push(`${info.status === 'partial' ? 'stopped reading' : 'skipped'} ${info.error} (--keep-going)`);
  };

  const detect = (opened: OpenedInput, path: string): { adapter: InputAdapter; encoding: TextEncodingName } => {
    if (opened.head.length === 0) throw inputError('empty input', path);
    const container = containerOf(opened.head);
    if (container !== null) throw inputError(`${container.what}, not an export keylag reads: ${container.todo}`, path);
    const encoding = sniffEncoding(opened.head);
    const head = decodeHead(opened.head, encoding);
    const adapter = req.inputFormat !== null ? adapterByName(req.inputFormat) : detectAdapter(head, opened.head);
    if (adapter === null) {
      if (head.trim() === '') throw inputError('empty input: no header line', path, 1);
      throw inputError('unrecognised input format (use --input-format; see keylag formats)', path);
    }
    return { adapter, encoding };
  };

  // Pass 1: which adapter reads each input. Files are looked at and released; stdin stays open.
  // A capture's head also tells whether it may be a file of a rotation (rotation.ts).
  type Planned = { index: number; path: string; adapter: InputAdapter; encoding: TextEncodingName; opened: OpenedInput | null; sizeBytes: number | null; start: RotationStart | null };
  const plan: Planned[] = [];
  for (let index = 0; index < paths.length; index++) {
    const path = paths[index]!;
    try {
      const opened = await openInput(path, req.stdin, limits);
      const { adapter, encoding } = detect(opened, path);
      if (path === '-') plan.push({ index, path, adapter, encoding, opened, sizeBytes: null, start: null });
      else {
        const start = adapter.rotationStart === undefined ? null : await adapter.rotationStart(opened.head);
        opened.close();
        plan.push({ index, path, adapter, encoding, opened: null, sizeBytes: opened.sizeBytes, start });
      }
    } catch (err) {
      fail(infos[index]!, err);
    }
  }
  // The same content twice (a directory and a file in it, a re-downloaded "export (1).csv") would
  // count every row twice: the first is read, the others are skipped with a warning. Only inputs of
  // equal size are hashed here.
  const bySize = new Map<number, number[]>();
  for (const p of plan) {
    if (p.sizeBytes === null || paths[p.index] === '-') continue;
    const same = bySize.get(p.sizeBytes);
    if (same === undefined) bySize.set(p.sizeBytes, [p.index]); else same.push(p.index);
  }
  const repeated = new Set<number>();
  for (const [sizeBytes, indexes] of bySize) {
    if (indexes.length < 2) continue;
    const firstOf = new Map<string, number>();
    for (const index of indexes) {
      let sha256: string;
      try { ({ sha256 } = await sha256OfFile(paths[index]!)); } catch { continue; /* reported when read */ }
      const first = firstOf.get(sha256);
      if (first === undefined) { firstOf.set(sha256, index); continue; }
      const info = infos[index]!;
      info.status = 'skipped';
      info.sha256 = sha256;
      info.sizeBytes = sizeBytes;
      info.error = resolve(paths[first]!) === resolve(paths[index]!) ? `the same file as input ${first + 1}: not read again`
        : `same content as ${paths[first]} (sha256 ${sha256.slice(0, 16)}...): not read again`;
      warnings.push(`${paths[index]}: ${info.error}, so that its rows are not counted twice`);
      repeated.add(index);
    }
  }
  // Side files first, so that sample files can join against them; otherwise the order as given.
  const unique = plan.filter((p) => !repeated.has(p.index));
  const given = [...unique.filter((p) => p.adapter.role === 'side'), ...unique.filter((p) => p.adapter.role !== 'side')];
  // The files of a rotation are read one after the other, in the order of their first packets, where
  // the first of them was given; each is told it may continue the one read before it.
  const links = new Map<number, RotationLink>();
  const groupOf = new Map<number, Planned[]>();
  for (const group of rotationGroups(given.filter((p) => p.adapter.rotationStart !== undefined))) {
    const carried = { value: null };
    group.forEach((p, i) => {
      links.set(p.index, { carried, start: p.start!, last: i === group.length - 1 });
      groupOf.set(p.index, group);
    });
  }
  const ordered: Planned[] = [];
  const placed = new Set<Planned[]>();
  for (const p of given) {
    const group = groupOf.get(p.index);
    if (group === undefined) ordered.push(p);
    else if (!placed.has(group)) { placed.add(group); ordered.push(...group); }
  }

  const parallelMinBytes = req.parallelMinBytes ?? PARALLEL_MIN_BYTES;
  for (const { index, adapter, encoding, opened: preOpened, sizeBytes } of ordered) {
    const path = paths[index]!;
    const info = infos[index]!;
    try {
      const readLimits = req.readLimits ?? DEFAULT_READ_LIMITS;
      const inputRejections = new Map<string, number>();
      const rotation = links.get(index);
      const ctx: AdapterContext = {
        file: path,
        ...(rotation === undefined ? {} : { rotation }),
        limits: readLimits,
        columns: req.columns,
        options: req.adapterOptions ?? {},
        side,
        note: (text) => info.notes.push(text),
        warn: (text) => warnings.push(`${path}: ${text}`),
        reject: (line, reason, detail, account) => {
          inputRejections.set(reason, (inputRejections.get(reason) ?? 0) + 1);
          if (account !== undefined && (rejectedByAccount.has(account) || rejectedByAccount.size < MAX_REJECTED_NAMES)) {
            rejectedByAccount.set(account, (rejectedByAccount.get(account) ?? 0) + 1);
          }
          const seen = rejectionCounts.get(reason);
          rejectionCounts.set(reason, (seen ?? 0) + 1);
          if (seen === undefined) firstRejections.set(reason, { source: { file: path, line }, reason, detail });
          req.onRejection?.({ source: { file: path, line }, reason, detail });
          if (req.strict) throw inputError(`${reason}: ${detail} (--strict)`, path, line);
        },
        emit: (raw) => {
          samplesEmitted++;
          info.samples++;
          onSample(raw, index, path);
        },
        emitColumns: (batch) => {
          samplesEmitted += batch.length;
          info.samples += batch.length;
          if (onColumns) onColumns(batch, index, path);
          else unrollColumns(batch, (raw) => onSample(raw, index, path));
        },
      };
      const noteOpened = (o: OpenedFacts): void => {
        info.sizeBytes = o.sizeBytes;
        info.mtime = o.mtime;
        if (o.compressed) info.notes.push('gzip-compressed (SHA-256 is of the compressed file)');
      };
      const progress = (bytesRead: number): void => req.onProgress?.({
        path, fileIndex: index, files: paths.length, bytesRead, sizeBytes: info.sizeBytes, samples: samplesEmitted,
      });
      let result: AdapterResult;
      let digest: InputDigest;
      if (adapter.parallelRead === true && preOpened === null && encoding === 'utf-8' && sizeBytes !== null && sizeBytes >= parallelMinBytes) {
        ({ result, digest } = await readInWorker({
          path, adapter: adapter.name, openLimits: limits, readLimits, columns: req.columns, options: req.adapterOptions ?? {},
          groupRows: req.groupedColumns === true && onColumns !== undefined,
        }, ctx, { opened: noteOpened, progress }));
      } else {
        // Text re-encoding (toUtf8) is not written to the lending rule: only UTF-8 and binary inputs are lent.
        const lendChunks = adapter.lendableChunks === true && (adapter.binary === true || encoding === 'utf-8');
        const opened = preOpened ?? await openInput(path, req.stdin, limits, { lendChunks });
        noteOpened(opened);
        const text = !adapter.binary && encoding !== 'utf-8';
        if (text) info.notes.push(`text encoding ${encoding}, read as UTF-8`);
        const counted = req.onProgress === undefined ? opened.chunks : (async function* () {
          for await (const chunk of opened.chunks) {
            yield chunk;
            progress(opened.bytesSoFar());
          }
        })();
        result = await adapter.read(text ? toUtf8(counted, encoding) : counted, ctx);
        digest = opened.digest();
      }
      info.sha256 = digest.sha256;
      if (info.sizeBytes === null) info.sizeBytes = digest.bytesRead;
      info.records = result.records;
      recordsRead += result.records;
      info.format = `${adapter.name}: ${result.dialect}`;
      const formats = [...result.timeFormats].sort() as TimeFormat[];
      // --assume-tz, where the adapter applied it: its times without an offset are placed in the zone.
      const zoned = result.assumedZone;
      const label = (f: TimeFormat): string => {
        const text = TIME_FORMAT_LABEL[f] ?? f;
        return zoned === undefined ? text : text.replace(/read as UTC$/, `read in ${zoned.zone} (--assume-tz)`);
      };
      info.timeFormat = formats.length === 0 ? null : formats.map(label).join('; ');
      if (zoned !== undefined && assumedZone !== null) {
        assumedZone.samples += zoned.samples;
        assumedZone.ambiguous += zoned.ambiguous;
        assumedZone.nonexistent += zoned.nonexistent;
      }
      const offsetless = formats.some((f) => f.endsWith('-no-offset'));
      if (zoned !== undefined) {
        // An export whose header names its display zone (avd) says so by its counts, not its formats.
        if (offsetless || zoned.samples > 0 || zoned.nonexistent > 0) warnings.push(`${path}: ${assumedZoneWarning(zoned)}`);
      } else if (offsetless) {
        warnings.push(`${path}: timestamps without a UTC offset were read as UTC`);
        offsetlessFiles.add(index);
      }
      for (const w of result.warnings ?? []) warnings.push(`${path}: ${w}`);
      const mostlyRejected = mostlyRejectedWarning(inputRejections, result.records);
      if (mostlyRejected !== null) warnings.push(`${path}: ${mostlyRejected}`);
    } catch (err) {
      // Whatever adapter read the file, a CSV parser's complaint is bad input, never an internal error.
      fail(info, csvInputError(err, path, null, (req.readLimits ?? DEFAULT_READ_LIMITS).maxRecordBytes));
    }
    const link = links.get(index);
    if (link?.last === true) {
      // a rotation whose last file failed (--keep-going) still ends the capture its earlier files began
      try { adapter.endRotation?.(link.carried); } catch (err) { fail(info, err); }
    }
  }
  return { paths, inputs: infos, recordsRead, samplesEmitted, rejectionCounts, firstRejections, warnings, side, offsetlessFiles, assumedZone, rejectedByAccount };
}

/** The header's sentence for an input whose offset-less times --assume-tz placed. */
export function assumedZoneWarning(z: AssumedZoneCounts): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  let text = `timestamps without a UTC offset were read as wall-clock times in ${z.zone} (--assume-tz): ${n(z.samples)} sample${z.samples === 1 ? '' : 's'}`;
  if (z.ambiguous > 0) {
    text += `; ${n(z.ambiguous)} of them at a time the clocks showed twice (they went back), read as the first, the earlier instant`;
  }
  if (z.nonexistent > 0) text += `; ${n(z.nonexistent)} row${z.nonexistent === 1 ? '' : 's'} at a time the clocks skipped (they went forward) rejected as time_in_dst_gap`;
  return text;
}

/**
 * The error of a run whose every row was rejected (rows read, no sample kept): a report of no
 * accounts would exit 0 and let a CI gate pass on a run that read nothing. It names the most frequent
 * reason at its first file:line with its detail, which carries the hint where there is one (a locale
 * date: give --date-order; a decimal comma: give --decimal-comma). Null when a sample was read or
 * nothing was rejected.
 */
export function nothingReadError(result: Pick<IngestResult, 'samplesEmitted' | 'rejectionCounts' | 'firstRejections' | 'inputs' | 'recordsRead'>): KeylagError | null {
  if (result.samplesEmitted > 0) return null;
  if (result.rejectionCounts.size === 0) {
    // Nothing read and nothing rejected (a header alone, a capture without a session keylag reads):
    // an empty report would pass a --fail-on gate as if the data had been looked at.
    const skipped = result.inputs.filter((i) => i.status === 'skipped').length;
    const first = result.inputs.find((i) => i.status !== 'skipped') ?? result.inputs[0]!;
    const inputs = `${result.inputs.length} input${result.inputs.length === 1 ? '' : 's'}`;
    return inputError(`no sample in ${inputs}${skipped > 0 ? ` (${skipped} skipped)` : ''}: ${result.recordsRead.toLocaleString('en-US')} records read, `
      + `none gave a sample and none was rejected${first.notes.length > 0 ? ` (${first.notes[first.notes.length - 1]})` : ''}`, first.path, null);
  }
  const ranked = rankedRejections(result.rejectionCounts);
  const first = result.firstRejections.get(ranked[0]!.reason)!;
  const counts = ranked.map(({ reason, count }) => `${reason} ${count}`).join(', ');
  return inputError(`no sample read, every row rejected (${counts}); the first ${first.reason}: ${first.detail} (--rejects FILE lists them all)`,
    first.source.file, first.source.line);
}
