/**
 * A small router for Fetch handlers, so every simulator and admin surface reads the same way: a list of
 * `route(method, path, handle)` records, matched in order with path-to-regexp. 405 with Allow when the path is
 * known but the method is not, 404 otherwise; an HttpError thrown by a route becomes a JSON error body. Anything
 * else thrown (DropConnection included) passes through to the adapter.
 */
import { issuesOf, type Issue } from '../core/schema-issues.js';
export { formatIssuePath, issuesOf, type Issue } from '../core/schema-issues.js';
import { match, type MatchFunction, type ParamData } from 'path-to-regexp';
import type { z } from 'zod';
import type { Handler, Peer } from '../core/http.js';
import { BufferedResponse } from '../core/http-buffered.js';
import { BodyTooLargeError, DEFAULT_BODY_LIMIT_BYTES, readRequestLimited } from '../core/http-body.js';

export interface RouteContext<P = Record<string, string>> {
  request: Request;
  peer: Peer;
  params: P;
  url: URL;
}

export type RouteHandler<P = Record<string, string>> = (context: RouteContext<P>) => Response | Promise<Response>;

export interface Route {
  methods: readonly string[];
  path: string;
  handle: RouteHandler<Record<string, string>>;
}

// --- path parameters, typed from the pattern ('/certs/:serial{/:part}' -> { serial: string; part?: string }) ---
type IdentChar =
  | 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's'
  | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z' | 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L'
  | 'M' | 'N' | 'O' | 'P' | 'Q' | 'R' | 'S' | 'T' | 'U' | 'V' | 'W' | 'X' | 'Y' | 'Z' | '0' | '1' | '2' | '3' | '4'
  | '5' | '6' | '7' | '8' | '9' | '_' | '$';
type TakeName<S extends string, Acc extends string = ''> = S extends `${infer C}${infer R}`
  ? C extends IdentChar
    ? TakeName<R, `${Acc}${C}`>
    : Acc
  : Acc;
type StarNames<S extends string> = S extends `${string}*${infer R}` ? TakeName<R> | StarNames<R> : never;
type Names<S extends string> = S extends `${infer Head}:${infer R}` ? StarNames<Head> | TakeName<R> | Names<R> : StarNames<S>;
type RequiredNames<S extends string> = S extends `${infer A}{${string}}${infer C}` ? Names<A> | RequiredNames<C> : Names<S>;
type OptionalNames<S extends string> = S extends `${string}{${infer B}}${infer C}` ? Names<B> | OptionalNames<C> : never;
type Flatten<T> = { [K in keyof T]: T[K] };
export type PathParams<P extends string> = string extends P
  ? Record<string, string | undefined>
  : Flatten<{ [K in Exclude<RequiredNames<P>, ''>]: string } & { [K in Exclude<OptionalNames<P>, ''>]?: string }>;

/** A route; `method` may be a list. HEAD is answered by a GET route when no HEAD route exists. */
export function route<P extends string>(
  method: string | readonly string[],
  path: P,
  handle: RouteHandler<PathParams<P>>,
): Route {
  const methods = (typeof method === 'string' ? [method] : method).map((m) => m.toUpperCase());
  return { methods, path, handle: handle as unknown as RouteHandler<Record<string, string>> };
}

// --- errors ---

/** An error with an HTTP status and a machine-readable code; the router answers it as JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: readonly Issue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toResponse(): Response {
    const error = { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
    return json({ error }, this.status, this.headers);
  }
}



// --- responses ---
export function json(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new BufferedResponse(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

export function text(body: string, status = 200, contentType = 'text/plain; charset=utf-8'): Response {
  return new BufferedResponse(body, { status, headers: { 'content-type': contentType } });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body as JSON, checked against `schema`: the typed value, or an HttpError (400 with every zod issue
 * and its path, 413 over `limitBytes`).
 */
export async function readJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  options: { limitBytes?: number } = {},
): Promise<z.output<S>> {
  const limit = options.limitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  let bytes: Uint8Array | null;
  try {
    bytes = await readRequestLimited(request, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new HttpError(413, 'payload_too_large', error.message);
    throw error;
  }
  if (!bytes || bytes.byteLength === 0) throw new HttpError(400, 'invalid_request', 'Request body is empty; a JSON document is required', []);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    throw new HttpError(400, 'invalid_request', `Request body is not valid JSON: ${(error as Error).message}`, []);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, 'invalid_request', 'Request body does not match the schema', issuesOf(result.error));
  return result.data;
}

// --- the router ---
export interface RouterOptions {
  /** Answer for an unknown path; default a JSON error with code "not_found". */
  notFound?: (context: RouteContext) => Response | Promise<Response>;
}

interface CompiledRoute extends Route {
  matcher: MatchFunction<ParamData>;
}

function toParams(data: ParamData): Record<string, string> {
  const params: Record<string, string> = {};
  for (const key in data) {
    const value = data[key];
    if (value !== undefined) params[key] = Array.isArray(value) ? value.join('/') : (value as string);
  }
  return params;
}

export function createRouter(routes: readonly Route[], options: RouterOptions = {}): Handler {
  const compiled: CompiledRoute[] = routes.map((r) => ({ ...r, matcher: match(r.path) }));
  const notFound =
    options.notFound ??
    ((c: RouteContext) => new HttpError(404, 'not_found', `No route for ${c.request.method} ${c.url.pathname}`).toResponse());

  return async (request, peer) => {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    try {
      const allowed = new Set<string>();
      let getFallback: { route: CompiledRoute; params: Record<string, string> } | undefined;
      for (const r of compiled) {
        const found = r.matcher(url.pathname);
        if (!found) continue;
        if (r.methods.includes(method)) return await r.handle({ request, peer, url, params: toParams(found.params) });
        if (method === 'HEAD' && !getFallback && r.methods.includes('GET')) getFallback = { route: r, params: toParams(found.params) };
        for (const m of r.methods) allowed.add(m);
      }
      if (getFallback) {
        const response = await getFallback.route.handle({ request, peer, url, params: getFallback.params });
        void response.body?.cancel().catch(() => undefined);
        return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
      }
      if (allowed.size > 0) {
        if (allowed.has('GET')) allowed.add('HEAD');
        const allow = [...allowed].sort().join(', ');
        return new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}; allowed: ${allow}`, undefined, {
          allow,
        }).toResponse();
      }
      return await notFound({ request, peer, url, params: {} });
    } catch (error) {
      if (error instanceof HttpError) return error.toResponse();
      if (error instanceof URIError) return new HttpError(400, 'invalid_request', `Malformed path: ${url.pathname}`).toResponse();
      throw error;
    }
  };
}
