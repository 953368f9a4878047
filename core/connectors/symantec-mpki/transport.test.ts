/**
 * The mutual-TLS transport over real loopback sockets against a plain node:https server that authenticates clients
 * as the Symantec service does (requestCert + rejectUnauthorized, trusting the test root): the RA .p12 from the test
 * PKI works; a wrong password, an expired or unknown RA, an untrusted server, an oversized answer and a silent
 * server each give the ConnectorError the console would show.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock, systemClock } from '../../clock.js';
import { selfSignedCertificate } from '../../pki/ca.js';
import { generateKeyPair, privateKeyToPem } from '../../pki/keys.js';
import { toPem } from '../../pki/pem.js';
import { buildPkcs12 } from '../../pki/pkcs12.js';
import { TEST_PKI_PASSWORD } from '../../../fixtures/defaults.js';
import { loadTestPki, type TestPki } from '../../../fixtures/test-pki.js';
import * as texts from '../texts.js';
import { SymantecMpkiConnector } from './connector.js';
import type { SymantecExchange } from './transport.js';
import { SERVICES, soapAction } from './wire.js';

const POLICIES = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><p:getPoliciesResponse xmlns:p="${SERVICES.policy.namespace}"><p:response><p:policies><p:policy><p:policyOIDReference>0</p:policyOIDReference></p:policy></p:policies></p:response><p:oIDs><p:oID><p:value>1.2.3.4</p:value><p:oIDReferenceID>0</p:oIDReferenceID></p:oID></p:oIDs></p:getPoliciesResponse></s:Body></s:Envelope>`;

describe('Symantec transport: SOAP over mutual TLS', () => {
  let pki: TestPki;
  let server: Server;
  let host: string;
  let mode: 'ok' | 'huge' | 'silent' | 'drop-reused' | 'cut' = 'ok';
  const seenSockets = new WeakSet<object>();
  const peers: string[] = [];
  const actions: string[] = [];
  let rogueP12: string;
  let expiredP12: string;
  let roguePem: string;

  beforeAll(async () => {
    pki = await loadTestPki();
    const tls = pki.identities['tls-server'];
    server = createServer(
      {
        key: privateKeyToPem(tls.privateKey),
        cert: [tls.certificate, ...tls.chain.slice(0, -1)].map((der) => toPem('CERTIFICATE', der)).join(''),
        ca: [toPem('CERTIFICATE', pki.root.certificate)],
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        peers.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ''));
        actions.push(String(req.headers.soapaction ?? ''));
        req.resume();
        req.on('end', () => {
          if (mode === 'silent') return;
          // A keep-alive connection the server has closed: whatever comes on it again is reset, unanswered.
          if (mode === 'drop-reused' && seenSockets.has(req.socket)) return void req.socket.destroy();
          seenSockets.add(req.socket);
          if (mode === 'cut') {
            res.writeHead(200, { 'content-type': 'text/xml', 'content-length': '100000' });
            res.write('<x>');
            setTimeout(() => req.socket.destroy(), 20);
            return;
          }
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end(mode === 'huge' ? `<x>${'a'.repeat(1100 * 1024)}</x>` : POLICIES);
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const rogue = await generateKeyPair({ type: 'rsa', bits: 2048 });
    const rogueCert = await selfSignedCertificate({ subject: 'CN=Registration Authority 9999999999999', privateKey: rogue.privateKey, clock: systemClock });
    roguePem = toPem('CERTIFICATE', rogueCert.der);
    rogueP12 = Buffer.from(buildPkcs12({ privateKey: rogue.privateKey, certificate: rogueCert.der, password: 'p', form: 'modern' })).toString('base64');
    // An RA issued by the right CA that expired yesterday.
    const past = pki.issuingAuthority(new FixedClock(new Date(Date.now() - 3 * 86_400_000)));
    const expired = await past.issue({ subject: 'CN=Registration Authority 1111111111111', publicKey: rogue.publicKey, profile: { validityDays: 1, extendedKeyUsage: ['clientAuth'] } });
    expiredP12 = Buffer.from(buildPkcs12({ privateKey: rogue.privateKey, certificate: expired.der, chain: [...pki.issuingCa.chain, pki.issuingCa.certificate].slice(0, 1), password: 'p', form: 'modern' })).toString('base64');
  });
  afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

  const connector = (raCertificate: string, password: string, extra: { trusted?: string[]; exchanges?: SymantecExchange[]; timeoutMs?: number } = {}) =>
    new SymantecMpkiConnector(
      { name: 'Symantec', type: 'symantec-mpki', server: host, raCertificate, raCertificatePassword: password },
      { trustedCertificates: extra.trusted ?? [toPem('CERTIFICATE', pki.root.certificate)] },
      { ...(extra.exchanges ? { onExchange: (e) => extra.exchanges!.push(e) } : {}), ...(extra.timeoutMs ? { timeoutMs: extra.timeoutMs } : {}) },
    );

  it('presents the RA certificate from the .p12 (file path) and records the exchange', async () => {
    const exchanges: SymantecExchange[] = [];
    const c = connector(pki.identities['symantec-ra'].p12Path, TEST_PKI_PASSWORD, { exchanges });
    expect(await c.profileOids()).toEqual(['1.2.3.4']);
    expect(peers.at(-1)).toBe('Registration Authority 1234567890123');
    expect(exchanges[0]).toMatchObject({ url: `https://${host}/pki-ws/policyService`, status: 200, soapAction: `${SERVICES.policy.namespace}/requestPolicies` });
    // On the wire: exactly soapAction(service, operation), quoted as SOAP 1.1 §6.1.1 writes it.
    expect(actions.at(-1)).toBe(`"${soapAction('policy', 'requestPolicies')}"`);
    c.close();
  });

  it('accepts the .p12 as base64 too, and refuses a wrong password as a configuration error', async () => {
    const base64 = readFileSync(pki.identities['symantec-ra'].p12Path).toString('base64');
    const ok = connector(base64, TEST_PKI_PASSWORD);
    expect(await ok.profileOids()).toEqual(['1.2.3.4']);
    ok.close();
    const test = await connector(base64, 'wrong-password').testConnection();
    expect(test).toMatchObject({ ok: false, code: 'configuration', message: texts.symantecRaWrongPassword().text, assumption: true });
  });

  it('words an RA the server refuses in the handshake (unknown CA, expired) as an authentication error naming the cause', async () => {
    const unknown = await connector(rogueP12, 'p').testConnection();
    expect(unknown).toMatchObject({ ok: false, code: 'authentication' });
    expect(unknown.ok === false && unknown.message).toMatch(/refused the RA certificate/);
    const expired = await connector(expiredP12, 'p').testConnection();
    expect(expired).toMatchObject({ ok: false, code: 'authentication' });
    expect(expired.ok === false && expired.message).toMatch(/expired/);
  });

  it('refuses a server whose certificate is not trusted', async () => {
    // An RA .p12 without a chain (the test RA's .p12 carries the test root, which Node then trusts as well).
    const test = await connector(rogueP12, 'p', { trusted: [roguePem] }).testConnection();
    expect(test).toMatchObject({ ok: false, code: 'authentication', message: texts.symantecServerNotTrusted().text });
  });

  it('retries once on a fresh connection when a pooled keep-alive socket is reset (not an RA refusal)', async () => {
    mode = 'drop-reused';
    const exchanges: SymantecExchange[] = [];
    const c = connector(pki.identities['symantec-ra'].p12Path, TEST_PKI_PASSWORD, { exchanges });
    try {
      expect(await c.profileOids()).toEqual(['1.2.3.4']);
      // The second request goes out on the pooled socket, which the server now resets.
      expect((await c.profiles(true)).map((p) => p.oid)).toEqual(['1.2.3.4']);
      expect(exchanges.map((e) => e.status)).toEqual([200, 200]);
    } finally {
      mode = 'ok';
      c.close();
    }
  });

  it('a reset in the middle of the answer is not blamed on the RA certificate', async () => {
    mode = 'cut';
    const c = connector(pki.identities['symantec-ra'].p12Path, TEST_PKI_PASSWORD);
    try {
      const error = await c.profiles().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'unreachable' });
    } finally {
      mode = 'ok';
      c.close();
    }
  });

  it('stops reading an answer over 1 MiB and gives up on a silent server', async () => {
    mode = 'huge';
    try {
      await expect(connector(pki.identities['symantec-ra'].p12Path, TEST_PKI_PASSWORD).profiles()).rejects.toMatchObject({ code: 'bad-response' });
      mode = 'silent';
      await expect(connector(pki.identities['symantec-ra'].p12Path, TEST_PKI_PASSWORD, { timeoutMs: 300 }).profiles()).rejects.toMatchObject({ code: 'timeout' });
    } finally {
      mode = 'ok';
    }
  });
});
