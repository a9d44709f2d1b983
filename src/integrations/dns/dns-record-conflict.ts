import { ConflictError } from '../../errors/app-error.ts';
import type { DnsRecordType } from './dns-provider.ts';

/** An A/AAAA record and a CNAME cannot share a name (Cloudflare answers 81053). */
export function createDnsRecordConflict(type: DnsRecordType, name: string): ConflictError {
  const other = type === 'CNAME' ? 'an A or AAAA record' : 'a CNAME record';
  return new ConflictError(
    'dns.record_conflict',
    `Cannot create a ${type} record for ${name}: ${other} already uses that name.`,
  );
}

/** The record types that cannot coexist with `type` at the same name. */
export function conflictingTypes(type: DnsRecordType): readonly DnsRecordType[] {
  switch (type) {
    case 'CNAME':
      return ['A', 'AAAA'];
    case 'A':
    case 'AAAA':
      return ['CNAME'];
    case 'TXT':
      return [];
  }
}
