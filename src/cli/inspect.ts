// `keylag inspect ACCOUNT INPUTS...`: wires options to the scan pipeline, the second pass that finds
// the floor's input rows, and the inspect renderer. No analysis here.
import { Command, Option } from 'commander';
import { createHash } from 'node:crypto';
import { runScan, DEFAULT_MIN_SAMPLES } from '../pipeline.js';
import { findFloorRows } from '../analyze/rows.js';
import { inspectedOnly, renderInspectJson, renderInspectText, selectAccount } from '../report/inspect.js';
import { terminalSafe } from '../report/sanitize.js';
import { VERSION } from './version.js';
import { releaseBetweenStages } from './memory.js';
import { decideColor, guardOutputPath, writeFileText, writeStdout } from './output.js';
import {
  addAdapterOptions, addInputOptions, addLimitOptions, addScoringOptions, collectRequestFrom, positiveInt, scoringRequestFrom, type InputFlags, type ScoringFlags,
} from './scan.js';

interface InspectFlags extends InputFlags, ScoringFlags {
  format: 'text' | 'json';
  out?: string;
  minSamples: number;
  color: boolean;
}

export function registerInspect(program: Command): void {
  const command = program
    .command('inspect')
    .description('everything about one account: distributions, chart against its peers, daily floors, change points, evidence, and the input rows that set its floor')
    .argument('<account>', 'account to inspect (normalised as scan does: CORP\\jdoe, jdoe@corp.example and jdoe are one)')
    .argument('<inputs...>', 'the same inputs as the scan (the whole population: peers and evidence need it)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--min-samples <n>', 'fewer samples of every kind than this: listed as insufficient data, not scored', positiveInt('--min-samples'), DEFAULT_MIN_SAMPLES);
  addInputOptions(command);
  addLimitOptions(command);
  addAdapterOptions(command);
  addScoringOptions(command)
    .option('--no-color', 'no colour (also: NO_COLOR=1)')
    .addHelpText('after', `
Examples:
  $ keylag inspect lucia.lee fixtures/sample/sessions.csv --roster fixtures/sample/roster.csv
  $ keylag inspect 'CORP\\lucia.lee' exports/*.csv.gz --roster roster.csv --format json -o lucia.json`)
    .action(async (accountName: string, inputs: string[], flags: InspectFlags, cmd: Command) => {
      if (flags.out) guardOutputPath(flags.out, inputs, '--out');
      const base = await collectRequestFrom(inputs, flags);
      const rawArgs = cmd.parent ? process.argv.slice(2) : [];
      let report = await runScan({
        ...base,
        ...scoringRequestFrom(flags),
        minSamples: flags.minSamples,
        arguments: rawArgs,
        version: VERSION,
        stdin: process.stdin,
      });
      const account = selectAccount(report, accountName, base.exclude ? (k) => base.exclude!.matches(k) : undefined);
      // Only what is rendered lives on through the second pass (the same variable: no reference to
      // the whole report is left), and the rest is collected before it reads, so the second pass's
      // allocations reuse that room (it reads in this thread too, src/analyze/rows.ts).
      report = inspectedOnly(report, account);
      releaseBetweenStages();
      // Second pass: only this account, every value exact (stdin: unavailable, said in the output).
      const rows = await findFloorRows({ ...base, stdin: process.stdin }, account.account, report.header.inputs);
      const text = flags.format === 'json'
        ? renderInspectJson(report, account, rows)
        : renderInspectText(report, account, rows, {
          width: process.stdout.columns,
          color: decideColor(flags.color, flags.out !== undefined, process.env, Boolean(process.stdout.isTTY)),
        });
      if (flags.out) {
        await writeFileText(flags.out, text);
        process.stderr.write(`keylag: wrote ${terminalSafe(flags.out)} (sha256 ${createHash('sha256').update(text).digest('hex')})\n`);
      } else {
        await writeStdout(text);
      }
    });
}
