/**
 * ScepServerAdmin over HTTP: the admin surface of mdmca's SCEP CA simulator (simulators/scep-ca/admin.ts, under
 * /__mdmca/<name>/), so the approval and revocation checks also run against a simulator in another process
 * (a TargetSpec with `admin`). Bodies are JSON; any answer but 2xx is an error naming the call.
 */
import type { ScepServerAdmin } from './context.js';

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

const MAX_ERROR_TEXT = 300;

export class ScepAdminCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ScepAdminCallError';
  }
}

/** `adminUrl` is the simulator's admin base, e.g. http://127.0.0.1:8080/__mdmca/scep-ca. */
export function httpScepAdmin(adminUrl: string, fetchImpl: FetchLike = (input, init) => fetch(input, init), timeoutMs = 10_000): ScepServerAdmin {
  const base = adminUrl.replace(/\/+$/, '');
  async function call(method: string, path: string, body?: unknown): Promise<void> {
    const response = await fetchImpl(`${base}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.ok) {
      // Not awaited: under msw the body is a tee'd stream whose cancel settles only when every branch cancels.
      response.body?.cancel().catch(() => undefined);
      return;
    }
    const text = (await response.text().catch(() => '')).slice(0, MAX_ERROR_TEXT);
    throw new ScepAdminCallError(response.status, `admin ${method} ${path} answered HTTP ${response.status}${text ? `: ${text}` : ''}`);
  }
  return {
    approvalMode: (mode) => call('PUT', '/policy', { approval: mode }),
    approve: (transactionId) => call('POST', `/pending/${encodeURIComponent(transactionId)}/approve`),
    revoke: (serialHex) => call('POST', `/certificates/${encodeURIComponent(serialHex)}/revoke`, { reason: 'unspecified' }),
  };
}
