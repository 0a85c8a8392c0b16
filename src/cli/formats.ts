// `keylag formats`: the input adapters, with a one-line example each.
import type { Command } from 'commander';
import { ADAPTERS } from '../ingest/registry.js';
import { writeStdout } from './output.js';

export function registerFormats(program: Command): void {
  program
    .command('formats')
    .description('list the input formats keylag detects (force one with --input-format NAME)')
    .action(async () => {
      const lines = ADAPTERS.map((a) => `${a.name}\n  ${a.description}\n  example:\n    ${a.example.split('\n').join('\n    ')}\n`);
      await writeStdout(lines.join('\n'));
    });
}
