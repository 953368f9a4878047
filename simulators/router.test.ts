import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { loopbackPeer } from '../core/http.js';
import { DropConnection } from './faults.js';
import { createRouter, formatIssuePath, HttpError, json, readJson, route, text, type PathParams } from './router.js';

const base = 'http://sim.test';
const call = (handler: ReturnType<typeof createRouter>, method: string, path: string, body?: string) =>
  handler(new Request(base + path, { method, ...(body !== undefined ? { body } : {}) }), loopbackPeer);

const schema = z.object({
  name: z.string().min(1),
  rules: z.array(z.object({ rate: z.number().max(1), status: z.number().int() })),
  seed: z.number().optional(),
});

const router = createRouter([
  route('GET', '/certs/:serial', ({ params }) => json({ serial: params.serial })),
  route('DELETE', '/certs/:serial', () => new Response(null, { status: 204 })),
  route(['POST', 'put'], '/items', async ({ request }) => json(await readJson(request, schema), 201)),
  route('GET', '/files/*rest', ({ params }) => text(params.rest)),
  route('GET', '/opt{/:part}', ({ params }) => json({ part: params.part ?? null })),
  route('GET', '/teapot', () => {
    throw new HttpError(418, 'teapot', 'I am a teapot');
  }),
  route('GET', '/drop', () => {
    throw new DropConnection();
  }),
  route('GET', '/query', ({ url, peer }) => json({ q: url.searchParams.get('q'), address: peer.address })),
]);

describe('router', () => {
  it('types params from the pattern', () => {
    expectTypeOf<PathParams<'/certs/:serial'>>().toEqualTypeOf<{ serial: string }>();
    expectTypeOf<PathParams<'/a/:x/b/*rest'>>().toEqualTypeOf<{ x: string; rest: string }>();
    expectTypeOf<PathParams<'/opt{/:part}'>>().toEqualTypeOf<{ part?: string }>();
  });

  it('routes by method and path, with decoded params, wildcards and optional segments', async () => {
    expect(await (await call(router, 'GET', '/certs/0a%3Abc')).json()).toEqual({ serial: '0a:bc' });
    expect((await call(router, 'DELETE', '/certs/01')).status).toBe(204);
    expect(await (await call(router, 'GET', '/files/a/b/c.txt')).text()).toBe('a/b/c.txt');
    expect(await (await call(router, 'GET', '/opt')).json()).toEqual({ part: null });
    expect(await (await call(router, 'GET', '/opt/x')).json()).toEqual({ part: 'x' });
    expect(await (await call(router, 'GET', '/query?q=1')).json()).toEqual({ q: '1', address: '127.0.0.1' });
    const put = await call(router, 'PUT', '/items', JSON.stringify({ name: 'n', rules: [] }));
    expect(put.status).toBe(201);
  });

  it('answers 404 for an unknown path and 405 with Allow for a known path', async () => {
    const missing = await call(router, 'GET', '/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /nope' } });

    const wrong = await call(router, 'PATCH', '/certs/01');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('DELETE, GET, HEAD');
    expect((await wrong.json()).error.code).toBe('method_not_allowed');
    expect((await call(router, 'GET', '/items')).headers.get('allow')).toBe('POST, PUT');

    const custom = createRouter([], { notFound: ({ url }) => text(`nothing at ${url.pathname}`, 404) });
    expect(await (await call(custom, 'GET', '/x')).text()).toBe('nothing at /x');
  });

  it('answers HEAD from a GET route, without a body', async () => {
    const head = await call(router, 'HEAD', '/certs/01');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^application\/json/);
    expect(head.body).toBeNull();
  });

  it('turns HttpError into JSON and lets other errors (DropConnection) through', async () => {
    const teapot = await call(router, 'GET', '/teapot');
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ error: { code: 'teapot', message: 'I am a teapot' } });
    await expect(call(router, 'GET', '/drop')).rejects.toBeInstanceOf(DropConnection);
    expect((await call(router, 'GET', '/certs/%E0%A4%A')).status).toBe(400);
  });

  it('readJson reports every schema issue with its path', async () => {
    const response = await call(router, 'POST', '/items', JSON.stringify({ name: '', rules: [{ rate: 2, status: 1.5 }, { rate: 'x' }], extra: 1 }));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toBe('Request body does not match the schema');
    const paths = body.error.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(['name', 'rules[0].rate', 'rules[0].status', 'rules[1].rate', 'rules[1].status']);
    for (const issue of body.error.issues) expect(issue.message).toEqual(expect.any(String));
  });

  it('readJson refuses malformed JSON, an empty body and an oversized one', async () => {
    const bad = await (await call(router, 'POST', '/items', '{"name":')).json();
    expect(bad.error).toMatchObject({ code: 'invalid_request', issues: [] });
    expect(bad.error.message).toMatch(/^Request body is not valid JSON/);
    expect((await (await call(router, 'POST', '/items', '')).json()).error.message).toMatch(/empty/);

    const small = createRouter([route('POST', '/', async ({ request }) => json(await readJson(request, z.unknown(), { limitBytes: 10 })))]);
    const big = await call(small, 'POST', '/', JSON.stringify({ padding: 'x'.repeat(100) }));
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe('payload_too_large');
    const chunked = new Request(`${base}/`, {
      method: 'POST',
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"a":'));
          c.enqueue(new TextEncoder().encode('"0123456789"}'));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect((await small(chunked, loopbackPeer)).status).toBe(413);
  });

  it('formats issue paths', () => {
    expect(formatIssuePath([])).toBe('');
    expect(formatIssuePath(['a', 0, 'b-c', 'd'])).toBe('a[0]["b-c"].d');
  });
});
