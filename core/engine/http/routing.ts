/**
 * Routing and body reading for the engine's HTTP surfaces. core may not import simulators/router.ts (DESIGN.md:
 * dependencies point one way), so this is the same idea in a few lines: routes matched with path-to-regexp, 404
 * and 405 as JSON, every error answered in the contract's form (errors.ts), bodies read under the 1 MiB limit
 * (core/http-body.ts) and checked with zod, with 413 too_large and 400 invalid_request listing every issue.
 */
import { match, type MatchFunction, type ParamData } from 'path-to-regexp';
import type { z } from 'zod';
import { BodyTooLargeError, DEFAULT_BODY_LIMIT_BYTES, readRequestLimited } from '../../http-body.js';
import type { Handler, Peer } from '../../http.js';
import { EngineError, invalid, issuesOf, toEngineError } from '../errors.js';

export interface EngineRouteContext {
  request: Request;
  peer: Peer;
  url: URL;
  params: Record<string, string>;
}

export interface EngineRoute {
  methods: readonly string[];
  matcher: MatchFunction<ParamData>;
  handle(context: EngineRouteContext): Response | Promise<Response>;
}

export function engineRoute(method: string | readonly string[], path: string, handle: EngineRoute['handle']): EngineRoute {
  return { methods: typeof method === 'string' ? [method] : method, matcher: match(path), handle };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

function paramsOf(data: ParamData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) if (value !== undefined) out[key] = Array.isArray(value) ? value.join('/') : String(value);
  return out;
}

/** One handler over the routes: first match wins; HEAD falls back to GET. Never answers 500. */
export function dispatch(routes: readonly EngineRoute[]): Handler {
  return async (request, peer) => {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    try {
      const allowed = new Set<string>();
      for (const route of routes) {
        const found = route.matcher(url.pathname);
        if (!found) continue;
        if (route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'))) {
          const response = await route.handle({ request, peer, url, params: paramsOf(found.params) });
          return method === 'HEAD' ? new Response(null, { status: response.status, headers: response.headers }) : response;
        }
        for (const m of route.methods) allowed.add(m);
      }
      if (allowed.size) {
        const allow = [...allowed].sort().join(', ');
        throw new EngineError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}; allowed: ${allow}`, { headers: { allow } });
      }
      throw new EngineError(404, 'not_found', `No route for ${method} ${url.pathname}`);
    } catch (error) {
      if (error instanceof URIError) return invalid(`Malformed path: ${url.pathname}`).toResponse();
      return toEngineError(error).toResponse();
    }
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as JSON checked against `schema`; EngineError 413 too_large or 400 invalid_request. */
export async function readBody<S extends z.ZodType>(request: Request, schema: S, options: { optional?: boolean } = {}): Promise<z.output<S>> {
  let bytes: Uint8Array | null;
  try {
    bytes = await readRequestLimited(request, DEFAULT_BODY_LIMIT_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new EngineError(413, 'too_large', error.message);
    throw error;
  }
  let value: unknown = {};
  if (!bytes || bytes.byteLength === 0) {
    if (!options.optional) throw invalid('Request body is empty; a JSON document is required');
  } else {
    try {
      value = JSON.parse(utf8.decode(bytes));
    } catch (error) {
      throw invalid(`Request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw invalid('Request body does not match the schema', issuesOf(result.error));
  return result.data;
}

/** The body as text (CSV imports), under the same limit. */
export async function readText(request: Request): Promise<string> {
  try {
    const bytes = await readRequestLimited(request, DEFAULT_BODY_LIMIT_BYTES);
    return bytes ? utf8.decode(bytes) : '';
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new EngineError(413, 'too_large', error.message);
    if (error instanceof TypeError) throw invalid('Request body is not UTF-8 text');
    throw error;
  }
}
