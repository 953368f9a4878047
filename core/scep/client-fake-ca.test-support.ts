/**
 * A small, conformant SCEP CA made from the codec, for the client's unit tests and the scep-server suite's
 * self-test: every operation of RFC 8894 (caps, CA/RA certificates, GetNextCACert, PKCSReq, RenewalReq, CertPoll
 * with manual approval, GetCert, GetCRL), FAILURE CertReps for readable bad requests, 400 for unreadable ones,
 * 413 over 1 MiB. Hooks let a test break one rule at a time. Imported by tests only; the real simulator is
 * simulators/scep-ca.
 */
import { Buffer } from 'node:buffer';
import { type Clock, systemClock } from '../clock.js';
import { CertificateAuthority } from '../pki/ca.js';
import { parseCertificate } from '../pki/certificate.js';
import { buildCrl } from '../pki/crl.js';
import { parseCsr, type ParsedCsr } from '../pki/csr.js';
import { generateKeyPair, type KeyPair } from '../pki/keys.js';
import { serialHexFromContent } from '../pki/serial.js';
import type { Handler } from '../http.js';
import { type Capability, formatCaps } from './caps.js';
import { buildCertsOnly, buildNextCaCert } from './certs-only.js';
import type { ContentCipherName } from './ciphers.js';
import type { FetchLike } from './client-transport.js';
import { FailInfo, MessageType, PkiStatus } from './constants.js';
import { ScepError } from './errors.js';
import { type BuildCertRepInput, buildCertRep, type ParsedRequest, parseRequest } from './messages.js';
import type { SignerIdentity } from './signed-data.js';

export const FULL_CAPS: Capability[] = ['AES', 'GetNextCACert', 'POSTPKIOperation', 'Renewal', 'SHA-256', 'SHA-512', 'SCEPStandard'];

export interface FakeCaOptions {
  challenge?: string;
  caps?: Capability[];
  /** Serve an RA (digitalSignature + keyEncipherment) that decrypts requests and signs CertReps. */
  withRa?: boolean;
  /** Encrypt SUCCESS CertReps with this cipher instead of the request's (e.g. 'des-cbc', as micromdm does). */
  replyCipher?: ContentCipherName;
  /** Change a CertRep before it is built (wrong nonce, wrong transactionID, ...). */
  tamper?: (input: BuildCertRepInput) => BuildCertRepInput;
  /** Answer PKIOperation with this instead (HTTP errors, garbage). */
  override?: (request: Request) => Response | undefined;
  clock?: Clock;
  /** Keys to reuse (RSA key generation dominates a test's time); fresh RSA-2048 keys otherwise. */
  keys?: { ca?: KeyPair; next?: KeyPair; ra?: KeyPair };
}

export interface FakeCa {
  handler: Handler;
  /** The handler as a fetch function (in process, no socket). */
  fetch: FetchLike;
  ca: CertificateAuthority;
  caIdentity: SignerIdentity;
  ra?: SignerIdentity;
  /** Every request the CA could parse. */
  requests: ParsedRequest[];
  approvalMode: 'auto' | 'manual';
  approve(transactionId: string): void;
  revoke(serialHex: string): void;
}

const LIMIT = 1024 * 1024;
const OPERATIONS = ['GetCACaps', 'GetCACert', 'GetNextCACert', 'PKIOperation'];

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function binary(body: Uint8Array, contentType: string): Response {
  return new Response(body as BodyInit, { status: 200, headers: { 'content-type': contentType } });
}

/** The GET `message` as base64, accepting macOS's raw `+` (which URLSearchParams would turn into a space). */
function getMessage(url: URL): Uint8Array | undefined {
  const raw = /[?&]message=([^&]*)/.exec(url.search)?.[1];
  if (raw === undefined) return undefined;
  return new Uint8Array(Buffer.from(decodeURIComponent(raw), 'base64'));
}

export async function createFakeCa(options: FakeCaOptions = {}): Promise<FakeCa> {
  const clock = options.clock ?? systemClock;
  const caps = options.caps ?? FULL_CAPS;
  const rsa = { type: 'rsa', bits: 2048 } as const;
  const ca = await CertificateAuthority.createRoot({ subject: 'CN=mdmca fake SCEP CA,O=mdmca', keys: options.keys?.ca ?? rsa, clock });
  const caIdentity: SignerIdentity = { certificate: ca.certificateDer, privateKey: ca.privateKey };
  let ra: SignerIdentity | undefined;
  if (options.withRa) {
    const keys = options.keys?.ra ?? (await generateKeyPair(rsa));
    const issued = await ca.issue({ subject: 'CN=mdmca fake SCEP RA', publicKey: keys.publicKey, profile: { keyUsage: ['digitalSignature', 'keyEncipherment'] } });
    ra = { certificate: issued.der, privateKey: keys.privateKey };
  }
  const next = await CertificateAuthority.createRoot({ subject: 'CN=mdmca fake SCEP CA 2,O=mdmca', keys: options.keys?.next ?? rsa, clock });
  const responder = ra ?? caIdentity;
  const issued = new Map<string, Uint8Array>();
  const byTransaction = new Map<string, Uint8Array>();
  const pending = new Map<string, { csr: ParsedCsr; approved: boolean }>();
  const revoked = new Map<string, Date>();
  let crlNumber = 1;

  const fake: FakeCa = {
    handler,
    fetch: (input, init) => handler(new Request(input, init)),
    ca,
    caIdentity,
    ...(ra ? { ra } : {}),
    requests: [],
    approvalMode: 'auto',
    approve(transactionId) {
      const entry = pending.get(transactionId);
      if (!entry) throw new Error(`no pending transaction ${transactionId}`);
      entry.approved = true;
    },
    revoke(serialHex) {
      revoked.set(serialHex, clock.now());
    },
  };

  async function issue(request: ParsedRequest, csr: ParsedCsr): Promise<Uint8Array> {
    const certificate = (await ca.issueFromCsr(csr, { extendedKeyUsage: ['clientAuth'] })).der;
    issued.set(parseCertificate(certificate).serialHex, certificate);
    byTransaction.set(request.transactionId, certificate);
    return certificate;
  }

  async function reply(request: Pick<ParsedRequest, 'transactionId' | 'senderNonce' | 'signerCertificate' | 'cipher' | 'digest'>, status: PkiStatus, extra: Partial<BuildCertRepInput> = {}): Promise<Response> {
    const input: BuildCertRepInput = {
      transactionId: request.transactionId,
      recipientNonce: request.senderNonce,
      status,
      encryptTo: request.signerCertificate,
      signer: responder,
      cipher: options.replyCipher ?? request.cipher,
      digest: request.digest,
      allowLegacyCiphers: true,
      ...extra,
    };
    const der = await buildCertRep(options.tamper ? options.tamper(input) : input);
    return binary(der, 'application/x-pki-message');
  }

  const failure = (request: Parameters<typeof reply>[0], failInfo: FailInfo, failInfoText: string) =>
    reply(request, PkiStatus.FAILURE, { failInfo, failInfoText });
  const success = (request: Parameters<typeof reply>[0], contents: { certificates?: Uint8Array[]; crls?: Uint8Array[] }) =>
    reply(request, PkiStatus.SUCCESS, contents);

  async function operate(request: ParsedRequest): Promise<Response> {
    const { payload } = request;
    switch (payload.messageType) {
      case MessageType.PKCSReq:
      case MessageType.RenewalReq: {
        const csr = parseCsr(payload.csr);
        if (!csr.verify()) return failure(request, FailInfo.badMessageCheck, 'CSR signature does not verify');
        if (payload.messageType === MessageType.RenewalReq) {
          const signer = parseCertificate(request.signerCertificate);
          if (!signer.verifySignedBy(ca.certificate) || !signer.isValidAt(clock.now())) {
            return failure(request, FailInfo.badRequest, 'renewal must be signed by a valid certificate of this CA');
          }
        } else if (options.challenge !== undefined && csr.challengePassword !== options.challenge) {
          return failure(request, FailInfo.badRequest, 'wrong challenge password');
        }
        if (fake.approvalMode === 'manual') {
          pending.set(request.transactionId, { csr, approved: false });
          return reply(request, PkiStatus.PENDING);
        }
        return success(request, { certificates: [await issue(request, csr), ca.certificateDer] });
      }
      case MessageType.CertPoll: {
        const entry = pending.get(request.transactionId);
        if (entry?.approved) {
          pending.delete(request.transactionId);
          return success(request, { certificates: [await issue(request, entry.csr), ca.certificateDer] });
        }
        if (entry) return reply(request, PkiStatus.PENDING);
        const done = byTransaction.get(request.transactionId);
        if (done) return success(request, { certificates: [done, ca.certificateDer] });
        return failure(request, FailInfo.badCertId, 'no request with this transactionID');
      }
      case MessageType.GetCert: {
        const certificate = issued.get(serialHexFromContent(payload.serialNumber));
        return certificate ? success(request, { certificates: [certificate] }) : failure(request, FailInfo.badCertId, 'no such certificate');
      }
      case MessageType.GetCRL: {
        const entries = [...revoked].map(([serialHex, revocationDate]) => ({ serialHex, revocationDate }));
        return success(request, { crls: [await buildCrl({ ca, entries, crlNumber: crlNumber++ })] });
      }
    }
  }

  async function pkiOperation(request: Request, url: URL): Promise<Response> {
    const overridden = options.override?.(request);
    if (overridden) return overridden;
    let der: Uint8Array | undefined;
    if (request.method === 'POST') {
      if (Number(request.headers.get('content-length') ?? 0) > LIMIT) return text(413, 'request body exceeds 1 MiB');
      der = new Uint8Array(await request.arrayBuffer());
      if (der.byteLength > LIMIT) return text(413, 'request body exceeds 1 MiB');
    } else {
      der = getMessage(url);
    }
    if (!der?.byteLength) return text(400, 'PKIOperation needs a pkiMessage');
    let parsed: ParsedRequest;
    try {
      parsed = parseRequest(der, { recipients: ra ? [ra, caIdentity] : [caIdentity], allowLegacyCiphers: true });
    } catch (error) {
      const context = error instanceof ScepError ? error.context : undefined;
      if (error instanceof ScepError && context?.transactionId && context.senderNonce && context.signerCertificate) {
        const addressed = { transactionId: context.transactionId, senderNonce: context.senderNonce, signerCertificate: context.signerCertificate, cipher: 'aes-128-cbc' as const, digest: 'sha256' as const };
        return failure(addressed, error.failInfo, error.failInfoText);
      }
      return text(400, `malformed pkiMessage: ${error instanceof Error ? error.message : String(error)}`);
    }
    fake.requests.push(parsed);
    return operate(parsed);
  }

  async function handler(request: Request): Promise<Response> {
    const url = new URL(request.url);
    switch (url.searchParams.get('operation')) {
      case 'GetCACaps':
        return new Response(formatCaps(caps), { headers: { 'content-type': 'text/plain' } });
      case 'GetCACert':
        return ra
          ? binary(buildCertsOnly({ certificates: [ra.certificate, ca.certificateDer] }), 'application/x-x509-ca-ra-cert')
          : binary(ca.certificateDer, 'application/x-x509-ca-cert');
      case 'GetNextCACert':
        if (!caps.includes('GetNextCACert')) return text(400, 'GetNextCACert is not supported');
        return binary(await buildNextCaCert({ certificates: [next.certificateDer], signer: caIdentity, digest: 'sha256' }), 'application/x-x509-next-ca-cert');
      case 'PKIOperation':
        return pkiOperation(request, url);
      default:
        return text(400, `unknown operation; supported: ${OPERATIONS.join(', ')}`);
    }
  }

  return fake;
}
