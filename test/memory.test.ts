// Memory policy hooks (issue 7): the scan tells its caller when a stage has let go of its state, in
// order, and the hook changes nothing in the report; the budget lets go of its stores on finishing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScan, DEFAULT_MEMORY_BUDGET_VALUES, type ScanRequest } from '../src/pipeline.js';
import { renderJson } from '../src/report/json.js';
import { collect, finishAccounts } from '../src/collect.js';
import { SAMPLE } from './helpers/cli.js';

function request(extra: Partial<ScanRequest> = {}): ScanRequest {
  return {
    inputs: [SAMPLE], columns: {}, inputFormat: null, strict: false, keepGoing: false, stdin: process.stdin,
    since: null, until: null, exclude: null, memoryBudgetValues: DEFAULT_MEMORY_BUDGET_VALUES,
    rosterPath: null, minSamples: 30, arguments: [], version: 'test',
    serverLocation: null, serversPath: null, geoipPath: null, ...extra,
  } as ScanRequest;
}

test('scan: stage ends are reported once each, in order, and do not change the report', async () => {
  const stages: string[] = [];
  const withHook = await runScan(request({ onStageEnd: (s) => { stages.push(s); (globalThis as { gc?: () => void }).gc?.(); } }));
  const without = await runScan(request());
  assert.deepEqual(stages, ['collected', 'finished']);
  const text = (r: typeof withHook) => renderJson(r, {}).replace(/"mtime": "[^"]*"/g, '');
  assert.equal(text(withHook), text(without));
});

test('finishing with release lets the budget go of every store and of the day records', async () => {
  const collected = await collect(request({ memoryBudgetValues: 10_000 }));
  assert.ok(collected.budget.stores.length > 0, 'exact stores tracked while reading');
  assert.notEqual(collected.budget.dayRecords, null);
  assert.ok([...collected.accounts.values()].every((acc) => acc.kindCount() > 0), 'accumulators held while reading');
  finishAccounts(collected, 30, true);
  assert.equal(collected.budget.stores.length, 0);
  assert.equal(collected.budget.dayRecords, null);
  for (const acc of collected.accounts.values()) assert.equal(acc.kindCount(), 0, 'accumulators released');
});
