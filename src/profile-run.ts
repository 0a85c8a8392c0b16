// `baseline build` and `baseline merge` as stages: collect -> profile, and read -> merge.
// Returns profiles; prints and writes nothing (src/cli/baseline.ts does).
import { accountWarnings, collect, type CollectRequest } from './collect.js';
import { formatTimeUs } from './ingest/time.js';
import { usageError } from './errors.js';
import { nothingReadError, rankedRejections } from './ingest/ingest.js';
import {
  buildProfile, mergeProfiles, readProfile, runFromInputs, streamProfile, type BuildInput, type Profile, type ProfileStream,
} from './baseline/profile.js';

export interface BaselineBuildRequest extends CollectRequest {
  arguments: string[];
  version: string;
}

export interface BaselineBuildResult<P = Profile> {
  profile: P;
  /** Rejected rows by reason, and warnings of the ingest stage: for the command to show. */
  rejections: { reason: string; count: number }[];
  warnings: string[];
}

/** The profile whole in memory (tests, tools building profiles in-process). */
export async function runBaselineBuild(req: BaselineBuildRequest): Promise<BaselineBuildResult> {
  const { profile: input, rejections, warnings } = await collectForProfile(req);
  return { profile: buildProfile(input), rejections, warnings };
}

/**
 * The same profile as its head and its accounts built one at a time while they are written
 * (`profileStreamPieces`): what `baseline build` writes, without the whole profile in memory.
 */
export async function streamBaselineBuild(req: BaselineBuildRequest): Promise<BaselineBuildResult<ProfileStream>> {
  const { profile: input, rejections, warnings } = await collectForProfile(req);
  return { profile: streamProfile(input), rejections, warnings };
}

async function collectForProfile(req: BaselineBuildRequest): Promise<BaselineBuildResult<BuildInput>> {
  const collected = await collect(req);
  // As in a scan: rows read and every one rejected is an input error, not an empty profile.
  const nothingRead = nothingReadError(collected.ingested);
  if (nothingRead !== null) throw nothingRead;
  const run = runFromInputs(collected.ingested.inputs, {
    toolVersion: req.version,
    arguments: req.arguments,
    since: req.since ? formatTimeUs(req.since.us) : null,
    until: req.until ? formatTimeUs(req.until.us) : null,
    excludePatterns: req.exclude?.patterns ?? [],
    samplesUsed: collected.samplesUsed,
  });
  // As scan's finish stage: the budget lets go of its stores, each account of its accumulators once built.
  collected.budget.releaseStores();
  const rejections = rankedRejections(collected.ingested.rejectionCounts);
  const warnings = [...collected.ingested.warnings, ...accountWarnings(collected, req.exclude)];
  return {
    profile: { accounts: collected.accounts, accountKeys: collected.accountKeys, run, toolVersion: req.version, release: true },
    rejections, warnings,
  };
}

export async function runBaselineMerge(paths: string[], version: string): Promise<Profile> {
  if (paths.length < 2) throw usageError('baseline merge needs at least two profiles');
  const loaded = [];
  for (const p of paths) loaded.push(await readProfile(p));
  return mergeProfiles(loaded, version);
}
