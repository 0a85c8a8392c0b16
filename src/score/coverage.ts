// What the kinds an account has can and cannot rule out (DESIGN section 2, Coverage).
import type { Kind } from '../types.js';

export function coverageOf(kinds: Kind[]): { kinds: Kind[]; rulesOut: string; cannotRuleOut: string } {
  const has = (k: Kind) => kinds.includes(k);
  const human = has('app_rtt') || has('reaction') || has('keystroke_interval');
  let rulesOut: string;
  let cannotRuleOut: string;
  if (human) {
    rulesOut = 'application/human-in-the-loop timing covers every hop to where input is produced: a near floor rules out an operator abroad';
    cannotRuleOut = has('rtt') ? 'nothing structural; only the strength of the evidence limits it' : 'without transport rtt the relay signature (app_rtt minus rtt) cannot be computed';
  } else if (has('input_lag')) {
    rulesOut = 'input lag of unstated kind: if the export measures input to screen update it covers the full path to the user';
    cannotRuleOut = 'if the export measures only the transport, a remotely controlled laptop in the claimed place looks innocent';
  } else if (has('rtt')) {
    rulesOut = 'transport RTT only: rules out a client running abroad';
    cannotRuleOut = 'a remotely controlled laptop (AnyDesk, IP-KVM, relay) near the server looks innocent';
  } else {
    rulesOut = 'nothing: no usable latency kind';
    cannotRuleOut = 'everything';
  }
  return { kinds, rulesOut, cannotRuleOut };
}
