/**
 * A Fetch Request whose body is bytes the node bridge has already read, with no ReadableStream until someone asks
 * for `body`. On Node 20 constructing the stream that `new Request(url, { body })` builds costs more than the rest
 * of the Request (~60–120 µs against ~10 µs here, bench/README.md), on every POST of every simulator; handlers that
 * read with arrayBuffer()/text()/json() get the bytes without it.
 *
 * The Fetch surface is the same: body (a stream made on first access), bodyUsed, arrayBuffer, bytes, text, json,
 * blob, formData, clone, and the headers, method, url and signal of the Request it extends. One limit: undici's
 * own functions read a Request's internal state, not these members, so `fetch(request)` or `new Request(request)`
 * would send no body. The bridge hands it only to handlers, and none forwards the Request object itself.
 */
import * as nodeStream from 'node:stream';

// Node's own test for "has been read from" (stable since Node 16.8; missing from @types/node 20).
const isDisturbed = (nodeStream as unknown as { isDisturbed(stream: ReadableStream): boolean }).isDisturbed;

const unusable = () => new TypeError('Body is unusable: Body has already been read');

export class BufferedRequest extends Request {
  readonly #bytes: Uint8Array<ArrayBuffer>;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #read = false;

  constructor(url: string, init: Omit<RequestInit, 'body'>, bytes: Uint8Array) {
    super(url, init);
    this.#bytes = bytes as Uint8Array<ArrayBuffer>; // Node buffers are never SharedArrayBuffer-backed
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    if (!this.#stream) {
      const bytes = this.#read ? new Uint8Array(0) : this.#bytes;
      this.#stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      });
    }
    return this.#stream;
  }

  override get bodyUsed(): boolean {
    return this.#read || (this.#stream !== undefined && isDisturbed(this.#stream));
  }

  /** The bytes, once; a stream already handed out is read instead (it may have been partly consumed). */
  async #take(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.bodyUsed) throw unusable();
    if (this.#stream) return new Uint8Array(await new Response(this.#stream).arrayBuffer());
    this.#read = true;
    return this.#bytes;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.#take());
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  override async blob(): Promise<Blob> {
    return new Blob([await this.#take()], { type: this.headers.get('content-type') ?? '' });
  }

  override async formData(): Promise<FormData> {
    return new Response(await this.#take(), { headers: this.headers }).formData();
  }

  override clone(): Request {
    if (this.bodyUsed) throw new TypeError('Request.clone: Body has already been consumed.');
    if (this.#stream) {
      // Someone holds the stream: tee it as undici would, by handing the clone a fresh copy of the bytes.
      return new BufferedRequest(this.url, this.#init(), this.#bytes.slice());
    }
    return new BufferedRequest(this.url, this.#init(), this.#bytes);
  }

  #init(): Omit<RequestInit, 'body'> {
    return { method: this.method, headers: this.headers, signal: this.signal };
  }
}
