// Entry point: builds the command tree, runs it, maps errors to one line and an exit code.
// Exit codes: 0 success, 1 gate (--fail-on) tripped, 2 usage or input error, 3 internal error.
import { Command, CommanderError } from 'commander';
import { VERSION } from './version.js';
import { registerScan } from './scan.js';
import { registerFormats } from './formats.js';
import { registerVerify } from './verify.js';
import { registerExtract } from './extract.js';
import { registerInspect } from './inspect.js';
import { registerBaseline } from './baseline.js';
import { isKeylagError } from '../errors.js';
import { terminalSafe } from '../report/sanitize.js';

import { EXIT_OK, EXIT_USAGE, EXIT_INTERNAL } from './exit-codes.js';

// Heap policy (growth between collections, collections between stages): see memory.ts.
import './memory.js';

// A closed pipe ends quietly: `keylag scan ... | head` must not print an EPIPE trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT_OK);
  throw err;
});

function buildProgram(): Command {
  const program = new Command();
  program
    .name('keylag')
    .description('Latency forensics: rank accounts whose input latency betrays a remote operator (laptop farms, relays).')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', `
Examples:
  $ keylag scan fixtures/sample/sessions.csv --roster fixtures/sample/roster.csv
  $ keylag scan exports/*.csv.gz --roster roster.csv --format json -o report.json --fail-on 70
  $ keylag formats

Exit codes: 0 success, 1 an account scored at or above --fail-on, 2 usage or input error, 3 internal error.`);
  registerScan(program);
  registerFormats(program);
  registerVerify(program);
  registerExtract(program);
  registerInspect(program);
  registerBaseline(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help asked for (--help, `keylag help`) is a success; help shown because no command was given
      // (commander's exit code 1) is a usage error, so a script calling `keylag $EMPTY` does not pass.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || (err.code === 'commander.help' && err.exitCode === 0)) {
        process.exitCode = EXIT_OK;
      } else {
        process.exitCode = EXIT_USAGE;
      }
      return;
    }
    if (isKeylagError(err)) {
      process.stderr.write(`keylag: error: ${terminalSafe(err.oneLine())}\n`);
      process.exitCode = err.category === 'internal' ? EXIT_INTERNAL : EXIT_USAGE;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`keylag: internal error: ${terminalSafe(message)}\n`);
    if (process.env.KEYLAG_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}

await main(process.argv);
// Test hook: the reliability corpus checks peak memory of every run.
if (process.env.KEYLAG_REPORT_PEAK_RSS === '1') process.stderr.write(`keylag: peak rss ${process.resourceUsage().maxRSS} KiB\n`);
