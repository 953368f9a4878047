/**
 * A handler that exercises everything the adapters must carry (binary bodies, repeated Set-Cookie, streaming,
 * status texts, 204, exceptions, dropped connections, the peer), shared by the adapter tests.
 */
import { createHash } from 'node:crypto';
import type { Handler } from '../core/http.js';
import { DropConnection } from './faults.js';
import type { HttpLogger, Mount } from './mounts.js';

/** Every byte value, four times: a body that breaks anything treating bytes as text. */
export const BINARY = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7 + 3) % 256);

export const probe: Handler = async (request, peer) => {
  const url = new URL(request.url);
  switch (url.pathname) {
    case '/sim/binary':
      return new Response(BINARY, { headers: { 'content-type': 'application/octet-stream', 'x-custom': 'yes' } });
    case '/sim/echo': {
      const body = Buffer.from(await request.arrayBuffer());
      return Response.json({
        method: request.method,
        path: url.pathname + url.search,
        contentType: request.headers.get('content-type'),
        multi: request.headers.get('x-multi'),
        length: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
      });
    }
    case '/sim/cookies':
      return new Response('cookies', {
        status: 201,
        statusText: 'Made',
        headers: [
          ['set-cookie', 'a=1; Path=/'],
          ['set-cookie', 'b=2; HttpOnly'],
          ['content-type', 'text/plain'],
        ],
      });
    case '/sim/stream': {
      let i = 0;
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (i === 3) controller.close();
          else controller.enqueue(new TextEncoder().encode(`part${i++};`));
        },
      });
      return new Response(stream, { headers: { 'content-type': 'text/plain' } });
    }
    case '/sim/empty':
      return new Response(null, { status: 204, headers: { 'x-empty': '1' } });
    case '/sim/throw':
      throw new Error('kaboom');
    case '/sim/drop':
      throw new DropConnection();
    case '/sim/peer':
      return Response.json({
        address: peer.address,
        tls: peer.tls,
        subject: peer.clientCertificate?.subject ?? null,
        authorized: peer.clientCertificateAuthorized ?? null,
      });
    default:
      return new Response(`probe: no ${url.pathname}`, { status: 404 });
  }
};

const admin: Handler = async (request) => new Response(`admin saw ${new URL(request.url).pathname}`);

export const probeMounts: Mount[] = [
  { name: 'probe', prefix: '/sim', handler: probe },
  { name: 'probe-admin', prefix: '/sim/admin/', handler: admin },
  { name: 'probe-alias', prefix: '/alias', handler: probe },
];

export function recordingLogger(): HttpLogger & { errors: Array<{ obj: object; msg?: string }> } {
  const errors: Array<{ obj: object; msg?: string }> = [];
  return { errors, error: (obj, msg) => void errors.push({ obj, ...(msg !== undefined ? { msg } : {}) }) };
}

const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** What a client can compare across transports: status, end-to-end headers (sorted), body bytes. */
export interface Observed {
  status: number;
  headers: Array<[string, string]>;
  body: string; // hex
}

export function observe(status: number, headers: Iterable<[string, string]>, body: Uint8Array): Observed {
  const kept = [...headers].filter(([name]) => !TRANSPORT_HEADERS.has(name.toLowerCase())).map(([n, v]): [string, string] => [n.toLowerCase(), v]);
  kept.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
  return { status, headers: kept, body: Buffer.from(body).toString('hex') };
}

export async function observeFetch(response: Response): Promise<Observed> {
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers.push([name, value]);
  });
  for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
  return observe(response.status, headers, new Uint8Array(await response.arrayBuffer()));
}
