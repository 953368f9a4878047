/** The socket adapter's own behaviour: limits, failures, streaming, shutdown; and the msw adapter's counterparts. */
import http from 'node:http';
import net from 'node:net';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Handler, Peer } from '../core/http.js';
import { BufferedResponse } from '../core/http-buffered.js';
import { DropConnection, listen, MountConfigError, toMswHandlers, type Listening } from './http.js';
import { createExpressApp } from './http.js';
import { probeMounts, recordingLogger } from './probe-handler.test-support.js';
import { request } from './test-client.test-support.js';

const LIMIT = 4096;
const logger = recordingLogger();
let server: Listening;
let calls = 0;
let released: (() => void) | undefined;
let aborted: Promise<boolean> | undefined;
let cancelled: Promise<boolean> | undefined;

const extra: Handler = async (request) => {
  calls++;
  const path = new URL(request.url).pathname;
  if (path === '/x/gate') {
    // Streams one chunk, then waits for the test to say it has seen it: proves the body is not buffered.
    const gate = new Promise<void>((resolve) => (released = resolve));
    const encoder = new TextEncoder();
    return new Response(
      new ReadableStream({
        async start(controller) {
          controller.enqueue(encoder.encode('first;'));
          await gate;
          controller.enqueue(encoder.encode('second'));
          controller.close();
        },
      }),
    );
  }
  if (path === '/x/hang') {
    aborted = new Promise((resolve) => request.signal.addEventListener('abort', () => resolve(true)));
    return new Promise<Response>(() => undefined);
  }
  if (path === '/x/buffered') return new BufferedResponse('in memory', { status: 202, headers: { 'x-kind': 'buffered' } });
  if (path === '/x/notresponse') return 'oops' as unknown as Response;
  if (path === '/x/multi') {
    // Several chunks, all there at once: still one buffered answer with a Content-Length.
    return new Response(
      new ReadableStream({
        start(controller) {
          for (const part of ['a', 'bb', 'ccc']) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      }),
    );
  }
  if (path === '/x/endless') {
    let timer: NodeJS.Timeout;
    let onCancel: (value: boolean) => void;
    cancelled = new Promise((resolve) => (onCancel = resolve));
    return new Response(
      new ReadableStream({
        start(controller) {
          timer = setInterval(() => controller.enqueue(new Uint8Array(16)), 5);
        },
        cancel() {
          clearInterval(timer);
          onCancel(true);
        },
      }),
    );
  }
  return new Response(`${request.method} ${request.url} ${request.headers.get('x-dup')}`);
};

const mounts = [...probeMounts, { name: 'extra', prefix: '/x', handler: extra, abortOnDisconnect: true }];

beforeAll(async () => {
  server = await listen({ mounts, bodyLimitBytes: LIMIT, logger });
});
afterAll(() => server.close());
afterEach(() => {
  calls = 0;
});

function chunkedPost(url: string, chunks: number, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < chunks) {
        sent++;
        if (!req.write(Buffer.alloc(size, 1))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** Sends raw bytes on a fresh socket; resolves with everything the server sent before closing. */
function raw(text: string): Promise<string> {
  const url = new URL(server.httpUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(text));
    let received = '';
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('express adapter', () => {
  it('builds the Request from the wire: full URL with query, method, repeated header lines', async () => {
    const response = await request(`${server.httpUrl}/x/a?b=1&c=%2F`, { method: 'PATCH', headers: { 'x-dup': ['1', '2'] } });
    expect(response.body.toString()).toBe(`PATCH ${server.httpUrl}/x/a?b=1&c=%2F 1, 2`);
    const cookies = await request(`${server.httpUrl}/sim/cookies`);
    expect(cookies.statusText).toBe('Made');
    expect(cookies.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v)).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    const buffered = await request(`${server.httpUrl}/sim/binary`);
    expect(buffered.headers).toContainEqual(['content-length', '1024']);
  });

  it('passes the peer of a plain socket', async () => {
    const peer = await (await fetch(`${server.httpUrl}/sim/peer`)).json();
    expect(peer).toEqual({ address: '127.0.0.1', tls: false, subject: null, authorized: null });
  });

  it('streams a body that is still being produced', async () => {
    const response = await fetch(`${server.httpUrl}/x/gate`);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first;');
    released!();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('second');
    expect((await reader.read()).done).toBe(true);
  });

  it('sends a body that is complete at once with a Content-Length, even in several chunks', async () => {
    const response = await request(`${server.httpUrl}/x/multi`);
    expect(response.body.toString()).toBe('abbccc');
    expect(response.headers).toContainEqual(['content-length', '6']);
  });

  it('writes a BufferedResponse in one piece with its Content-Length, and only the head for HEAD', async () => {
    const response = await request(`${server.httpUrl}/x/buffered`);
    expect([response.status, response.body.toString()]).toEqual([202, 'in memory']);
    expect(response.headers).toContainEqual(['content-length', '9']);
    expect(response.headers).toContainEqual(['x-kind', 'buffered']);
    expect(response.headers).toContainEqual(['content-type', 'text/plain;charset=UTF-8']);
    const head = await request(`${server.httpUrl}/x/buffered`, { method: 'HEAD' });
    expect([head.status, head.body.length]).toEqual([202, 0]);
    expect(head.headers).toContainEqual(['content-length', '9']);
  });

  it('cancels a streamed body when the client goes away', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.httpUrl}/x/endless`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    expect(await cancelled).toBe(true);
  });

  it('answers 413 to a chunked body once it passes the limit, and keeps serving', async () => {
    expect(await chunkedPost(`${server.httpUrl}/sim/echo`, 2, 1000)).toBe(200);
    expect(await chunkedPost(`${server.httpUrl}/sim/echo`, 64, 1024)).toBe(413);
    expect(await chunkedPost(`${server.httpUrl}/sim/echo`, 4096, 1024)).toBe(413); // 4 MiB, never buffered
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new Uint8Array(1024));
        c.close();
      },
    });
    const viaFetch = await fetch(`${server.httpUrl}/sim/echo`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(viaFetch.status).toBe(413);
    expect(await viaFetch.text()).toBe(`Request body exceeds the limit of ${LIMIT} bytes\n`);
    expect((await fetch(`${server.httpUrl}/sim/binary`)).status).toBe(200);
  });

  it('refuses an oversized "Expect: 100-continue" request before the body is sent', async () => {
    const result = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = http.request(`${server.httpUrl}/sim/echo`, {
        method: 'POST',
        agent: false,
        headers: { expect: '100-continue', 'content-length': String(LIMIT * 100) },
      });
      req.on('continue', () => (continued = true));
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode!, continued });
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(result).toEqual({ status: 413, continued: false });
    const small = await request(`${server.httpUrl}/sim/echo`, { method: 'POST', headers: { expect: '100-continue' }, body: 'hi' });
    expect(JSON.parse(small.body.toString())).toMatchObject({ length: 2 });
  });

  it('answers 500 and logs when a handler throws or returns something else, and keeps serving', async () => {
    const before = logger.errors.length;
    const thrown = await request(`${server.httpUrl}/sim/throw`);
    expect(thrown.status).toBe(500);
    expect(thrown.body.toString()).toBe('Internal Server Error\n');
    expect((await request(`${server.httpUrl}/x/notresponse`)).status).toBe(500);
    expect(logger.errors.slice(before).map((e) => (e.obj as { err: Error }).err.message)).toEqual([
      'kaboom',
      'handler returned string, not a Response',
    ]);
    expect((await request(`${server.httpUrl}/sim/binary`)).status).toBe(200);
  });

  it('closes the connection without a response on DropConnection', async () => {
    expect(await raw('GET /sim/drop HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe('');
    await expect(fetch(`${server.httpUrl}/sim/drop`)).rejects.toThrow(TypeError);
    await expect(request(`${server.httpUrl}/sim/drop`)).rejects.toThrow(/socket hang up/);
  });

  it('answers 400 to a request it cannot turn into a URL', async () => {
    const reply = await raw('GET /x/a HTTP/1.1\r\nHost: bad host\r\nConnection: close\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(calls).toBe(0);
  });

  it('aborts request.signal when the client goes away', async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.httpUrl}/x/hang`, { signal: controller.signal });
    while (!aborted) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(await aborted).toBe(true);
  });

  it('refuses mounts that cannot be told apart', () => {
    const h: Handler = async () => new Response();
    expect(() => createExpressApp([{ name: 'a', prefix: 'scep', handler: h }])).toThrow(MountConfigError);
    expect(() => createExpressApp([{ name: 'a', prefix: '/scep', handler: h }, { name: 'b', prefix: '/scep/', handler: h }])).toThrow(
      /share the prefix/,
    );
  });
});

describe('listen and close', () => {
  it('closes promptly with idle keep-alive connections open', async () => {
    const s = await listen({ mounts, logger });
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve) => http.get(`${s.httpUrl}/sim/binary`, { agent }, (res) => res.resume().on('end', resolve)));
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(500);
    agent.destroy();
  });

  it('closes promptly when a client opened a connection and never sent a request', async () => {
    const s = await listen({ mounts, logger });
    const url = new URL(s.httpUrl);
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    await new Promise((r) => setTimeout(r, 20)); // let the server accept it
    const closedBy = new Promise((resolve) => socket.once('close', resolve));
    const started = Date.now();
    await s.close();
    await closedBy;
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('waits for a busy request up to graceMs, then cuts it', async () => {
    const s = await listen({ mounts, logger });
    const pending = fetch(`${s.httpUrl}/x/hang`).catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.close({ graceMs: 150 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await pending).toBeInstanceOf(TypeError);
  });

  it('reports a port already in use', async () => {
    const port = Number(new URL(server.httpUrl).port);
    await expect(listen({ mounts, port, logger })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('msw adapter', () => {
  const peer: Peer = { address: '10.1.2.3', tls: true };
  const msw = setupServer(...toMswHandlers('http://sim.test', mounts, peer, { bodyLimitBytes: LIMIT, logger }));
  beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => msw.close());

  it('passes the given peer', async () => {
    expect(await (await fetch('http://sim.test/sim/peer')).json()).toEqual({ address: '10.1.2.3', tls: true, subject: null, authorized: null });
  });

  it('turns DropConnection into a network error', async () => {
    await expect(fetch('http://sim.test/sim/drop')).rejects.toThrow(TypeError);
  });

  it('applies the body limit to a streamed body', async () => {
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new Uint8Array(1024));
        c.close();
      },
    });
    const response = await fetch('http://sim.test/sim/echo', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    const ok = await fetch('http://sim.test/sim/echo', { method: 'POST', body: 'abc' });
    expect(await ok.json()).toMatchObject({ length: 3 });
  });

  it('wants an origin', () => {
    expect(() => toMswHandlers('http://sim.test/base', mounts)).toThrow(MountConfigError);
  });
});

it('re-exports DropConnection from faults.ts', async () => {
  expect(DropConnection).toBe((await import('./faults.js')).DropConnection);
});
