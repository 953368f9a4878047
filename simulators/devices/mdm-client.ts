/**
 * The device side of the MDM engine's device API (core/engine/http/DEVICE-API.md, a fixed contract): registration
 * with user name and password for a bearer token, the list of configurations distributed to the device, one
 * configuration (a .mobileconfig for iOS, JSON for Android), and the install status report. Errors are the
 * contract's `{"error":{"code","message"}}` as an MdmApiError; every response body is size-limited.
 */
import { z } from 'zod';
import { type FetchLike, globalFetch, readBody, withUserAgent } from './fetch.js';

export type DevicePlatform = 'ios' | 'android';

export interface RegisterInput {
  username: string;
  password: string;
  platform: DevicePlatform;
  serialNumber?: string;
  udid?: string;
  imei?: string;
  phoneNumber?: string;
  model?: string;
  osVersion?: string;
}

export interface Registration {
  deviceId: string;
  token: string;
  platform: DevicePlatform;
}

export type ConfigurationType = 'scep' | 'pkcs12' | 'root';

export interface ConfigurationSummary {
  id: string;
  name: string;
  type: ConfigurationType;
  /** Compared as text: a change means "install again" (a renewal, an edited setting). */
  version: string;
}

export interface ConfigurationBody {
  contentType: string;
  body: Uint8Array;
}

export interface StatusReport {
  status: 'installed' | 'failed';
  certificateSerial?: string;
  error?: string;
}

export class MdmApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    /** The contract's error code (invalid_credentials, not_distributed, …), or 'network' / 'bad-response'. */
    readonly code: string,
    message: string,
    readonly issues?: unknown,
  ) {
    super(`${operation}: ${status ? `HTTP ${status} ` : ''}${code}: ${message}`);
    this.name = 'MdmApiError';
  }
}

const RegistrationSchema = z.object({ deviceId: z.string().min(1), token: z.string().min(1), platform: z.enum(['ios', 'android']) });
const ListSchema = z.object({
  configurations: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string(),
      type: z.enum(['scep', 'pkcs12', 'root']),
      version: z.union([z.string(), z.number()]).transform(String),
    }),
  ),
});
const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), issues: z.unknown().optional() }) });

export interface MdmClientOptions {
  /** The engine's origin or its `/mdm` base, e.g. http://127.0.0.1:8080 or http://127.0.0.1:8080/mdm. */
  baseUrl: string;
  fetch?: FetchLike;
  userAgent?: string;
  /** Default 30 000 ms per request. */
  timeoutMs?: number;
  /** Default 4 MiB per response. */
  maxResponseBytes?: number;
}

/** `<origin>/mdm` from an origin, a `/mdm` URL or a longer prefix. */
export function mdmBase(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.origin}${path === '' ? '/mdm' : path}`;
}

export class MdmClient {
  readonly base: string;
  private readonly fetch: FetchLike;
  private token: string | undefined;
  registration: Registration | undefined;

  constructor(private readonly options: MdmClientOptions) {
    this.base = mdmBase(options.baseUrl);
    const inner = options.fetch ?? globalFetch;
    this.fetch = options.userAgent ? withUserAgent(inner, options.userAgent) : inner;
  }

  get deviceId(): string {
    if (!this.registration) throw new MdmApiError('device API', 0, 'not-registered', 'the device has not registered yet');
    return this.registration.deviceId;
  }

  async register(input: RegisterInput): Promise<Registration> {
    const { json } = await this.call('register', 'POST', '/api/v1/register', input, 201);
    const registration = this.parse('register', RegistrationSchema, json);
    this.registration = registration;
    this.token = registration.token;
    return registration;
  }

  async listConfigurations(): Promise<ConfigurationSummary[]> {
    const { json } = await this.call('list configurations', 'GET', `/api/v1/devices/${enc(this.deviceId)}/configurations`);
    return this.parse('list configurations', ListSchema, json).configurations;
  }

  async fetchConfiguration(id: string): Promise<ConfigurationBody> {
    const { response, body } = await this.call('fetch configuration', 'GET', `/api/v1/devices/${enc(this.deviceId)}/configurations/${enc(id)}`);
    return { contentType: (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase(), body };
  }

  async reportStatus(id: string, report: StatusReport): Promise<void> {
    await this.call('report status', 'POST', `/api/v1/devices/${enc(this.deviceId)}/configurations/${enc(id)}/status`, report, 204);
  }

  private async call(operation: string, method: string, path: string, payload?: unknown, expected = 200) {
    const headers: Record<string, string> = { accept: 'application/json, application/x-apple-aspen-config' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    let body: Uint8Array;
    try {
      response = await this.fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        redirect: 'manual',
      });
      body = await readBody(response, this.options.maxResponseBytes ?? 4 * 1024 * 1024);
    } catch (error) {
      const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new MdmApiError(operation, 0, 'network', `cannot reach ${this.base}: ${cause}`);
    }
    const text = () => Buffer.from(body).toString('utf8');
    if (response.status !== expected && !(expected === 204 && response.status === 200)) {
      let parsed: z.infer<typeof ErrorSchema> | undefined;
      try {
        parsed = ErrorSchema.parse(JSON.parse(text()));
      } catch {
        parsed = undefined;
      }
      if (parsed) throw new MdmApiError(operation, response.status, parsed.error.code, parsed.error.message, parsed.error.issues);
      throw new MdmApiError(operation, response.status, 'bad-response', text().slice(0, 300) || '(empty body)');
    }
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    let json: unknown;
    if (isJson && body.byteLength) {
      try {
        json = JSON.parse(text());
      } catch {
        throw new MdmApiError(operation, response.status, 'bad-response', 'the body is not JSON');
      }
    }
    return { response, body, json };
  }

  private parse<S extends z.ZodType>(operation: string, schema: S, json: unknown): z.infer<S> {
    const result = schema.safeParse(json);
    if (!result.success) {
      const detail = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
      throw new MdmApiError(operation, 200, 'bad-response', `the answer does not follow the device API: ${detail}`);
    }
    return result.data;
  }
}

const enc = encodeURIComponent;
