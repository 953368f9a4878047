/**
 * The MDM engine's admin API (/__mdmca/mdm, core/engine/http/admin-api.ts) over HTTP, as fleets and the device
 * suites use it to set up users, configurations, labels and the clock: JSON in, JSON out, an AdminError with the
 * status and the start of the body for anything that is not a success.
 */

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

/** One admin call; throws AdminError on any status ≥ 300. */
export async function adminCall(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status >= 300) throw new AdminError(response.status, `${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}
