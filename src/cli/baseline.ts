// `keylag baseline build|merge`: wires options to src/profile-run.ts and writes the profile.
import type { Command } from 'commander';
import { createWriteStream, type WriteStream } from 'node:fs';
import { runBaselineMerge, streamBaselineBuild } from '../profile-run.js';
import { profileJsonPieces, profileStreamPieces, type ProfileHead } from '../baseline/profile.js';
import { terminalSafe } from '../report/sanitize.js';
import { VERSION } from './version.js';
import { guardOutputPath, writePieces } from './output.js';
import { addAdapterOptions, addInputOptions, addLimitOptions, collectRequestFrom, type InputFlags } from './scan.js';

interface BuildFlags extends InputFlags {
  out?: string;
  rejects?: string;
}

async function emit(profile: ProfileHead, pieces: Iterable<string>, out: string | undefined): Promise<void> {
  // Written as it is built, a group of accounts at a time (10,000 accounts: a 52 MB text never held whole).
  const sha = await writePieces(out ?? null, pieces);
  if (out === undefined) return;
  process.stderr.write(`keylag: wrote ${terminalSafe(out)} (sha256 ${sha}; ${profile.summary.accounts} accounts, ${profile.summary.samples} samples`
    + `${profile.period ? `, ${profile.period.first.slice(0, 10)}..${profile.period.last.slice(0, 10)}` : ''})\n`);
}

export function registerBaseline(program: Command): void {
  const baseline = program
    .command('baseline')
    .description('history profiles: build one from a known-good period, merge several (months, shards)');

  const build = baseline
    .command('build')
    .description('summarise each account\'s latency per kind into a mergeable profile (versioned JSON)')
    .argument('<inputs...>', 'timing files, as for scan')
    .option('-o, --out <file>', 'write the profile to a file instead of stdout')
    .option('--rejects <file>', 'write every rejected value or row as file:line: reason: detail');
  addInputOptions(build);
  addLimitOptions(build);
  addAdapterOptions(build)
    .addHelpText('after', `
Examples:
  $ keylag baseline build exports/2026-02/*.csv.gz --exclude service-accounts.txt -o profile-2026-02.json
  $ keylag baseline build vdi.csv --since 2026-02-01 --until 2026-03-01 -o feb.json`)
    .action(async (inputs: string[], flags: BuildFlags, command: Command) => {
      if (flags.out) guardOutputPath(flags.out, inputs, '--out');
      if (flags.rejects) guardOutputPath(flags.rejects, inputs, '--rejects');
      let rejectStream: WriteStream | null = null;
      if (flags.rejects) {
        rejectStream = createWriteStream(flags.rejects, { flags: 'w' });
        rejectStream.on('error', () => undefined);
      }
      // Arguments as given after `keylag`, for the profile's custody record (none when run in-process).
      const rawArgs = command.parent?.parent ? process.argv.slice(2) : [];
      try {
        const { profile, rejections, warnings } = await streamBaselineBuild({
          ...(await collectRequestFrom(inputs, flags)),
          stdin: process.stdin,
          onRejection: rejectStream
            ? (r) => { rejectStream!.write(`${r.source.file}:${r.source.line}: ${r.reason}: ${terminalSafe(r.detail)}\n`); }
            : undefined,
          arguments: rawArgs,
          version: VERSION,
        });
        for (const w of warnings) process.stderr.write(`keylag: warning: ${terminalSafe(w)}\n`);
        const total = rejections.reduce((s, r) => s + r.count, 0);
        if (total > 0) {
          process.stderr.write(`keylag: ${total} rows or values rejected (${rejections.map((r) => `${terminalSafe(r.reason)} ${r.count}`).join(', ')})\n`);
        }
        // Each account is built, written and let go before the next (the whole profile is never held).
        await emit(profile.head, profileStreamPieces(profile), flags.out);
      } finally {
        if (rejectStream) await new Promise<void>((r) => rejectStream!.end(() => r()));
      }
    });

  baseline
    .command('merge')
    .description('combine profiles (e.g. one per month or per shard) into one; the order does not matter')
    .argument('<profiles...>', 'profiles written by baseline build or merge')
    .option('-o, --out <file>', 'write the merged profile to a file instead of stdout')
    .addHelpText('after', `
Examples:
  $ keylag baseline merge profile-2026-01.json profile-2026-02.json -o profile-q1.json`)
    .action(async (paths: string[], flags: { out?: string }) => {
      if (flags.out) guardOutputPath(flags.out, paths, '--out');
      const merged = await runBaselineMerge(paths, VERSION);
      await emit(merged, profileJsonPieces(merged), flags.out);
    });
}
