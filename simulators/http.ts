/**
 * The one adapter between simulators (Fetch handlers, DESIGN.md "Simulators are Fetch handlers") and the world:
 * an express application for real sockets (HTTP, HTTPS, client certificates), and msw handlers for in-process
 * tests (msw.ts, re-exported here). Both select the handler the same way (mounts.ts), apply the same body limit
 * (body.ts) and answer adapter-level failures with the same responses.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express from 'express';
import type { Express } from 'express';
import pino from 'pino';
import { BodyTooLargeError, DEFAULT_BODY_LIMIT_BYTES } from '../core/http-body.js';
import { DropConnection } from './faults.js';
import {
  badRequestResponse,
  compileMounts,
  internalErrorResponse,
  notFoundResponse,
  payloadTooLargeResponse,
  type HttpLogger,
  type Mount,
  type MountTable,
} from './mounts.js';
import { announcesTooLarge, pathnameOf, peerOf, readNodeBody, toFetchRequest, writeFetchResponse } from './node-bridge.js';

export type { Mount, HttpLogger } from './mounts.js';
export { MountConfigError } from './mounts.js';
export { DropConnection } from './faults.js';
export { toMswHandlers, type MswOptions } from './msw.js';
export { DEFAULT_BODY_LIMIT_BYTES } from '../core/http-body.js';

export interface AppOptions {
  /** Largest request body accepted; larger ones get 413. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Where handler failures are reported. Default: pino on stderr (stdout is the CLI's --json channel). */
  logger?: HttpLogger;
}

let fallbackLogger: HttpLogger | undefined;
function defaultLogger(): HttpLogger {
  fallbackLogger ??= pino({ name: 'mdmca-http' }, pino.destination(2));
  return fallbackLogger;
}

interface Dispatcher {
  table: MountTable;
  limit: number;
  logger: HttpLogger;
}

/**
 * The bridge as a plain node:http request listener: what createExpressApp mounts, and what
 * listen({ framework: 'node' }) serves directly.
 */
export function createRequestListener(mounts: readonly Mount[], options: AppOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const dispatcher: Dispatcher = {
    table: compileMounts(mounts),
    limit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    logger: options.logger ?? defaultLogger(),
  };
  return (req, res) => {
    // serve() answers every failure it expects; this is the last line against a crash (an unhandled rejection).
    serve(dispatcher, req, res).catch((error: unknown) => {
      dispatcher.logger.error({ err: error, method: req.method, url: req.url }, 'adapter failed');
      req.socket.destroy();
    });
  };
}

export function createExpressApp(mounts: readonly Mount[], options: AppOptions = {}): Express {
  const listener = createRequestListener(mounts, options);
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((req, res) => listener(req, res));
  return app;
}

async function respond(res: ServerResponse, response: Response, close = false): Promise<void> {
  await writeFetchResponse(res, response, { headOnly: res.req.method === 'HEAD', close });
}

async function serve(d: Dispatcher, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let pathname: string;
  try {
    pathname = pathnameOf(req.url ?? '/');
  } catch {
    return respond(res, badRequestResponse('malformed request target'), true);
  }
  const mount = d.table.select(pathname);
  if (!mount) return respond(res, notFoundResponse(pathname));
  // Connection: close after a 413, so the rest of an oversized body is not read for nothing.
  if (announcesTooLarge(req, d.limit)) return respond(res, payloadTooLargeResponse(d.limit), true);

  let body: Uint8Array | null;
  try {
    body = await readNodeBody(req, d.limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return respond(res, payloadTooLargeResponse(d.limit), true);
    req.socket.destroy(); // the client went away mid-body
    return;
  }

  // Aborted when the client disconnects before the answer is complete, so a long-poll handler can stop.
  let signal: AbortSignal | undefined;
  if (mount.abortOnDisconnect) {
    const controller = new AbortController();
    signal = controller.signal;
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
  }

  let request: Request;
  try {
    request = toFetchRequest(req, body, signal);
  } catch (error) {
    return respond(res, badRequestResponse(error instanceof Error ? error.message : 'malformed request'), true);
  }

  let response: Response;
  try {
    response = await mount.handler(request, peerOf(req.socket));
    if (!(response instanceof Response)) throw new TypeError(`handler returned ${typeof response}, not a Response`);
  } catch (error) {
    if (error instanceof DropConnection) {
      req.socket.destroy();
      return;
    }
    d.logger.error({ err: error, simulator: mount.name, method: req.method, url: req.url }, 'handler failed');
    response = internalErrorResponse();
  }

  try {
    await respond(res, response);
  } catch (error) {
    if (!(error instanceof DropConnection)) {
      d.logger.error({ err: error, simulator: mount.name, method: req.method, url: req.url }, 'response body failed');
    }
    if (res.headersSent) req.socket.destroy();
    else await respond(res, internalErrorResponse()).catch(() => req.socket.destroy());
  }
}

export interface TlsListenOptions {
  port: number;
  key: string | Buffer;
  cert: string | Buffer;
  /** Trusted issuers of client certificates. */
  ca?: string | Buffer | Array<string | Buffer>;
  requestCert?: boolean;
  /** With requestCert: refuse, in the handshake, a client without a certificate from `ca`. Node's default is true. */
  rejectUnauthorized?: boolean;
}

export interface ListenOptions extends AppOptions {
  mounts: readonly Mount[];
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
  tls?: TlsListenOptions;
  /**
   * 'express' (default): the express application of createExpressApp. 'node': the same bridge as a bare
   * node:http listener, without express's ~75 µs per request (http.measure.test.ts); answers are identical.
   */
  framework?: 'express' | 'node';
}

export interface Listening {
  httpUrl: string;
  httpsUrl?: string;
  /**
   * Stops accepting, closes idle keep-alive connections at once and the others as their requests finish; after
   * `graceMs` (default 2000) whatever is left (a hanging handler) is cut.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

export async function listen(options: ListenOptions): Promise<Listening> {
  const host = options.host ?? '127.0.0.1';
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const appOptions = { bodyLimitBytes: limit, logger: options.logger ?? defaultLogger() };
  const app: RequestListener =
    options.framework === 'node' ? createRequestListener(options.mounts, appOptions) : createExpressApp(options.mounts, appOptions);
  const servers: Server[] = [];
  const connections = new ConnectionTracker();
  try {
    const plain = http.createServer(app);
    servers.push(plain);
    connections.watch(plain, 'connection');
    const httpUrl = urlOf('http', host, await bind(plain, host, options.port ?? 0, limit, app, connections));
    let httpsUrl: string | undefined;
    if (options.tls) {
      const { port, ...tls } = options.tls;
      const secure = https.createServer(tls, app);
      servers.push(secure);
      connections.watch(secure, 'secureConnection');
      httpsUrl = urlOf('https', host, await bind(secure, host, port, limit, app, connections));
    }
    return { httpUrl, ...(httpsUrl ? { httpsUrl } : {}), close: (o) => closeAll(servers, connections, o?.graceMs ?? 2000) };
  } catch (error) {
    await closeAll(servers, connections, 0);
    throw error;
  }
}

/**
 * Which connections have a request in flight. Node's closeIdleConnections() leaves alone a connection that has
 * not sent its first request yet (clients open those ahead of time, and undici does after an abort), which would
 * hold close() until the headers timeout; this lets close() drop every connection that is not busy. (A TLS
 * handshake still in progress is not seen here; the grace cutoff ends it.)
 */
class ConnectionTracker {
  private readonly busy = new Map<Socket, number>();
  private readonly open = new Set<Socket>();

  watch(server: Server, event: 'connection' | 'secureConnection'): void {
    server.on(event, (socket: Socket) => {
      this.open.add(socket);
      socket.once('close', () => {
        this.open.delete(socket);
        this.busy.delete(socket);
      });
    });
    server.on('request', this.track);
  }

  /** Marks the request's connection busy until its response closes. */
  readonly track = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const left = (this.busy.get(socket) ?? 1) - 1;
      if (left > 0) this.busy.set(socket, left);
      else this.busy.delete(socket);
    });
  };

  destroyIdle(): void {
    for (const socket of this.open) if (!this.busy.has(socket)) socket.destroy();
  }
}

function bind(server: Server, host: string, port: number, limit: number, app: RequestListener, connections: ConnectionTracker): Promise<number> {
  // "Expect: 100-continue" with an oversized Content-Length is refused before the client sends the body.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    connections.track(req, res); // no 'request' event for these
    if (announcesTooLarge(req, limit)) {
      respond(res, payloadTooLargeResponse(limit), true).catch(() => req.socket.destroy());
      return;
    }
    res.writeContinue();
    app(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function urlOf(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function closeAll(servers: readonly Server[], connections: ConnectionTracker, graceMs: number): Promise<void> {
  const closed = servers.map(
    (server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
  );
  const sweep = () => connections.destroyIdle();
  sweep();
  // Connections busy at close() become idle when their response ends; sweep them until the servers are closed.
  const sweeper = setInterval(sweep, 20);
  const cutoff = setTimeout(() => servers.forEach((server) => server.closeAllConnections()), graceMs);
  try {
    await Promise.all(closed);
  } finally {
    clearInterval(sweeper);
    clearTimeout(cutoff);
  }
}
