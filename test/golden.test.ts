// Golden-file tests: the reports for the bundled sample, byte for byte.
// Regenerate after an intended change with: npm run golden:update  (then review the diff).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, REPO_ROOT, SAMPLE, ROSTER, EXCLUDE } from './helpers/cli.js';

const GOLDEN_DIR = join(REPO_ROOT, 'test/golden');
const UPDATE = process.env.KEYLAG_UPDATE_GOLDEN === '1';

/** File modification times depend on the clone, not on the evidence: normalised. */
function normalise(text: string): string {
  return text.replace(/"mtime": "[^"]*"/g, '"mtime": "<mtime>"').replace(/"mtime":"[^"]*"/g, '"mtime":"<mtime>"');
}

const cases: { name: string; args: string[] }[] = [
  { name: 'sample.json', args: ['scan', SAMPLE, '--roster', ROSTER, '--exclude', EXCLUDE, '--format', 'json', '--top', '6'] },
  { name: 'sample.csv', args: ['scan', SAMPLE, '--roster', ROSTER, '--exclude', EXCLUDE, '--format', 'csv'] },
  { name: 'sample.jsonl', args: ['scan', SAMPLE, '--roster', ROSTER, '--exclude', EXCLUDE, '--format', 'jsonl', '--top', '3'] },
  { name: 'sample.table.txt', args: ['scan', SAMPLE, '--roster', ROSTER, '--exclude', EXCLUDE, '--top', '5', '--no-color'] },
  // Drill-down on the planted farm account (issue 6): test/inspect.test.ts checks that its file:line rows are real.
  { name: 'sample.inspect.txt', args: ['inspect', 'lucia.lee', SAMPLE, '--roster', ROSTER, '--no-color'] },
  { name: 'sample.inspect.json', args: ['inspect', 'lucia.lee', SAMPLE, '--roster', ROSTER, '--format', 'json'] },
];

for (const c of cases) {
  test(`golden: keylag ${c.args.join(' ')}`, () => {
    const r = runCli(c.args, { env: { COLUMNS: '120' } });
    assert.equal(r.status, 0, r.stderr);
    const actual = normalise(r.stdout);
    const path = join(GOLDEN_DIR, c.name);
    if (UPDATE || !existsSync(path)) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(path, actual);
      if (!UPDATE) assert.fail(`golden file ${c.name} was missing and has been written; review and commit it`);
      return;
    }
    assert.equal(actual, readFileSync(path, 'utf8'), `${c.name} differs from the golden file (npm run golden:update to accept)`);
  });
}
