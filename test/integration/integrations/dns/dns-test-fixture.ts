import { randomBytes } from 'node:crypto';

import type { DnsProvider } from '../../../../src/integrations/dns/dns-provider.ts';

/** A zone of its own per test, so tests never see each other's records. */
export function uniqueZone(): string {
  return `t${randomBytes(5).toString('hex')}.example.com`;
}

/** The owner every contract test writes for, and another one. */
export const OWNER = 'portfolio=3f0c2a52-5a43-4b8e-9d43-0f4b8f1e2a11';
export const OTHER_OWNER = 'portfolio=9b1d7c3e-2f4a-4c5b-8d6e-7f8091a2b3c4';

export interface DnsProviderFixture {
  readonly provider: () => DnsProvider;
  /** Puts a record at a name the way an operator would: without our mark. */
  readonly seedForeign: (record: {
    readonly type: string;
    readonly name: string;
    readonly content: string;
  }) => Promise<void>;
}
