import { describe, expect, it } from 'vitest';
import { BufferedRequest, BufferedResponse, bufferedResponse } from './http-buffered.js';

const url = 'http://127.0.0.1/scep?operation=PKIOperation';
const bytes = (text: string) => new TextEncoder().encode(text);
const make = (text: string, headers: Record<string, string> = {}) => new BufferedRequest(url, { method: 'POST', headers }, bytes(text));

/** What a plain undici Request with the same body answers, for comparison. */
const plain = (text: string, headers: Record<string, string> = {}) => new Request(url, { method: 'POST', headers, body: bytes(text) });

describe('BufferedRequest', () => {
  it('reads like a Request with the same body, once', async () => {
    for (const request of [make('{"a":1}'), plain('{"a":1}')]) {
      expect(request).toBeInstanceOf(Request);
      expect(request.bodyUsed).toBe(false);
      expect(await request.json()).toEqual({ a: 1 });
      expect(request.bodyUsed).toBe(true);
      await expect(request.text()).rejects.toThrow(TypeError);
    }
    expect(new Uint8Array(await make('abc').arrayBuffer())).toEqual(bytes('abc'));
    expect(await make('abc').bytes()).toEqual(bytes('abc'));
    const blob = await make('abc', { 'content-type': 'text/plain' }).blob();
    expect([blob.type, await blob.text()]).toEqual(['text/plain', 'abc']);
    const form = await make('a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' }).formData();
    expect([form.get('a'), form.get('b')]).toEqual(['1', '2']);
  });

  it('builds the body stream only when asked, and then reads through it', async () => {
    const request = make('stream me');
    const reader = request.body.getReader();
    expect(request.bodyUsed).toBe(false);
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('stream me');
    expect(request.bodyUsed).toBe(true);
    reader.releaseLock();
    await expect(request.arrayBuffer()).rejects.toThrow(TypeError);

    const untouched = make('via stream');
    void untouched.body; // handed out, not read
    expect(await untouched.text()).toBe('via stream');
  });

  it('clones with its body, method, headers and url', async () => {
    const request = make('twice', { 'x-test': '1' });
    const copy = request.clone();
    expect([copy.method, copy.url, copy.headers.get('x-test')]).toEqual(['POST', url, '1']);
    expect(await copy.text()).toBe('twice');
    expect(await request.text()).toBe('twice');
    expect(() => request.clone()).toThrow(TypeError);
  });
});

describe('BufferedResponse', () => {
  const made = (body: Uint8Array<ArrayBuffer> | string, init: ResponseInit = {}) => [new BufferedResponse(body, init), new Response(body, init)];

  it('reads like a Response with the same body, once, with the same default content type', async () => {
    for (const response of made('{"a":1}', { status: 201, statusText: 'Created' })) {
      expect(response).toBeInstanceOf(Response);
      expect([response.status, response.statusText, response.ok]).toEqual([201, 'Created', true]);
      expect(response.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
      expect(await response.json()).toEqual({ a: 1 });
      expect(response.bodyUsed).toBe(true);
      await expect(response.text()).rejects.toThrow(TypeError);
    }
    for (const response of made(bytes('abc'), { headers: { 'content-type': 'application/x-pki-message' } })) {
      expect(response.headers.get('content-type')).toBe('application/x-pki-message');
      expect(await response.bytes()).toEqual(bytes('abc'));
    }
    expect(new BufferedResponse(bytes('x')).headers.get('content-type')).toBeNull(); // bytes get no default type
    expect(() => new BufferedResponse('x', { status: 204 })).toThrow(TypeError);
  });

  it('hands its bytes to the bridge once, and not after a stream was taken', async () => {
    const direct = new BufferedResponse('once');
    expect(direct.takeBytes()).toEqual(bytes('once'));
    expect(direct.takeBytes()).toBeUndefined();
    expect(direct.bodyUsed).toBe(true);

    const streamed = new BufferedResponse('streamed');
    const text = await new Response(streamed.body).text();
    expect(text).toBe('streamed');
    expect(streamed.takeBytes()).toBeUndefined();
  });

  it('clones with status, headers and body', async () => {
    const response = new BufferedResponse('twice', { status: 202, headers: { 'x-test': '1' } });
    const copy = response.clone();
    expect([copy.status, copy.headers.get('x-test'), await copy.text()]).toEqual([202, '1', 'twice']);
    expect(await response.text()).toBe('twice');
    expect(() => response.clone()).toThrow(TypeError);
  });

  it('bufferedResponse(null) is a plain empty Response', async () => {
    const empty = bufferedResponse(null, { status: 204 });
    expect([empty.status, empty.body, await empty.text()]).toEqual([204, null, '']);
  });
});
