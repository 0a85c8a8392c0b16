// The `--fail-on` gate as a pure decision over a finished report: which accounts trip it, and which
// would have but are covered by an unexpired allow-list entry. The CLI only turns it into exit 1.
import type { AccountReport, Report } from '../types.js';

export interface GateDecision {
  /** True when at least one account trips the gate (exit 1). */
  tripped: boolean;
  /** Scored accounts at or above the threshold with no unexpired allow-list entry, in report order. */
  tripping: string[];
  /** Scored accounts at or above the threshold that an unexpired allow-list entry keeps from the gate. */
  allowed: string[];
}

/** An account is exempt only while its entry is unexpired; an expired entry is reported, not applied. */
export function exemptFromGate(a: AccountReport): boolean {
  return a.allowed !== undefined && a.allowed !== null && !a.allowed.expired;
}

export function gateDecision(report: Report, failOn: number): GateDecision {
  const over = report.accounts.filter((a) => a.status === 'scored' && a.score >= failOn);
  const tripping = over.filter((a) => !exemptFromGate(a)).map((a) => a.account);
  const allowed = over.filter(exemptFromGate).map((a) => a.account);
  return { tripped: tripping.length > 0, tripping, allowed };
}
