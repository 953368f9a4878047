/** Typed errors of the directory: what went wrong, with which record, and for bad input every problem with its path. */

export type DirectoryErrorCode = 'not_found' | 'already_exists' | 'invalid_input' | 'in_use' | 'invalid_snapshot';
export type DirectoryEntity = 'user' | 'device' | 'label' | 'group' | 'snapshot';

export interface DirectoryIssue {
  /** Dotted path of the offending field ("ldap.dn", "phone.number"); '' for the record as a whole. */
  path: string;
  message: string;
}

export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    readonly entity: DirectoryEntity,
    readonly id: string | undefined,
    message: string,
    readonly issues: readonly DirectoryIssue[] = [],
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}

/** zod issues as DirectoryIssues (zod 4 issue shape: { path, message }). */
export function issuesFrom(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): DirectoryIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export function describeIssues(issues: readonly DirectoryIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}
