/**
 * Which handler serves a path, and the adapter's own answers (404, 413, 500): one definition that the express
 * adapter (http.ts) and the msw adapter (msw.ts) both use, so a simulator answers the same on a socket and in
 * process.
 */
import type { Handler } from '../core/http.js';

export interface Mount {
  /** Simulator id, such as 'scep-ca'; used in logs. */
  name: string;
  /** Path prefix such as '/scep' or '/__mdmca/scep-ca'; matched on whole segments ('/scep' does not take '/scepx'). */
  prefix: string;
  handler: Handler;
  /**
   * Abort request.signal when the client disconnects before the response is complete (for long-poll handlers
   * such as ActiveSync Ping). Off by default: a signal on a Request costs ~15 µs, a sixth of the adapter's
   * per-request budget. msw requests always carry the calling fetch's signal.
   */
  abortOnDisconnect?: boolean;
}

export class MountConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MountConfigError';
  }
}

export interface MountTable {
  /** The mount with the longest prefix that covers `pathname`, if any. */
  select(pathname: string): Mount | undefined;
  readonly mounts: readonly Mount[];
}

interface CompiledMount {
  prefix: string; // without trailing slash; '' for the root
  mount: Mount;
}

export function compileMounts(mounts: readonly Mount[]): MountTable {
  const compiled: CompiledMount[] = mounts.map((mount) => {
    if (!mount.prefix.startsWith('/')) throw new MountConfigError(`mount "${mount.name}": prefix must start with "/" (got "${mount.prefix}")`);
    return { prefix: mount.prefix.replace(/\/+$/, ''), mount };
  });
  const seen = new Map<string, string>();
  for (const { prefix, mount } of compiled) {
    const other = seen.get(prefix);
    if (other !== undefined) throw new MountConfigError(`mounts "${other}" and "${mount.name}" share the prefix "${prefix || '/'}"`);
    seen.set(prefix, mount.name);
  }
  // Longest first, so the first hit is the longest prefix.
  compiled.sort((a, b) => b.prefix.length - a.prefix.length);
  return {
    mounts,
    select(pathname) {
      for (const { prefix, mount } of compiled) {
        if (prefix === '' || pathname === prefix) return mount;
        if (pathname.startsWith(prefix) && pathname.charCodeAt(prefix.length) === 47 /* '/' */) return mount;
      }
      return undefined;
    },
  };
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

export function notFoundResponse(pathname: string): Response {
  return new Response(`No handler is mounted for ${pathname}\n`, { status: 404, headers: TEXT });
}

export function payloadTooLargeResponse(limitBytes: number): Response {
  return new Response(`Request body exceeds the limit of ${limitBytes} bytes\n`, { status: 413, headers: TEXT });
}

export function internalErrorResponse(): Response {
  return new Response('Internal Server Error\n', { status: 500, headers: TEXT });
}

export function badRequestResponse(reason: string): Response {
  return new Response(`Bad Request: ${reason}\n`, { status: 400, headers: TEXT });
}

/** What the adapters log through: pino's Logger satisfies it, and so does a test's recorder. */
export interface HttpLogger {
  error(obj: object, msg?: string): void;
}
