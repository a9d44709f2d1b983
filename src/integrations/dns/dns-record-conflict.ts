import { ConflictError } from '../../errors/app-error.ts';
import type { DnsRecordType } from './dns-provider.ts';
import type { RecordInput } from './parse-record-input.ts';

/** A record found at a name, of any type a vendor has (MX, NS, ...), content unquoted. */
export interface RecordAtName {
  readonly name: string;
  readonly type: string;
  readonly content: string;
  readonly owner: string | null;
}

/**
 * A record we may not touch holds the name (R-SEC-2). `recordType` names it; `heldBy` is the
 * owner of a record of ours (another portfolio's), null for a record we did not create.
 */
export class DnsRecordConflictError extends ConflictError {
  override readonly name: string = 'DnsRecordConflictError';
  readonly recordName: string;
  readonly recordType: string;
  readonly heldBy: string | null;

  constructor(
    wanted: { readonly type: DnsRecordType; readonly owner: string },
    existing: RecordAtName,
  ) {
    const whose =
      existing.owner === null
        ? 'not created by RoleRabbit'
        : existing.owner === wanted.owner
          ? 'of the same site'
          : 'of another RoleRabbit site';
    super(
      'dns.record_conflict',
      `Cannot write ${article(wanted.type)} ${wanted.type} record for ${existing.name}: ${article(existing.type)} ${existing.type} record ${whose} already uses that name.`,
    );
    this.recordName = existing.name;
    this.recordType = existing.type;
    this.heldBy = existing.owner;
  }
}

function article(type: string): string {
  return /^[AEFHILMNORSX]/.test(type) ? 'an' : 'a';
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

/** Whether an existing record is the one an upsert of `input` updates (same owner aside). */
function isSameRecord(record: RecordAtName, input: RecordInput): boolean {
  return record.type === input.type && (input.type !== 'TXT' || record.content === input.content);
}

/**
 * Of every record at the input's name (any type, `content` already unquoted), the ones of the
 * input's owner that the upsert updates, oldest first as given. Throws DnsRecordConflictError
 * for the first record that is not that owner's, and for an owner's record of a type that
 * cannot share the name with the input.
 */
export function selectOwnRecords<R extends RecordAtName>(
  atName: readonly R[],
  input: RecordInput,
): R[] {
  const foreign = atName.find((record) => record.owner !== input.owner);
  if (foreign !== undefined) {
    throw new DnsRecordConflictError(input, foreign);
  }
  const cannotShare: readonly string[] = conflictingTypes(input.type);
  const clash = atName.find((record) => cannotShare.includes(record.type));
  if (clash !== undefined) {
    throw new DnsRecordConflictError(input, clash);
  }
  return atName.filter((record) => isSameRecord(record, input));
}
