/**
 * The same mounts as msw request handlers, for in-process tests: a Handler answers a global fetch exactly as it
 * answers over a socket (same mount selection, body limit, 404/413/500 texts), and a DropConnection becomes a
 * network error (Response.error()).
 */
import { http } from 'msw/core/http';
import type { HttpHandler } from 'msw';
import { loopbackPeer, type Peer } from '../core/http.js';
import { BodyTooLargeError, DEFAULT_BODY_LIMIT_BYTES, readRequestLimited } from '../core/http-body.js';
import { DropConnection } from './faults.js';
import {
  compileMounts,
  internalErrorResponse,
  MountConfigError,
  notFoundResponse,
  payloadTooLargeResponse,
  type HttpLogger,
  type Mount,
} from './mounts.js';

export interface MswOptions {
  bodyLimitBytes?: number;
  /** Where handler failures are reported; default console.error (tests want to see them). */
  logger?: HttpLogger;
}

const consoleLogger: HttpLogger = { error: (obj, msg) => console.error(msg ?? 'error', obj) };

/**
 * One msw handler answering every request to `baseUrl`'s origin: the mounted handler for the path, or the same
 * 404 the express adapter gives. `baseUrl` is an origin ('http://ca.test'); mount prefixes are the paths.
 */
export function toMswHandlers(
  baseUrl: string,
  mounts: readonly Mount[],
  peer: Peer = loopbackPeer,
  options: MswOptions = {},
): HttpHandler[] {
  const base = new URL(baseUrl);
  if (base.pathname !== '/' || base.search) {
    throw new MountConfigError(`toMswHandlers wants an origin such as "http://ca.test", not "${baseUrl}"`);
  }
  const origin = base.origin;
  const table = compileMounts(mounts);
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const logger = options.logger ?? consoleLogger;

  const handler = http.all(
    ({ request }) => request.url.startsWith(origin) && request.url.charCodeAt(origin.length) === 47,
    async ({ request }) => {
      const pathname = new URL(request.url).pathname;
      const mount = table.select(pathname);
      if (!mount) return notFoundResponse(pathname);

      let forwarded = request;
      if (request.body) {
        let body: Uint8Array | null;
        try {
          body = await readRequestLimited(request, limit);
        } catch (error) {
          if (error instanceof BodyTooLargeError) return payloadTooLargeResponse(limit);
          throw error;
        }
        // The socket adapter hands handlers a buffered body (or none); so does this one.
        forwarded = new Request(request.url, {
          method: request.method,
          headers: request.headers,
          body: body && body.byteLength > 0 ? (body as Uint8Array<ArrayBuffer>) : null,
          signal: request.signal,
        });
      }

      try {
        const response = await mount.handler(forwarded, peer);
        if (!(response instanceof Response)) throw new TypeError(`handler returned ${typeof response}, not a Response`);
        if (request.method !== 'HEAD' || !response.body) return response;
        // A socket never carries a body in answer to HEAD; msw would pass it on.
        void response.body.cancel().catch(() => undefined);
        return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
      } catch (error) {
        if (error instanceof DropConnection) return Response.error();
        logger.error({ err: error, simulator: mount.name, method: request.method, url: request.url }, 'handler failed');
        return internalErrorResponse();
      }
    },
  );
  return [handler];
}
