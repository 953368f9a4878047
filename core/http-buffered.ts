/**
 * Fetch Requests and Responses over bytes already in memory, with no ReadableStream until someone asks for `body`.
 * On Node 20 the stream that `new Request(url, { body })` or `new Response(bytes)` builds costs far more than the
 * rest of the object (a Response over 2 KB: ~45 µs, against ~2 µs without a body; bench/README.md), on every
 * message of every simulator. Readers that use arrayBuffer()/text()/json() get the bytes without it, and the node
 * bridge writes a BufferedResponse's bytes in one call without reading a stream (simulators/node-bridge.ts).
 *
 * The Fetch surface is the same: body (a stream made on first access), bodyUsed, arrayBuffer, bytes, text, json,
 * blob, formData, clone, and everything else of the Request/Response they extend. One limit: undici's own
 * functions read a body's internal state, not these members, so `fetch(request)` or `new Request(request)` would
 * send no body. Handlers and adapters use only the public members.
 */
import * as nodeStream from 'node:stream';

// Node's own test for "has been read from" (stable since Node 16.8; missing from @types/node 20).
const isDisturbed = (nodeStream as unknown as { isDisturbed(stream: ReadableStream): boolean }).isDisturbed;

const unusable = () => new TypeError('Body is unusable: Body has already been read');

/** The body both classes hold: the bytes, read once, or through a stream made when someone asks for one. */
export class BufferedBody {
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #read = false;

  constructor(readonly bytes: Uint8Array<ArrayBuffer>) {}

  get stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    if (!this.#stream) {
      const bytes = this.#read ? new Uint8Array(0) : this.bytes;
      this.#stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      });
    }
    return this.#stream;
  }

  get streamHandedOut(): boolean {
    return this.#stream !== undefined;
  }

  get used(): boolean {
    return this.#read || (this.#stream !== undefined && isDisturbed(this.#stream));
  }

  /** The bytes, once, without a stream; undefined when a stream was handed out (it may be partly consumed). */
  takeDirect(): Uint8Array<ArrayBuffer> | undefined {
    if (this.#read || this.#stream) return undefined;
    this.#read = true;
    return this.bytes;
  }

  /** The bytes, once; a stream already handed out is read instead. */
  async take(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.used) throw unusable();
    if (this.#stream) return new Uint8Array(await new Response(this.#stream).arrayBuffer());
    this.#read = true;
    return this.bytes;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.take());
  }

  async blob(type: string): Promise<Blob> {
    return new Blob([await this.take()], { type });
  }

  async formData(headers: Headers): Promise<FormData> {
    return new Response(await this.take(), { headers }).formData();
  }

  /** The bytes a clone gets: shared while nobody holds a stream, else a copy (as undici tees). */
  forClone(): Uint8Array<ArrayBuffer> {
    if (this.used) throw new TypeError('clone: Body has already been consumed.');
    return this.#stream ? this.bytes.slice() : this.bytes;
  }
}

// Node buffers and TextEncoder output are never SharedArrayBuffer-backed.
const own = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;

/** What Request and Response share: the Fetch body members, and the headers blob() reads its type from. */
interface FetchBody {
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  readonly bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json(): Promise<unknown>;
  blob(): Promise<Blob>;
  formData(): Promise<FormData>;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FetchBodyClass = new (...args: any[]) => FetchBody;

/**
 * The body members of a Request or Response subclass, read from a BufferedBody instead of undici's internal
 * state (one definition for both classes). The subclass sets `buffered` in its constructor.
 */
function withBufferedBody<Base extends FetchBodyClass>(base: Base) {
  abstract class WithBufferedBody extends base {
    /** Set by the subclass's constructor. Public only because declaration output cannot carry a mixin's protected member. */
    buffered!: BufferedBody;

    override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
      return this.buffered.stream;
    }
    override get bodyUsed(): boolean {
      return this.buffered.used;
    }
    override arrayBuffer(): Promise<ArrayBuffer> {
      return this.buffered.arrayBuffer();
    }
    override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
      return new Uint8Array(await this.buffered.arrayBuffer());
    }
    override text(): Promise<string> {
      return this.buffered.text();
    }
    override async json(): Promise<unknown> {
      return JSON.parse(await this.buffered.text()) as unknown;
    }
    override blob(): Promise<Blob> {
      return this.buffered.blob(this.headers.get('content-type') ?? '');
    }
    override formData(): Promise<FormData> {
      return this.buffered.formData(this.headers);
    }
  }
  return WithBufferedBody;
}

export class BufferedRequest extends withBufferedBody(Request) {
  constructor(url: string, init: Omit<RequestInit, 'body'>, bytes: Uint8Array) {
    super(url, init);
    this.buffered = new BufferedBody(own(bytes));
  }

  override clone(): Request {
    return new BufferedRequest(this.url, { method: this.method, headers: this.headers, signal: this.signal }, this.buffered.forClone());
  }
}

// Statuses whose Response may not have a body (Fetch: "null body status").
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export class BufferedResponse extends withBufferedBody(Response) {
  /** A string body is UTF-8 and, as with `new Response(string)`, text/plain;charset=UTF-8 unless a type is given. */
  constructor(body: Uint8Array | string, init: ResponseInit = {}) {
    if (init.status !== undefined && NULL_BODY_STATUS.has(init.status)) {
      throw new TypeError(`Response with null body status ${init.status} cannot have a body`);
    }
    super(null, init);
    if (typeof body === 'string') {
      if (!this.headers.has('content-type')) this.headers.set('content-type', 'text/plain;charset=UTF-8');
      this.buffered = new BufferedBody(own(new TextEncoder().encode(body)));
    } else {
      this.buffered = new BufferedBody(own(body));
    }
  }

  override clone(): Response {
    return new BufferedResponse(this.buffered.forClone(), { status: this.status, statusText: this.statusText, headers: this.headers });
  }

  /**
   * For the node bridge: the whole body, consumed, when nobody has taken a stream of it; else undefined (read
   * `body` then).
   */
  takeBytes(): Uint8Array | undefined {
    return this.buffered.takeDirect();
  }
}

/** A Response over `body` without a stream (BufferedResponse); null gives a plain empty Response. */
export function bufferedResponse(body: Uint8Array | string | null, init: ResponseInit = {}): Response {
  return body === null ? new Response(null, init) : new BufferedResponse(body, init);
}
