/**
 * Outside implementations accept what the server emits, and the server answers a real iOS-style request:
 * - openssl cms -verify checks our CertRep signatures against the CA chain; openssl opens the SUCCESS envelope
 *   with the requester's key and verifies the issued certificate;
 * - micromdm's PKCSReq.der fixture (iOS style: 3DES, SHA-1, 8-byte nonce, encrypted to testca) gets a CertRep
 *   from a server that holds testca, not a 400. testca expires in May 2026, so that server's clock is in 2025.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../clock.js';
import { CertificateAuthority } from '../pki/ca.js';
import { pemToDer, toPem } from '../pki/pem.js';
import { privateKeyToPem } from '../pki/keys.js';
import { FailInfo, PkiStatus } from './constants.js';
import { parsePkiMessage } from './pki-message.js';
import { manualApproval } from './policy.js';
import { staticChallenge } from './policy-challenge.js';
import { createScepServer, type ScepExchange } from './server.js';
import { csrFor, makeServerTestPki, pkcsReq, readReply, send, sendDer, type ServerTestPki } from './server.test-support.js';
import { runOpenssl } from './openssl-pki.test-support.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/micromdm-scep/', import.meta.url));
const fixturesPresent = existsSync(join(FIXTURES, 'PKCSReq.der'));
if (!fixturesPresent) console.warn(`skipping the micromdm fixture test: ${FIXTURES} is absent`);

let pki: ServerTestPki;
let dir: string;
const path = (name: string) => join(dir, name);
const write = (name: string, data: Uint8Array | string) => (writeFileSync(path(name), data), path(name));
const openssl = (args: string[]) => runOpenssl(args, dir);
/** The test PKI lives at its clock's time (2025), not the machine's. */
const at = () => String(Math.floor(pki.clock.now().getTime() / 1000) + 3600);

beforeAll(async () => {
  pki = await makeServerTestPki();
  dir = mkdtempSync(join(tmpdir(), 'mdmca-scep-server-'));
  write('chain.pem', toPem('CERTIFICATE', pki.ca.certificateDer) + toPem('CERTIFICATE', pki.root.certificateDer));
  write('root.pem', toPem('CERTIFICATE', pki.root.certificateDer));
  write('ca.pem', toPem('CERTIFICATE', pki.ca.certificateDer));
  write('alice.key', privateKeyToPem(pki.alice.privateKey));
  write('alice.pem', toPem('CERTIFICATE', pki.alice.certificate));
  write('empty.bin', new Uint8Array(0));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openssl accepts the server output', () => {
  it('cms -verify accepts a SUCCESS CertRep against the CA chain; the envelope opens and the certificate verifies', async () => {
    const handler = createScepServer({ ca: pki.ca, responseCertificates: 'chain' });
    const output = await send(handler, { request: pkcsReq(await csrFor(pki.alice, { cn: 'openssl' })), signer: pki.alice, recipients: [pki.ca.certificateDer], transactionId: 'ossl-1' });
    expect(readReply(output, pki.alice).status).toBe(PkiStatus.SUCCESS);
    const certRep = write('certrep.der', output.body);
    openssl(['cms', '-verify', '-inform', 'DER', '-in', certRep, '-CAfile', path('chain.pem'), '-purpose', 'any', '-attime', at(), '-out', path('envelope.der')]);
    openssl(['cms', '-decrypt', '-inform', 'DER', '-in', path('envelope.der'), '-recip', path('alice.pem'), '-inkey', path('alice.key'), '-out', path('certs.p7')]);
    const printed = openssl(['pkcs7', '-inform', 'DER', '-in', path('certs.p7'), '-print_certs', '-out', path('issued-chain.pem')]);
    expect(printed.stderr).toBe('');
    const first = readFileSync(path('issued-chain.pem'), 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)![0];
    write('issued.pem', `${first}\n`);
    const verified = openssl(['verify', '-attime', at(), '-CAfile', path('root.pem'), '-untrusted', path('ca.pem'), path('issued.pem')]);
    expect(verified.stdout.toString()).toMatch(/issued\.pem: OK/);
  });

  it('cms -verify accepts FAILURE and PENDING CertReps (no content)', async () => {
    for (const [name, policies] of [
      ['failure', [staticChallenge('pw')]],
      ['pending', [manualApproval()]],
    ] as const) {
      const handler = createScepServer({ ca: pki.ca, policies: [...policies] });
      const output = await send(handler, { request: pkcsReq(await csrFor(pki.alice)), signer: pki.alice, recipients: [pki.ca.certificateDer], transactionId: `ossl-${name}` });
      const file = write(`${name}.der`, output.body);
      openssl(['cms', '-verify', '-inform', 'DER', '-in', file, '-CAfile', path('chain.pem'), '-purpose', 'any', '-attime', at(), '-content', path('empty.bin'), '-out', path(`${name}.out`)]);
    }
  });
});

describe.skipIf(!fixturesPresent)('micromdm PKCSReq.der fixture (iOS style)', () => {
  const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
  const testca = () => {
    const clock = new FixedClock(new Date('2025-01-15T00:00:00Z'));
    const certificate = pemToDer(readFileSync(join(FIXTURES, 'testca/ca.pem'), 'utf8'), 'CERTIFICATE');
    const privateKey = createPrivateKey({ key: readFileSync(join(FIXTURES, 'testca/ca.key'), 'utf8'), passphrase: '' });
    return new CertificateAuthority({ certificate, privateKey, clock });
  };

  it('is answered with SUCCESS under allowLegacyCiphers, in 3DES and SHA-1 as it asked', async () => {
    const exchanges: ScepExchange[] = [];
    const handler = createScepServer({ ca: testca(), allowLegacyCiphers: true, onExchange: (e) => exchanges.push(e) });
    const response = await sendDer(handler, fixture('PKCSReq.der'));
    expect(response.status).toBe(200);
    const reply = parsePkiMessage(new Uint8Array(await response.arrayBuffer()));
    expect(reply.pkiStatus).toBe(PkiStatus.SUCCESS);
    expect(reply.transactionId).toBe('A13090761A30F66664F85D37433D2065E1112BA1');
    expect(Buffer.from(reply.recipientNonce!).toString('hex')).toBe('ae7fe8816cc6bedd');
    expect(reply.digest).toBe('sha1');
    expect(exchanges[0]).toMatchObject({ pkiStatus: 'SUCCESS', cipher: 'des-ede3-cbc', legacyCipher: true, digest: 'sha1', messageType: 'PKCSReq' });
  });

  it('without allowLegacyCiphers, and with a challenge it does not carry, gets a meaningful FAILURE', async () => {
    const strict = await sendDer(createScepServer({ ca: testca() }), fixture('PKCSReq.der'));
    expect(strict.status).toBe(200);
    const badAlg = parsePkiMessage(new Uint8Array(await strict.arrayBuffer()));
    expect(badAlg.failInfo).toBe(FailInfo.badAlg);
    const guarded = await sendDer(createScepServer({ ca: testca(), allowLegacyCiphers: true, policies: [staticChallenge('not-the-fixture-challenge')] }), fixture('PKCSReq.der'));
    const refused = parsePkiMessage(new Uint8Array(await guarded.arrayBuffer()));
    expect(refused.pkiStatus).toBe(PkiStatus.FAILURE);
    expect(refused.failInfo).toBe(FailInfo.badRequest);
    expect(refused.failInfoText).toMatch(/challengePassword/);
  });
});
