/**
 * What the GlobalSign EPKI checks share: the GasOrderService URL and credentials of the target, our connector
 * (core/connectors/globalsign-epki) pointed at it with a fetch that records every exchange, hand-written SOAP
 * for the checks that look at the wire, and the simulator's admin surface when the target has one.
 */
import type { FetchLike } from '../../core/scep/client.js';
import { GlobalSignEpkiConnector } from '../../core/connectors/globalsign-epki.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { parseSoapEnvelope, type XmlElement } from '../../core/soap/index.js';
import type { SuiteEnvironment, TargetSpec } from '../model.js';

export class EpkiSuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EpkiSuiteError';
  }
}

export class EpkiSuiteContext {
  readonly connector: GlobalSignEpkiConnector;
  readonly fetch: FetchLike;
  private keys: Promise<KeyPair>[] = [];
  private profile: Promise<string> | undefined;

  constructor(
    readonly url: string,
    readonly username: string,
    readonly password: string,
    readonly admin: string | undefined,
    readonly env: SuiteEnvironment,
    readonly productCode: string,
    readonly years: number,
    private readonly configuredProfile: string | undefined,
  ) {
    this.fetch = async (input, init) => {
      const startedAt = Date.now();
      const response = await fetch(input, init);
      const body = typeof init?.body === 'string' ? init.body : '';
      env.record({
        label: body.match(/<(?:\w+:)?(\w+)><Request>/)?.[1] ?? 'GasOrderService',
        from: 'mdm',
        to: 'globalsign-epki',
        method: init?.method ?? 'GET',
        url: String(input),
        status: response.status,
        requestBytes: Buffer.byteLength(body),
        responseBytes: Number(response.headers.get('content-length') ?? 0),
        startedAt,
        durationMs: Date.now() - startedAt,
        ...(response.headers.get('content-type') ? { responseContentType: response.headers.get('content-type')! } : {}),
      });
      return response;
    };
    this.connector = this.connectorWith(password);
  }

  static fromTarget(target: TargetSpec, env: SuiteEnvironment): EpkiSuiteContext {
    if (target.kind !== 'url') throw new EpkiSuiteError('the globalsign-epki suite needs a url target (mdmca run resolves the embedded simulator to one)');
    const c = target.credentials ?? {};
    if (!c.username || !c.password) throw new EpkiSuiteError('the globalsign-epki target needs credentials username and password');
    return new EpkiSuiteContext(target.url, c.username, c.password, target.admin?.replace(/\/+$/, ''), env, c.productCode ?? 'EPKIPSPersonal', Number(c.years ?? 1), c.profileId);
  }

  connectorWith(password: string): GlobalSignEpkiConnector {
    return new GlobalSignEpkiConnector({ name: 'GlobalSign', type: 'globalsign-epki', url: this.url, username: this.username, password }, { fetch: this.fetch });
  }

  /** RSA-2048 requester keys, made once per index. */
  key(index: number): Promise<KeyPair> {
    this.keys[index] ??= generateKeyPair({ type: 'rsa', bits: 2048 });
    return this.keys[index]!;
  }

  /** The profile orders go to: the configured one, else the first VALIDATED profile GetProfiles lists. */
  profileId(): Promise<string> {
    this.profile ??= this.configuredProfile
      ? Promise.resolve(this.configuredProfile)
      : this.connector.profileIds().then((ids) => {
          if (!ids[0]) throw new EpkiSuiteError('GetProfiles lists no VALIDATED profile');
          return ids[0];
        });
    return this.profile;
  }

  /** Posts a hand-written envelope; the HTTP status, the raw text and the parsed operation element (if any). */
  async soap(xml: string | Uint8Array<ArrayBuffer>): Promise<{ status: number; text: string; operation?: XmlElement }> {
    const response = await this.fetch(this.url, { method: 'POST', headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '""' }, body: xml });
    const text = await response.text();
    try {
      return { status: response.status, text, operation: parseSoapEnvelope(text).operation };
    } catch {
      return { status: response.status, text };
    }
  }

  envelope(operation: string, inner: string): string {
    return (
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cr="https://system.globalsign.com/cr/ws/">` +
      `<soapenv:Body><cr:${operation}><Request>${inner}</Request></cr:${operation}></soapenv:Body></soapenv:Envelope>`
    );
  }

  async adminCall(method: string, path: string, body?: unknown): Promise<unknown> {
    if (!this.admin) throw new EpkiSuiteError('no admin surface');
    const response = await fetch(`${this.admin}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    if (!response.ok) throw new EpkiSuiteError(`admin ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  }

  /** Runs `fn` against a simulator state set up by `arrange`, then resets the simulator to its fixtures. */
  async scenario<T>(arrange: () => Promise<unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      await arrange();
      return await fn();
    } finally {
      await this.adminCall('POST', '/reset');
    }
  }
}
