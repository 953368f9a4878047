/**
 * The promise of DESIGN.md's "one handler definition, many environments": the same handler answers identically
 * over a real HTTP socket, over HTTPS, and in process through msw.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, toMswHandlers, type Listening } from './http.js';
import { BINARY, observe, observeFetch, probeMounts, recordingLogger, type Observed } from './probe-handler.test-support.js';
import { request } from './test-client.test-support.js';
import { makeTestPki, type TestPki } from './tls-pki.test-support.js';

const LIMIT = 4096;

interface Case {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array<ArrayBuffer>;
}

const cases: Case[] = [
  { name: 'binary body', method: 'GET', path: '/sim/binary' },
  {
    name: 'binary upload with query',
    method: 'POST',
    path: '/sim/echo?operation=PKIOperation&x=%20y',
    headers: { 'content-type': 'application/x-pki-message', 'x-multi': 'a, b' },
    body: BINARY,
  },
  { name: 'empty POST', method: 'POST', path: '/sim/echo', body: new Uint8Array(0) },
  { name: 'repeated Set-Cookie and a status text', method: 'GET', path: '/sim/cookies' },
  { name: 'streamed body', method: 'GET', path: '/sim/stream' },
  { name: '204', method: 'GET', path: '/sim/empty' },
  { name: 'handler exception', method: 'GET', path: '/sim/throw' },
  { name: 'longest prefix', method: 'GET', path: '/sim/admin/x' },
  { name: 'second mount, same handler', method: 'PUT', path: '/alias/echo', body: new Uint8Array([1, 2, 3]) },
  { name: 'prefix is a whole segment', method: 'GET', path: '/simulator' },
  { name: 'no mount', method: 'DELETE', path: '/nothing/here' },
  { name: 'body over the limit', method: 'POST', path: '/sim/echo', body: new Uint8Array(LIMIT + 1) },
  { name: 'HEAD', method: 'HEAD', path: '/sim/binary' },
];

let pki: TestPki;
let server: Listening;
let bare: Listening; // framework: 'node'
const logger = recordingLogger();

beforeAll(async () => {
  pki = await makeTestPki();
  server = await listen({
    mounts: probeMounts,
    bodyLimitBytes: LIMIT,
    logger,
    tls: { port: 0, key: pki.serverKey, cert: pki.serverCert },
  });
  bare = await listen({ mounts: probeMounts, bodyLimitBytes: LIMIT, logger, framework: 'node' });
});
afterAll(async () => {
  await server?.close();
  await bare?.close();
  await pki?.dispose();
});

async function overFetch(base: string, c: Case): Promise<Observed> {
  const response = await fetch(base + c.path, {
    method: c.method,
    ...(c.headers ? { headers: c.headers } : {}),
    ...(c.body ? { body: c.body } : {}),
  });
  return observeFetch(response);
}

async function overHttps(c: Case): Promise<Observed> {
  const response = await request(server.httpsUrl! + c.path, {
    method: c.method,
    ...(c.headers ? { headers: c.headers } : {}),
    ...(c.body ? { body: c.body } : {}),
    ca: pki.caCert,
  });
  return observe(response.status, response.headers, response.body);
}

describe('adapter parity: HTTP, HTTPS, msw (and HTTP without express)', () => {
  it('give identical responses for the same handler', async () => {
    const http: Observed[] = [];
    const https: Observed[] = [];
    const noExpress: Observed[] = [];
    for (const c of cases) {
      http.push(await overFetch(server.httpUrl, c));
      https.push(await overHttps(c));
      noExpress.push(await overFetch(bare.httpUrl, c));
    }

    const msw = setupServer(...toMswHandlers('http://sim.test', probeMounts, undefined, { bodyLimitBytes: LIMIT, logger }));
    msw.listen({ onUnhandledRequest: 'error' });
    const inProcess: Observed[] = [];
    try {
      for (const c of cases) inProcess.push(await overFetch('http://sim.test', c));
    } finally {
      msw.close();
    }

    for (let i = 0; i < cases.length; i++) {
      const name = cases[i]!.name;
      expect({ name, ...https[i] }).toEqual({ name, ...http[i] });
      expect({ name, ...noExpress[i] }).toEqual({ name, ...http[i] });
      expect({ name, ...inProcess[i] }).toEqual({ name, ...http[i] });
    }

    // And the answers are the right ones, not merely the same.
    const at = (name: string) => http[cases.findIndex((c) => c.name === name)]!;
    expect(at('binary body').body).toBe(Buffer.from(BINARY).toString('hex'));
    const echo = JSON.parse(Buffer.from(at('binary upload with query').body, 'hex').toString());
    expect(echo).toMatchObject({ method: 'POST', path: '/sim/echo?operation=PKIOperation&x=%20y', multi: 'a, b', length: 1024 });
    expect(echo.contentType).toBe('application/x-pki-message');
    expect(at('repeated Set-Cookie and a status text').headers.filter(([n]) => n === 'set-cookie')).toHaveLength(2);
    expect(Buffer.from(at('streamed body').body, 'hex').toString()).toBe('part0;part1;part2;');
    expect(at('204')).toMatchObject({ status: 204, body: '' });
    expect(at('handler exception')).toMatchObject({ status: 500 });
    expect(Buffer.from(at('handler exception').body, 'hex').toString()).toBe('Internal Server Error\n');
    expect(Buffer.from(at('longest prefix').body, 'hex').toString()).toBe('admin saw /sim/admin/x');
    expect(at('prefix is a whole segment').status).toBe(404);
    expect(Buffer.from(at('no mount').body, 'hex').toString()).toBe('No handler is mounted for /nothing/here\n');
    expect(at('body over the limit').status).toBe(413);
    expect(Buffer.from(at('body over the limit').body, 'hex').toString()).toBe(`Request body exceeds the limit of ${LIMIT} bytes\n`);
    expect(at('HEAD')).toMatchObject({ status: 200, body: '' });
    // Each transport logged the exception once, with the simulator's name.
    expect(logger.errors.filter((e) => (e.obj as { simulator?: string }).simulator === 'probe')).toHaveLength(4);
  });
});
