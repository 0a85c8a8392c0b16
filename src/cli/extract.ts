// `keylag extract`: any input (a capture, a tshark export, any timing file) in, normalised samples
// out (DESIGN section 2), as CSV or JSON Lines that `keylag scan` reads back as a generic timing
// file. A pipeline can derive once from a large capture and scan the small extract many times.
import { Command, Option } from 'commander';
import { createWriteStream, type WriteStream } from 'node:fs';
import { assumedZoneWarning, ingest } from '../ingest/ingest.js';
import type { RawSample } from '../ingest/adapter.js';
import { terminalSafe } from '../report/sanitize.js';
import { guardOutputPath } from './output.js';
import {
  SSH_PORT_FLAG, SSH_PORT_HELP, adapterOptionsFrom, addColumnOptions, assumeTzOption, columnOptionsFrom, dateOrderOption, sshPortList, type InputFlags,
} from './scan.js';

const FORMATS = ['csv', 'jsonl'] as const;
type Format = (typeof FORMATS)[number];

interface ExtractFlags extends Pick<InputFlags, 'accountCol' | 'timeCol' | 'sessionCol' | 'kindCol' | 'valueCol' | 'unit' | 'decimalComma' | 'accountColumns' | 'dateOrder' | 'assumeTz'> {
  format: Format;
  out?: string;
  inputFormat?: string;
  accounts?: string;
  sshPort?: string;
  strict?: boolean;
  keepGoing?: boolean;
}

/** The columns; `time` is integer epoch microseconds, which the generic adapter reads back exactly. */
export const EXTRACT_COLUMNS = ['time', 'account', 'session', 'kind', 'value_ms', 'source', 'source_id'] as const;

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Shortest text that reads back as the same double (values derived from µs print as exact decimals). */
function numberText(v: number): string {
  return String(v);
}

export function extractRow(raw: RawSample, path: string, format: Format): string {
  const source = `${path}:${raw.line}`;
  if (format === 'jsonl') {
    return JSON.stringify({
      time: raw.timeUs, account: raw.account, session: raw.session, kind: raw.kind, value_ms: raw.valueMs, source, source_id: raw.sourceId ?? null,
    });
  }
  return [String(raw.timeUs), csvCell(raw.account), csvCell(raw.session), raw.kind, numberText(raw.valueMs), csvCell(source), csvCell(raw.sourceId ?? '')].join(',');
}

export function registerExtract(program: Command): void {
  const command = program
    .command('extract')
    .description('derive normalised samples (account, session, time, kind, value) from captures or exports, for scanning later')
    .argument('<inputs...>', 'pcap/pcapng captures, tshark exports or timing files (.gz read transparently; - for stdin)')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('csv'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--input-format <name>', 'force an input format (see: keylag formats)')
    .option('--accounts <file>', 'accounts map for packet captures and tshark exports: IP, IP:port or FILE#stream -> account')
    .option(SSH_PORT_FLAG, SSH_PORT_HELP, sshPortList)
    .option('--strict', 'stop at the first rejected value or row (exit 2)')
    .option('--keep-going', 'skip a missing or unreadable input instead of exit 2');
  // The same column options as scan, so that a timing file scan needs them for extracts as it scans.
  // And the same time options: the extract's times are instants, so a file needing --assume-tz gets it here.
  addColumnOptions(command)
    .addOption(dateOrderOption())
    .addOption(assumeTzOption())
    .addHelpText('after', `
Examples:
  $ keylag extract capture.pcap --accounts accounts.csv -o samples.csv
  $ keylag scan samples.csv`)
    .action(async (inputs: string[], flags: ExtractFlags) => {
      if (flags.out) guardOutputPath(flags.out, inputs, '--out');
      const sink: WriteStream | NodeJS.WriteStream = flags.out ? createWriteStream(flags.out, { flags: 'w' }) : process.stdout;
      let pending: string[] = [];
      const flush = async (): Promise<void> => {
        if (pending.length === 0) return;
        const text = pending.join('');
        pending = [];
        if (!sink.write(text)) await new Promise<void>((r) => sink.once('drain', () => r()));
      };
      if (flags.format === 'csv') pending.push(`${EXTRACT_COLUMNS.join(',')}\n`);
      let rows = 0;
      const result = await ingest({
        inputs,
        columns: columnOptionsFrom(flags),
        adapterOptions: adapterOptionsFrom(flags),
        inputFormat: flags.inputFormat ?? null,
        strict: flags.strict ?? false,
        keepGoing: flags.keepGoing ?? false,
        stdin: process.stdin,
      }, (raw, _index, path) => {
        pending.push(`${extractRow(raw, path, flags.format)}\n`);
        rows++;
      });
      await flush();
      // What --assume-tz did (samples placed, rows at a skipped time rejected), as scan's header says it.
      if (result.assumedZone !== null) process.stderr.write(`keylag: ${terminalSafe(assumedZoneWarning(result.assumedZone))}\n`);
      if (flags.out) {
        await new Promise<void>((r) => (sink as WriteStream).end(() => r()));
        const formats = result.inputs.map((i) => `${terminalSafe(i.path)}: ${terminalSafe(i.format ?? i.status)}`).join('; ');
        process.stderr.write(`keylag: wrote ${rows} samples to ${terminalSafe(flags.out)} (${formats})\n`);
      }
    });
}
