// `keylag verify REPORT.json INPUTS...`: do the evidence files still match the report?
import type { Command } from 'commander';
import { verifyReport } from '../custody/verify.js';
import { terminalSafe } from '../report/sanitize.js';
import { writeStdout } from './output.js';
import { EXIT_GATE } from './exit-codes.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('re-hash evidence files and check them against a JSON report (chain of custody); exit 1 on any difference')
    .argument('<report>', 'a report written with --format json')
    .argument('[inputs...]', 'the evidence files (and roster) to check')
    .addHelpText('after', `
Example:
  $ keylag scan exports/*.csv --roster roster.csv --format json -o report.json
  $ keylag verify report.json exports/*.csv roster.csv`)
    .action(async (reportPath: string, inputs: string[]) => {
      const result = await verifyReport(reportPath, inputs);
      const out = result.lines.map((l) => {
        const status = l.status.toUpperCase().replace(/_/g, ' ');
        const sha = l.actualSha256 ?? l.recordedSha256 ?? '-';
        return `${status.padEnd(13)} ${terminalSafe(l.path)}  sha256 ${sha}  (${terminalSafe(l.detail)})`;
      });
      out.push(result.ok
        ? `verified: all ${result.lines.length} inputs match ${terminalSafe(reportPath)}`
        : `NOT verified: ${result.lines.filter((l) => l.status !== 'match').length} of ${result.lines.length} inputs differ from ${terminalSafe(reportPath)}`);
      await writeStdout(out.join('\n') + '\n');
      if (!result.ok) process.exitCode = EXIT_GATE;
    });
}
