// `keylag scan`: wires options to the pipeline and a renderer. No analysis here.
import { Command, Option } from 'commander';
import { createWriteStream, type WriteStream } from 'node:fs';
import { progressDisplay } from './progress.js';
import { releaseBetweenStages } from './memory.js';
import { runScan, DEFAULT_MIN_SAMPLES, DEFAULT_MEMORY_BUDGET_VALUES, type ScanRequest } from '../pipeline.js';
import { renderReportPieces, type RenderOptions } from '../report/index.js';
import { terminalSafe } from '../report/sanitize.js';
import { usageError } from '../errors.js';
import { parseBound } from '../ingest/time.js';
import { ASSUME_TZ_OPTION, parseAssumedZone } from '../ingest/zone.js';
import { readExcludeFile } from '../ingest/accounts.js';
import { parseKindName, type ColumnOptions, type Unit } from '../ingest/columns.js';
import { DEFAULT_READ_LIMITS, type AdapterOptions } from '../ingest/adapter.js';
import { DEFAULT_OPEN_LIMITS } from '../ingest/open.js';
import { VERSION } from './version.js';
import { chartDirFor, decideColor, guardOutputPath, writeBesideReport, writePieces } from './output.js';
import { EXIT_GATE } from './exit-codes.js';
import type { CollectRequest } from '../collect.js';
import { gateDecision } from '../score/gate.js';
import { SSH_PORTS_OPTION } from '../ingest/derive/collect.js';

const FORMATS = ['table', 'json', 'jsonl', 'csv', 'md', 'html'] as const;
type Format = (typeof FORMATS)[number];

interface ScanFlags extends InputFlags, ScoringFlags {
  format: Format;
  out?: string;
  top?: number;
  rejects?: string;
  progress?: boolean;
  failOn?: number;
  minSamples: number;
  caseId?: string;
  analyst?: string;
  color: boolean;
}

export function positiveInt(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw usageError(`${name} expects a positive integer, got '${text}'`);
    return n;
  };
}

/** `--ssh-port`: repeatable, each a port or a comma list; collected as one comma list (the adapters' option). */
export function sshPortList(text: string, previous: string | undefined): string {
  const ports = text.split(',').map((t) => t.trim());
  for (const t of ports) {
    if (!/^\d{1,5}$/.test(t) || Number(t) < 1 || Number(t) > 65535) throw usageError(`--ssh-port expects TCP ports (1-65535, repeatable or a comma list), got '${text}'`);
  }
  return [...(previous === undefined ? [] : previous.split(',')), ...ports.map(Number)].join(',');
}

function score(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw usageError(`--fail-on expects a score from 0 to 100, got '${text}'`);
  return n;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function bound(flag: string, text: string | undefined): { us: number; text: string } | null {
  if (text === undefined) return null;
  const parsed = parseBound(text);
  if (parsed === null) throw usageError(`${flag} expects an ISO 8601 date/time or epoch, got '${text}'`);
  if ('bad' in parsed) throw usageError(`${flag} ${parsed.bad}`);
  return { us: parsed.us, text };
}

export function registerScan(program: Command): void {
  const command = program
    .command('scan')
    .description('rank accounts by how suspicious their latency is, with the evidence for each')
    .argument('<inputs...>', 'timing files (CSV, TSV, JSON Lines; .gz read transparently; - for stdin)')
    .addOption(new Option('-f, --format <format>', 'report format').choices([...FORMATS]).default('table'))
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .option('--top <n>', 'list only the top N ranked accounts (counts still cover all)', positiveInt('--top'))
    .option('--rejects <file>', 'write every rejected value or row as file:line: reason: detail')
    .option('--fail-on <score>', 'exit 1 when any account scores at or above this (70 = flagged)', score);
  addInputOptions(command)
    .option('--min-samples <n>', 'fewer samples of every kind than this: listed as insufficient data, not scored', positiveInt('--min-samples'), DEFAULT_MIN_SAMPLES);
  addLimitOptions(command)
    .option('--case-id <id>', 'case reference recorded in the report header')
    .option('--analyst <name>', 'analyst recorded in the report header');
  addAdapterOptions(command);
  addScoringOptions(command)
    .option('--no-color', 'no colour (also: NO_COLOR=1)')
    .option('--no-progress', 'no progress bar on stderr (shown only when stderr is a terminal and the input is over 64 MB)')
    .addHelpText('after', `
Examples:
  $ keylag scan fixtures/sample/sessions.csv --roster fixtures/sample/roster.csv
  $ keylag scan fixtures/sample/sessions.csv --roster fixtures/sample/roster.csv --server-location "Ashburn, US"
  $ keylag scan vdi.csv.gz --value-col rtt:rtt --value-col echo:app_rtt --format json -o report.json
  $ zcat export.csv.gz | keylag scan - --since 2026-03-01 --exclude service-accounts.txt --fail-on 70`)
    .action(async (inputs: string[], flags: ScanFlags, command: Command) => {
      if (flags.out) guardOutputPath(flags.out, inputs, '--out');
      if (flags.rejects) guardOutputPath(flags.rejects, inputs, '--rejects');
      if (flags.roster) guardOutputPath(flags.roster, flags.out ? [flags.out] : [], 'roster');
      if (flags.baseline && flags.out) guardOutputPath(flags.out, [flags.baseline], '--out');
      let rejectStream: WriteStream | null = null;
      if (flags.rejects) {
        rejectStream = createWriteStream(flags.rejects, { flags: 'w' });
        rejectStream.on('error', () => undefined);
      }
      const rawArgs = command.parent ? process.argv.slice(2) : [];
      const progress = progressDisplay(process.stderr, flags.progress !== false);
      try {
        const report = await runScan({
          ...(await collectRequestFrom(inputs, flags)),
          ...scoringRequestFrom(flags),
          minSamples: flags.minSamples,
          caseId: flags.caseId ?? null,
          analyst: flags.analyst ?? null,
          arguments: rawArgs,
          version: VERSION,
          stdin: process.stdin,
          onProgress: progress ? (p) => progress.update(p) : undefined,
          onStageEnd: releaseBetweenStages,
          onRejection: rejectStream
            ? (r) => { rejectStream!.write(`${r.source.file}:${r.source.line}: ${r.reason}: ${terminalSafe(r.detail)}\n`); }
            : undefined,
        });
        progress?.stop();
        releaseBetweenStages();
        const options: RenderOptions = {
          color: decideColor(flags.color, flags.out !== undefined, process.env, Boolean(process.stdout.isTTY)),
          top: flags.top ?? null,
          width: process.stdout.columns,
        };
        const { pieces, files } = renderReportPieces(flags.format, report, { ...options, chartDir: flags.out ? chartDirFor(flags.out) : null });
        if (flags.out) {
          const sha = await writePieces(flags.out, pieces);
          process.stderr.write(`keylag: wrote ${terminalSafe(flags.out)} (sha256 ${sha})\n`);
          for (const f of await writeBesideReport(flags.out, files, inputs)) process.stderr.write(`keylag: wrote ${terminalSafe(f.path)} (sha256 ${f.sha256})\n`);
        } else {
          await writePieces(null, pieces);
        }
        if (flags.failOn !== undefined) {
          const gate = gateDecision(report, flags.failOn);
          // Say why the gate passed although accounts are at or above it: CI logs must explain the exit code.
          if (gate.allowed.length > 0) {
            process.stderr.write(`keylag: --fail-on ${flags.failOn}: ${gate.allowed.length} account(s) at or above it exempt by the allow list (${gate.allowed.map(terminalSafe).join(', ')})\n`);
          }
          if (gate.tripped) process.exitCode = EXIT_GATE;
        }
      } finally {
        progress?.stop();
        if (rejectStream) await new Promise<void>((r) => rejectStream!.end(() => r()));
      }
    });
}

// Option groups shared by every command that reads inputs (scan, baseline build, inspect), so the
// same flag means the same thing everywhere.

/** Input reading: strictness, format, columns, time window, exclusions. */
export function addInputOptions(command: Command): Command {
  return addColumnOptions(command
    .option('--strict', 'stop at the first rejected value or row (exit 2)')
    .option('--keep-going', 'skip a missing or unreadable input and list it in the header, instead of exit 2')
    .option('--input-format <name>', 'force an input format (see: keylag formats)'))
    .option('--since <time>', 'ignore samples before this time (ISO 8601, offset-less = UTC, or epoch)')
    .option('--until <time>', 'ignore samples at or after this time')
    .option('--exclude <file>', 'file of account names or glob patterns to drop (service accounts); counted in the header');
}

/** Which columns of a timing file are what (scan, baseline build, inspect and extract). */
export function addColumnOptions(command: Command): Command {
  return command
    .option('--account-col <col>', 'column holding the account (default: detected from aliases)')
    .option('--time-col <col>', 'column holding the timestamp')
    .option('--session-col <col>', 'column holding the session/connection id')
    .option('--kind-col <col>', 'column naming the kind of each row (rtt, app_rtt, input_lag, reaction, keystroke_interval)')
    .option('--value-col <col[:kind]>', 'latency column, optionally with its kind; repeatable', collect)
    .addOption(new Option('--unit <unit>', 'unit of the latency columns').choices(['ms', 's', 'us', 'ns']))
    .option('--account-columns <kind>', 'one column per account (Grafana\'s "Series joined by time" CSV, a Splunk timechart by user): each column but the time is that account\'s series of this kind')
    .option('--decimal-comma', 'latency values are written with a decimal comma (59,6), as exports in many European locales are');
}

/** Memory and size limits. */
export function addLimitOptions(command: Command): Command {
  return command
    .option('--memory-budget <values>', 'values kept exactly in the whole run before large accounts move to sketches', positiveInt('--memory-budget'), DEFAULT_MEMORY_BUDGET_VALUES)
    .option('--exact-per-account <values>', 'values of one account and kind kept exactly before it moves to a sketch (default: no per-account limit)', positiveInt('--exact-per-account'))
    .option('--max-record-bytes <bytes>', 'longest record (line) accepted', positiveInt('--max-record-bytes'), DEFAULT_READ_LIMITS.maxRecordBytes)
    .option('--max-fields <n>', 'most fields accepted in a header', positiveInt('--max-fields'), DEFAULT_READ_LIMITS.maxFields)
    .option('--max-decompressed-bytes <bytes>', 'absolute limit on the decompressed size of one .gz input (a ratio limit of 200:1 after 32 MB also applies)', positiveInt('--max-decompressed-bytes'), DEFAULT_OPEN_LIMITS.maxDecompressedBytes)
    .addOption(new Option('--threads <n>', 'threads that read: 2 parses inputs over 64 MB in a reader thread while this one adds them up (same results); 1 reads in one thread').choices(['1', '2']).default('2'));
}

/** `--date-order` (adapter options; extract takes it alone). */
export function dateOrderOption(): Option {
  return new Option('--date-order <order>', 'day/month order of locale dates such as 2/3/2025: Azure portal exports when the data cannot tell, and timing CSVs (whose locale dates are rejected without it)').choices(['mdy', 'dmy']);
}

/** `--assume-tz` (adapter options; extract takes it as scan does). */
export function assumeTzOption(): Option {
  return new Option('--assume-tz <zone>', 'timing files\' times written without a UTC offset are wall-clock times in this zone (IANA name such as America/Chicago, UTC, or +02:00), not UTC; times with an offset are not moved');
}

/** Options of particular input formats (exports, recordings, captures). */
export function addAdapterOptions(command: Command): Command {
  return command
    .addOption(dateOrderOption())
    .addOption(assumeTzOption())
    .option('--sessions <file>', 'session -> account map for performance counter CSVs: saved qwinsta / query session output, or a host,session,account CSV')
    .addOption(new Option('--recorded-at <side>', 'where terminal recordings were made (client: keystroke-to-echo app_rtt; server: reaction)').choices(['client', 'server']))
    .option('--account-name <name>', 'account of terminal recordings that name no user (default: from the file name, alice.cast -> alice)')
    .option('--accounts <file>', 'accounts map for packet captures and tshark exports: IP, IP:port or FILE#stream -> account, one per line')
    .option(SSH_PORT_FLAG, SSH_PORT_HELP, sshPortList);
}

export const SSH_PORT_FLAG = '--ssh-port <port>';
export const SSH_PORT_HELP = 'packet captures and tshark exports: also read this TCP port as SSH (repeatable or a comma list; 22 and 2222 always are, '
  + 'and raw captures recognise SSH by its identification string)';

/** The flags the three groups above define. */
export interface InputFlags {
  strict?: boolean;
  keepGoing?: boolean;
  inputFormat?: string;
  accountCol?: string;
  timeCol?: string;
  sessionCol?: string;
  kindCol?: string;
  valueCol?: string[];
  unit?: Unit;
  decimalComma?: boolean;
  accountColumns?: string;
  since?: string;
  until?: string;
  exclude?: string;
  memoryBudget: number;
  exactPerAccount?: number;
  maxRecordBytes: number;
  maxFields: number;
  maxDecompressedBytes: number;
  threads?: string;
  dateOrder?: string;
  assumeTz?: string;
  sessions?: string;
  recordedAt?: string;
  accountName?: string;
  accounts?: string;
  sshPort?: string;
  serverCol?: string;
  ipCol?: string;
}

/** The adapters' options from their flags (addAdapterOptions; extract has some of them). */
export function adapterOptionsFrom(flags: Pick<InputFlags, 'dateOrder' | 'recordedAt' | 'accountName' | 'sessions' | 'accounts' | 'sshPort'> & { assumeTz?: string }): AdapterOptions {
  return {
    ...(flags.assumeTz === undefined ? {} : { [ASSUME_TZ_OPTION]: assumedZoneName(flags.assumeTz) }),
    dateOrder: flags.dateOrder, recordedAt: flags.recordedAt, accountName: flags.accountName,
    sessionsFile: flags.sessions,
    accounts: flags.accounts,
    [SSH_PORTS_OPTION]: flags.sshPort,
  };
}

/** `--assume-tz`'s zone as the adapters and the report name it; a usage error (exit 2) for a name that is no zone. */
function assumedZoneName(text: string): string {
  const zone = parseAssumedZone(text);
  if ('bad' in zone) throw usageError(`--assume-tz ${zone.bad}`);
  return zone.name;
}

/** The column options from their flags (addColumnOptions; server and IP columns where the command has them). */
export function columnOptionsFrom(flags: Pick<InputFlags, 'accountCol' | 'timeCol' | 'sessionCol' | 'kindCol' | 'valueCol' | 'unit' | 'serverCol' | 'ipCol' | 'decimalComma' | 'accountColumns'>): ColumnOptions {
  return {
    accountCol: flags.accountCol, timeCol: flags.timeCol, sessionCol: flags.sessionCol, kindCol: flags.kindCol,
    valueCols: flags.valueCol, unit: flags.unit, serverCol: flags.serverCol, ipCol: flags.ipCol,
    decimalComma: flags.decimalComma === true,
    accountColumns: flags.accountColumns === undefined ? undefined : parseKindName(flags.accountColumns),
  };
}

/** The collect stage's request from the shared flags (everything but stdin and the rejection hook). */
export async function collectRequestFrom(inputs: string[], flags: InputFlags): Promise<Omit<CollectRequest, 'stdin' | 'onRejection'>> {
  return {
    inputs: flags.sessions ? [...inputs, flags.sessions] : inputs,
    adapterOptions: adapterOptionsFrom(flags),
    columns: columnOptionsFrom(flags),
    inputFormat: flags.inputFormat ?? null,
    since: bound('--since', flags.since),
    until: bound('--until', flags.until),
    exclude: flags.exclude ? await readExcludeFile(flags.exclude) : null,
    strict: flags.strict ?? false,
    keepGoing: flags.keepGoing ?? false,
    memoryBudgetValues: flags.memoryBudget,
    exactPerAccount: flags.exactPerAccount,
    readLimits: { maxRecordBytes: flags.maxRecordBytes, maxFields: flags.maxFields },
    openLimits: { ...DEFAULT_OPEN_LIMITS, maxDecompressedBytes: flags.maxDecompressedBytes },
    ...(flags.threads === '1' ? { parallelMinBytes: Infinity } : {}),
  };
}

/** Options that shape scoring and its context: roster, physical model, known exceptions (scan, inspect). */
export function addScoringOptions(command: Command): Command {
  return command
    .option('-r, --roster <file>', 'roster CSV: account, site (peer group), claimed location, time zone')
    .option('--server-location <place>', 'where the server is ("Ashburn, US", "Ashburn, VA, US" or "lat,lon"): turns on the physical check of claimed locations')
    .option('--servers <file>', 'CSV of server name and location, for inputs with a per-row server column (see --server-col)')
    .option('--server-col <col>', 'column naming the server of each row (default: detected: server, session_host, gateway, ...)')
    .option('--geoip-db <file>', 'MaxMind DB (.mmdb, City) to locate client addresses and compare them with the floor')
    .option('--ip-col <col>', 'column holding the client IP address (default: detected: client_ip, source_ip, ip, ...)')
    .option('--allow <file>', 'known exceptions (YAML or CSV): accounts, sites or client addresses with a reason, an owner and an optional expiry; still scored and shown, never trip --fail-on until they expire')
    .option('--now <time>', 'time against which allow-list expiry is judged (ISO 8601 or epoch; default: the clock); recorded in the report header')
    .option('--baseline <profile>', 'history profile (keylag baseline build/merge): each account\'s floor and shape now vs then, typing rhythm vs its own history');
}

/** The flags addScoringOptions defines (those that are not column options, see InputFlags). */
export interface ScoringFlags {
  roster?: string;
  serverLocation?: string;
  servers?: string;
  geoipDb?: string;
  allow?: string;
  now?: string;
  baseline?: string;
}

/** The scoring part of a scan request from those flags (scan and inspect). */
export function scoringRequestFrom(flags: ScoringFlags): Pick<ScanRequest,
  'rosterPath' | 'serverLocation' | 'serversPath' | 'geoipPath' | 'allowPath' | 'now' | 'baselinePath'> {
  return {
    rosterPath: flags.roster ?? null,
    serverLocation: flags.serverLocation ?? null,
    serversPath: flags.servers ?? null,
    geoipPath: flags.geoipDb ?? null,
    allowPath: flags.allow ?? null,
    now: nowFrom(flags.now, flags.allow !== undefined),
    baselinePath: flags.baseline ?? null,
  };
}

/** `--now` as given, else the clock when an allow list needs a time; null when nothing needs one. */
export function nowFrom(text: string | undefined, needed: boolean): { us: number; source: 'option' | 'clock' } | null {
  if (text !== undefined) {
    const parsed = parseBound(text);
    if (parsed === null) throw usageError(`--now expects an ISO 8601 date/time or epoch, got '${text}'`);
    if ('bad' in parsed) throw usageError(`--now ${parsed.bad}`);
    return { us: parsed.us, source: 'option' };
  }
  return needed ? { us: Date.now() * 1000, source: 'clock' } : null;
}
