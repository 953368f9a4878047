/**
 * Test material for the SCEP server tests (imported by tests only): a root → issuing CA → RA made with
 * core/pki's CertificateAuthority, requester keys with self-signed certificates, and the client side of an
 * exchange built from the codec (buildRequest / parseCertRep), so the server is tested against the codec, not
 * against the client under development elsewhere.
 */
import type { KeyObject } from 'node:crypto';
import { FixedClock } from '../clock.js';
import { type Handler, loopbackPeer } from '../http.js';
import { CertificateAuthority, selfSignedCertificate } from '../pki/ca.js';
import { buildCsr } from '../pki/csr.js';
import type { GeneralNameEntry } from '../pki/general-names.js';
import { generateKeyPair } from '../pki/keys.js';
import type { ContentCipherName } from './ciphers.js';
import { MessageType } from './constants.js';
import { buildRequest, parseCertRep, type ParsedCertRep, type RequestPayload } from './messages.js';
import type { HashName } from '../pki/algorithms.js';
import type { KeyTransport } from './key-transport.js';

export interface Identity {
  certificate: Uint8Array;
  privateKey: KeyObject;
}

export interface Requester extends Identity {
  publicKey: KeyObject;
}

export interface ServerTestPki {
  clock: FixedClock;
  root: CertificateAuthority;
  ca: CertificateAuthority;
  ra: Identity;
  /** Requesters with self-signed certificates on their own keys. */
  alice: Requester;
  bob: Requester;
}

export const TEST_NOW = new Date('2025-06-01T12:00:00Z');

export async function makeRequester(clock: FixedClock, cn: string): Promise<Requester> {
  const keys = await generateKeyPair({ type: 'rsa', bits: 2048 });
  const certificate = await selfSignedCertificate({ subject: `CN=${cn}`, privateKey: keys.privateKey, publicKey: keys.publicKey, clock, validityDays: 2 });
  return { certificate: certificate.der, privateKey: keys.privateKey, publicKey: keys.publicKey };
}

export async function makeServerTestPki(): Promise<ServerTestPki> {
  const clock = new FixedClock(TEST_NOW);
  const rsa = { type: 'rsa', bits: 2048 } as const;
  const root = await CertificateAuthority.createRoot({ subject: 'CN=mdmca server test root,O=mdmca', keys: rsa, clock });
  const [ca, raKeys, alice, bob] = await Promise.all([
    root.issueIntermediate({
      subject: 'CN=mdmca server test issuing CA,O=mdmca',
      keys: rsa,
      profile: { keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature', 'keyEncipherment'] },
    }),
    generateKeyPair(rsa),
    makeRequester(clock, 'alice'),
    makeRequester(clock, 'bob'),
  ]);
  const ra = await ca.issue({
    subject: 'CN=mdmca server test RA,O=mdmca',
    publicKey: raKeys.publicKey,
    profile: { keyUsage: ['digitalSignature', 'keyEncipherment'], validityDays: 365 },
  });
  return { clock, root, ca, ra: { certificate: ra.der, privateKey: raKeys.privateKey }, alice, bob };
}

export function csrFor(
  requester: Requester,
  options: { cn?: string; challenge?: string; subjectAltNames?: GeneralNameEntry[] } = {},
): Promise<Uint8Array> {
  return buildCsr({
    subject: `CN=${options.cn ?? 'device'},O=mdmca`,
    privateKey: requester.privateKey,
    publicKey: requester.publicKey,
    ...(options.challenge !== undefined ? { challengePassword: options.challenge } : {}),
    ...(options.subjectAltNames ? { subjectAltNames: options.subjectAltNames } : {}),
  });
}

export interface ExchangeInput {
  request: RequestPayload;
  signer: Identity;
  recipients: readonly Uint8Array[];
  transactionId: string;
  cipher?: ContentCipherName;
  digest?: HashName;
  keyTransport?: KeyTransport;
  allowLegacyCiphers?: boolean;
  /** 'get' sends the message base64 in the query; 'get-macos' leaves + and / unescaped as macOS does. */
  via?: 'post' | 'get' | 'get-macos';
  path?: string;
}

export interface ExchangeOutput {
  response: Response;
  body: Uint8Array;
  senderNonce: Uint8Array;
  der: Uint8Array;
}

export const BASE = 'http://127.0.0.1/scep';

export async function send(handler: Handler, input: ExchangeInput): Promise<ExchangeOutput> {
  const built = await buildRequest({
    request: input.request,
    transactionId: input.transactionId,
    signer: input.signer,
    recipients: input.recipients,
    ...(input.cipher ? { cipher: input.cipher } : {}),
    ...(input.digest ? { digest: input.digest } : {}),
    ...(input.keyTransport ? { keyTransport: input.keyTransport } : {}),
    allowLegacyCiphers: input.allowLegacyCiphers ?? true,
  });
  const response = await sendDer(handler, built.der, input.via ?? 'post', input.path);
  return { response, body: new Uint8Array(await response.arrayBuffer()), senderNonce: built.senderNonce, der: built.der };
}

export function sendDer(handler: Handler, der: Uint8Array, via: 'post' | 'get' | 'get-macos' = 'post', path = BASE): Promise<Response> {
  if (via === 'post') {
    return handler(
      new Request(`${path}?operation=PKIOperation`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-pki-message' },
        body: der as Uint8Array<ArrayBuffer>,
      }),
      loopbackPeer,
    );
  }
  const b64 = Buffer.from(der).toString('base64');
  const message = via === 'get' ? encodeURIComponent(b64) : b64.replace(/=/g, '%3D');
  return handler(new Request(`${path}?operation=PKIOperation&message=${message}`), loopbackPeer);
}

export function readReply(output: ExchangeOutput, decryptWith: Identity): ParsedCertRep {
  return parseCertRep(output.body, { expectedRecipientNonce: output.senderNonce, decryptWith, allowLegacyCiphers: true });
}

export const pkcsReq = (csr: Uint8Array): RequestPayload => ({ messageType: MessageType.PKCSReq, csr });
export const renewalReq = (csr: Uint8Array): RequestPayload => ({ messageType: MessageType.RenewalReq, csr });

export function get(handler: Handler, query: string): Promise<Response> {
  return handler(new Request(`${BASE}?${query}`), loopbackPeer);
}
