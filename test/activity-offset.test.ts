// Activity hours (signal 7) only where the input's times carry their UTC offset: a time without one
// was read as UTC, so its hour in the claimed zone is not known and no sentence may state it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SAMPLE, ROSTER, REPO_ROOT } from './helpers/cli.js';

interface Item { signal: string; sentence: string }
interface Report { header: { warnings: string[] }; accounts: { account: string; evidence: Item[] }[] }

function scan(input: string): Report {
  const r = runCli(['scan', input, '--roster', ROSTER, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}
const activityItems = (report: Report): Item[] => report.accounts.flatMap((a) => a.evidence.filter((e) => e.signal === 'activity_hours'));

test('times without a UTC offset: no activity-hours evidence, and the header says for how many accounts and why', () => {
  const withOffset = scan(SAMPLE);
  // The bundled sample writes its times with Z: every account with a claimed zone is assessed.
  assert.ok(activityItems(withOffset).length >= 150, `${activityItems(withOffset).length} items`);
  assert.ok(!withOffset.header.warnings.some((w) => w.includes('activity hours not assessed')));

  // The same rows as an export in local time writes them: the Z left out.
  const dir = mkdtempSync(join(tmpdir(), 'keylag-offsetless-'));
  const offsetless = join(dir, 'sessions-local.csv');
  writeFileSync(offsetless, readFileSync(join(REPO_ROOT, SAMPLE), 'utf8').replace(/(\d\d:\d\d:\d\d\.\d+)Z,/g, '$1,'));
  const report = scan(offsetless);
  // Before: the same ~198 sentences "... fall at 01:00-05:00 America/New_York (claimed)", of hours
  // that were UTC's.
  assert.deepEqual(activityItems(report), []);
  const warning = report.header.warnings.find((w) => w.startsWith('activity hours not assessed for '));
  assert.ok(warning !== undefined, report.header.warnings.join(' | '));
  assert.match(warning, /^activity hours not assessed for \d{3} accounts \([^)]+, \.\.\.\): their times have no UTC offset, so their local hours are not known$/);
  assert.ok(report.header.warnings.some((w) => w.endsWith('timestamps without a UTC offset were read as UTC')));
});
