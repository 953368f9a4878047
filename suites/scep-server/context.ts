/**
 * What the scep-server checks share: the server under test (a URL, or the embedded simulator with its admin
 * controls), our client recording every exchange into the running check, and facts computed once on first
 * use (caps, CA certificates, the POST enrolment), so any check also runs alone.
 */
import { randomBytes } from 'node:crypto';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import {
  type CaCapsResponse,
  type CaCertificates,
  type EnrollOptions,
  type EnrollResult,
  ScepClient,
  type ScepClientOptions,
  type ScepExchange,
} from '../../core/scep/client.js';
import { failInfoName } from '../../core/scep/constants.js';
import type { Exchange, SuiteEnvironment, TargetSpec } from '../model.js';
import { httpScepAdmin } from './admin-http.js';

/** Admin controls of a SCEP server under test: only the embedded simulator has them. */
export interface ScepServerAdmin {
  /** 'manual': PKCSReq gets PENDING until approve(); 'auto': issue at once. */
  approvalMode(mode: 'auto' | 'manual'): Promise<void>;
  approve(transactionId: string): Promise<void>;
  /** Revokes by lower-case hex serial (core/pki ParsedCertificate.serialHex). */
  revoke(serialHex: string): Promise<void>;
}

export interface ScepServerUnderTest {
  /** The SCEP endpoint, e.g. http://127.0.0.1:8080/scep. */
  url: string;
  challenge?: string;
  /** The GetCACert/GetCACaps `message` (CA identifier), when the server needs one. */
  caIdentifier?: string;
  admin?: ScepServerAdmin;
  close(): Promise<void>;
}

export interface ScepServerSuiteOptions {
  /** Starts the embedded SCEP CA for `{kind: 'simulator'}` targets (the lead wires simulators/scep-ca here). */
  startSimulator?: () => Promise<ScepServerUnderTest>;
  /** Per HTTP exchange; default 15 000. */
  timeoutMs?: number;
  /** Where the requesters' keys come from (one per purpose: post, get, renewal, ...); default fresh RSA-2048. Tests pass a pool. */
  keySource?: (purpose: string) => Promise<KeyPair>;
}

export interface Enrolled {
  result: EnrollResult;
  key: KeyPair;
  subject: string;
}

export class ScepSuiteContext {
  readonly client: ScepClient;
  /** Distinguishes this run's subjects from earlier runs' (servers may refuse a DN they already issued). */
  readonly runId = randomBytes(4).toString('hex');
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    readonly server: ScepServerUnderTest,
    private readonly env: SuiteEnvironment,
    private readonly ownsServer: boolean,
    private readonly options: Pick<ScepServerSuiteOptions, 'timeoutMs' | 'keySource'> = {},
  ) {
    this.client = this.newClient();
  }

  /** A client on the same server and recorder; checks pass options such as method or macOsGetQuirk. */
  newClient(options: Partial<ScepClientOptions> = {}): ScepClient {
    return new ScepClient({
      url: this.server.url,
      // Legacy ciphers are allowed so that the checks can see (and name) what a legacy server does.
      allowLegacyCiphers: true,
      timeoutMs: this.options.timeoutMs ?? 15_000,
      ...(this.server.caIdentifier !== undefined ? { caIdentifier: this.server.caIdentifier } : {}),
      parties: { from: 'mdmca scep client', to: 'scep-ca' },
      onExchange: (exchange) => this.env.record(toExchange(exchange)),
      ...options,
    });
  }

  get challenge(): string | undefined {
    return this.server.challenge;
  }

  /** A value computed once per run, on first use. */
  once<T>(name: string, compute: () => Promise<T>): Promise<T> {
    let promise = this.memo.get(name) as Promise<T> | undefined;
    if (!promise) {
      promise = compute();
      this.memo.set(name, promise);
    }
    return promise;
  }

  /** An RSA-2048 key per purpose. */
  key(purpose: string): Promise<KeyPair> {
    const source = this.options.keySource ?? (() => generateKeyPair({ type: 'rsa', bits: 2048 }));
    return this.once(`key:${purpose}`, () => source(purpose));
  }

  subject(label: string): string {
    return `CN=mdmca scep-server ${label} ${this.runId},O=mdmca`;
  }

  caps(): Promise<CaCapsResponse> {
    return this.once('caps', () => this.client.getCaCapsResponse());
  }

  caCertificates(): Promise<CaCertificates> {
    return this.once('cacert', () => this.client.caCertificates());
  }

  /** Enrols a fresh key with our challenge; `label` names the key and the subject. */
  async enroll(label: string, options: Partial<EnrollOptions> = {}, client = this.client): Promise<Enrolled> {
    const key = await this.key(label);
    const subject = this.subject(label);
    const result = await client.enroll({
      subject,
      privateKey: key.privateKey,
      ...(this.challenge !== undefined ? { challenge: this.challenge } : {}),
      ...options,
    });
    return { result, key, subject };
  }

  /** The PKCSReq by POST that several checks build on. */
  postEnrollment(): Promise<Enrolled> {
    return this.once('enroll:post', () => this.enroll('post', { method: 'POST' }));
  }

  async close(): Promise<void> {
    if (this.ownsServer) await this.server.close();
  }
}

export function describeStatus(result: Pick<EnrollResult, 'statusName' | 'failInfo' | 'failInfoText' | 'reply'>): string {
  if (result.statusName !== 'FAILURE') return result.statusName;
  const info = result.failInfo !== undefined ? ` ${failInfoName(result.failInfo)}` : '';
  return `FAILURE${info}${result.failInfoText ? ` (${result.failInfoText})` : ''}`;
}

export function toExchange(exchange: ScepExchange): Exchange {
  return {
    label: exchange.label,
    from: exchange.from,
    to: exchange.to,
    method: exchange.method,
    url: exchange.url,
    status: exchange.status,
    ...(exchange.requestContentType ? { requestContentType: exchange.requestContentType } : {}),
    ...(exchange.responseContentType ? { responseContentType: exchange.responseContentType } : {}),
    requestBytes: exchange.requestBytes,
    responseBytes: exchange.responseBytes,
    startedAt: exchange.startedAt,
    durationMs: exchange.durationMs,
  };
}

/** Resolves a target to a server under test; credentials are read, never echoed. */
export async function serverFor(target: TargetSpec, options: ScepServerSuiteOptions): Promise<{ server: ScepServerUnderTest; owned: boolean }> {
  if (target.kind === 'url') {
    const challenge = target.credentials?.['challenge'];
    const caIdentifier = target.credentials?.['caIdentifier'];
    return {
      server: {
        url: target.url,
        ...(challenge !== undefined ? { challenge } : {}),
        ...(caIdentifier !== undefined ? { caIdentifier } : {}),
        // An mdmca simulator in another process: steer it through its admin surface.
        ...(target.admin !== undefined ? { admin: httpScepAdmin(target.admin) } : {}),
        close: async () => undefined,
      },
      owned: false,
    };
  }
  if (target.kind !== 'simulator') {
    throw new Error(`the scep-server suite tests a SCEP CA by URL or the embedded simulator, not a ${target.kind} target`);
  }
  if (!options.startSimulator) {
    throw new Error('no embedded SCEP CA is wired into this suite: create it with createScepServerSuite({ startSimulator })');
  }
  return { server: await options.startSimulator(), owned: true };
}
