// Which client addresses each account's samples came from (linked accounts: one laptop farm, one
// public address). Bounded per account so a hostile input cannot grow memory without limit.
import type { SampleObserver } from '../collect.js';
import type { RawSample } from '../ingest/adapter.js';

export interface ClientAddressCount { address: string; samples: number; firstTimeUs: number; lastTimeUs: number }

/** Addresses kept per account; samples from further addresses are counted, not kept. */
export const MAX_ADDRESSES_PER_ACCOUNT = 64;

interface AccountAddresses {
  byAddress: Map<string, ClientAddressCount>;
  /** Samples whose address was not kept because the account already had the maximum. */
  overflowSamples: number;
}

export class ClientAddressTracker implements SampleObserver {
  readonly wants = { clientAddress: true };
  private readonly byAccount = new Map<string, AccountAddresses>();

  observe(account: string, raw: RawSample, _fileIndex: number): void {
    const address = raw.clientAddress;
    if (!address) return; // most inputs carry none: keep the per-sample cost at one property read
    let acc = this.byAccount.get(account);
    if (acc === undefined) { acc = { byAddress: new Map(), overflowSamples: 0 }; this.byAccount.set(account, acc); }
    const known = acc.byAddress.get(address);
    if (known !== undefined) {
      known.samples++;
      if (raw.timeUs < known.firstTimeUs) known.firstTimeUs = raw.timeUs;
      if (raw.timeUs > known.lastTimeUs) known.lastTimeUs = raw.timeUs;
    } else if (acc.byAddress.size < MAX_ADDRESSES_PER_ACCOUNT) {
      acc.byAddress.set(address, { address, samples: 1, firstTimeUs: raw.timeUs, lastTimeUs: raw.timeUs });
    } else {
      acc.overflowSamples++;
    }
  }

  /** Most samples first, ties by address (byte order). Copies: callers may not change the tracker. */
  addressesOf(account: string): ClientAddressCount[] {
    const acc = this.byAccount.get(account);
    if (acc === undefined) return [];
    return [...acc.byAddress.values()].map((c) => ({ ...c }))
      .sort((a, b) => b.samples - a.samples || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  /** Samples of the account whose address was not kept (beyond MAX_ADDRESSES_PER_ACCOUNT). */
  overflowOf(account: string): number {
    return this.byAccount.get(account)?.overflowSamples ?? 0;
  }
}
