// Chain of custody: does a report still match the evidence files it was made from?
// Re-hashes the inputs (SHA-256 of the bytes as stored, like the scan) and compares with the
// report header. Pure logic over file reads; the CLI prints.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { inputError } from '../errors.js';

export interface RecordedInput {
  path: string;
  sha256: string | null;
  sizeBytes: number | null;
}

export type VerifyStatus = 'match' | 'mismatch' | 'not_in_report' | 'not_given' | 'unreadable';

export interface VerifyLine {
  status: VerifyStatus;
  path: string;
  recordedSha256: string | null;
  actualSha256: string | null;
  detail: string;
}

export interface VerifyResult {
  reportPath: string;
  tool: string;
  version: string;
  caseId: string | null;
  lines: VerifyLine[];
  ok: boolean;
}

export async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { flags: 'r' }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The recorded inputs (and roster, and baseline profile) of a keylag JSON report. */
export async function readReportInputs(reportPath: string): Promise<{ tool: string; version: string; caseId: string | null; inputs: RecordedInput[] }> {
  let text: string;
  try {
    text = await readFile(reportPath, { encoding: 'utf8', flag: 'r' });
  } catch (err) {
    throw inputError(`cannot read report: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, reportPath);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw inputError('not a JSON report (write one with --format json)', reportPath);
  }
  const header = (parsed as { header?: Record<string, unknown> })?.header;
  if (!header || header.tool !== 'keylag' || !Array.isArray(header.inputs)) {
    throw inputError('not a keylag JSON report: no header.inputs', reportPath);
  }
  const recorded = [...(header.inputs as RecordedInput[])];
  if (header.roster && typeof header.roster === 'object') recorded.push(header.roster as RecordedInput);
  // The history profile a scan compared with (--baseline) is evidence too.
  if (header.baseline && typeof header.baseline === 'object') recorded.push(header.baseline as RecordedInput);
  // So is the allow list (--allow) that kept accounts from the gate.
  if (header.allowList && typeof header.allowList === 'object') recorded.push(header.allowList as RecordedInput);
  return {
    tool: String(header.tool),
    version: String(header.version ?? ''),
    caseId: typeof header.caseId === 'string' ? header.caseId : null,
    inputs: recorded.map((r) => ({ path: String(r.path), sha256: r.sha256 ?? null, sizeBytes: r.sizeBytes ?? null })),
  };
}

/**
 * Compare the given files with the report. A given file matches a recorded input with the same
 * SHA-256 (paths may differ between machines: the hash decides, the path is only reported).
 * Recorded inputs without a hash (skipped at scan time, or stdin) are reported as such.
 */
export async function verifyReport(reportPath: string, files: string[]): Promise<VerifyResult> {
  const report = await readReportInputs(reportPath);
  const lines: VerifyLine[] = [];
  const unmatched = new Set(report.inputs.filter((r) => r.sha256 !== null));
  for (const file of files) {
    let actual: string;
    try {
      actual = (await sha256OfFile(file)).sha256;
    } catch (err) {
      lines.push({ status: 'unreadable', path: file, recordedSha256: null, actualSha256: null, detail: (err as NodeJS.ErrnoException).code ?? 'read failed' });
      continue;
    }
    const byHash = [...unmatched].find((r) => r.sha256 === actual);
    if (byHash) {
      unmatched.delete(byHash);
      lines.push({ status: 'match', path: file, recordedSha256: actual, actualSha256: actual, detail: `recorded as ${byHash.path}` });
      continue;
    }
    const byPath = [...unmatched].find((r) => r.path === file);
    if (byPath) {
      unmatched.delete(byPath);
      lines.push({ status: 'mismatch', path: file, recordedSha256: byPath.sha256, actualSha256: actual, detail: 'content changed since the report was made' });
      continue;
    }
    lines.push({ status: 'not_in_report', path: file, recordedSha256: null, actualSha256: actual, detail: 'no input of the report has this content' });
  }
  for (const r of unmatched) {
    lines.push({ status: 'not_given', path: r.path, recordedSha256: r.sha256, actualSha256: null, detail: 'recorded in the report, not given to verify' });
  }
  for (const r of report.inputs.filter((x) => x.sha256 === null)) {
    lines.push({ status: 'not_given', path: r.path, recordedSha256: null, actualSha256: null, detail: 'the report holds no hash for this input (skipped when scanned)' });
  }
  const ok = lines.every((l) => l.status === 'match');
  return { reportPath, tool: report.tool, version: report.version, caseId: report.caseId, lines, ok };
}
