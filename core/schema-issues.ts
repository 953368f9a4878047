/**
 * zod problems as `{ path, message }` with a readable path (`targets.scep-ca.url`, `rows[3].Platform`): every
 * configuration and request error is reported whole, with its path, in the same form everywhere.
 */
import type { z } from 'zod';

export interface Issue {
  path: string;
  message: string;
}

export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Every problem zod found, each with its path (under `prefix` when given). */
export function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): Issue[] {
  return error.issues.map((issue) => ({ path: formatIssuePath([...prefix, ...issue.path]), message: issue.message }));
}
