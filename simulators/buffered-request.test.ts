import { describe, expect, it } from 'vitest';
import { BufferedRequest } from './buffered-request.js';

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
