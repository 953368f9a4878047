/** The SCEP CA simulator in process: its SCEP paths, CRL, admin surface, faults, and state across a restart. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { loopbackPeer } from '../../core/http.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { parseCrl } from '../../core/pki/crl.js';
import { certificateFields } from '../../core/scep/cert-fields.js';
import { FailInfo, MessageType, PkiStatus } from '../../core/scep/constants.js';
import type { ParsedCertRep, RequestPayload } from '../../core/scep/messages.js';
import {
  csrFor,
  makeServerTestPki,
  pkcsReq,
  readReply,
  renewalReq,
  type Requester,
  send,
  type ServerTestPki,
} from '../../core/scep/server.test-support.js';
import { createMemoryStore } from '../store/memory.js';
import { openStore } from '../store/sqlite.js';
import type { Store } from '../store/index.js';
import { createScepCa, defaultScepCaIdentity, type ScepCa, type ScepCaOptions } from './index.js';

let pki: ServerTestPki;
let dir: string;
beforeAll(async () => {
  pki = await makeServerTestPki();
  dir = mkdtempSync(join(tmpdir(), 'mdmca-scep-ca-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ORIGIN = 'http://127.0.0.1:8080';
const identity = () =>
  defaultScepCaIdentity({
    root: { certificate: pki.root.certificateDer, privateKey: pki.root.privateKey },
    issuing: { certificate: pki.ca.certificateDer, privateKey: pki.ca.privateKey, chain: [pki.ca.certificateDer, pki.root.certificateDer] },
  });

function simulator(options: Partial<ScepCaOptions> = {}): ScepCa {
  return createScepCa({ store: createMemoryStore(), clock: new AdjustableClock(pki.clock), identity: identity(), ...options });
}

async function call(sim: ScepCa, method: string, path: string, body?: unknown) {
  const response = await sim.handler(
    new Request(`${ORIGIN}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    }),
    loopbackPeer,
  );
  const text = await response.text();
  return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

let n = 0;
async function scep(sim: ScepCa, requester: Requester, request: RequestPayload, options: { path?: string; transactionId?: string } = {}): Promise<ParsedCertRep> {
  const output = await send(sim.handler, {
    request,
    signer: requester,
    recipients: [pki.ca.certificateDer],
    transactionId: options.transactionId ?? `sim-${n++}`,
    path: `${ORIGIN}${options.path ?? '/scep'}`,
  });
  return readReply(output, requester);
}
const enroll = async (sim: ScepCa, requester: Requester, challenge?: string, options: { path?: string; transactionId?: string; cn?: string } = {}) =>
  scep(sim, requester, pkcsReq(await csrFor(requester, { ...(challenge !== undefined ? { challenge } : {}), ...(options.cn ? { cn: options.cn } : {}) })), options);

describe('SCEP paths', () => {
  it.each(['/scep', '/scep/pkiclient.exe', '/cgi-bin/pkiclient.exe', '/scep/any/sub/path'])('enrols at %s with the challenge', async (path) => {
    const sim = simulator({ challenge: 'pw' });
    expect((await enroll(sim, pki.alice, 'pw', { path })).status).toBe(PkiStatus.SUCCESS);
    expect((await enroll(sim, pki.alice, 'wrong', { path })).failInfo).toBe(FailInfo.badRequest);
  });

  it('issues micromdm-like certificates (clientAuth, notBefore 10 minutes back) recorded in the repository', async () => {
    const sim = simulator();
    const reply = await enroll(sim, pki.alice, undefined, { cn: 'looks like micromdm' });
    const issued = parseCertificate(reply.certificates[0]!);
    expect(issued.extensions.extendedKeyUsage).toEqual(['clientAuth']);
    expect(issued.notBefore.getTime()).toBe(Math.floor(pki.clock.now().getTime() / 1000) * 1000 - 600_000);
    const record = sim.repository.get(issued.serialHex)!;
    expect(record).toMatchObject({ issuer: 'scep-ca', subject: 'CN=looks like micromdm,O=mdmca', status: 'valid' });
  });
});

describe('admin: certificates, revocation and the CRL', () => {
  it('lists, filters, shows and revokes; the CRL at /scep/crl and over GetCRL lists the revocation', async () => {
    const sim = simulator({ publicBaseUrl: `${ORIGIN}/` });
    const a = parseCertificate((await enroll(sim, pki.alice, undefined, { cn: 'first' })).certificates[0]!);
    await enroll(sim, pki.bob, undefined, { cn: 'second' });
    expect(a.extensions.crlDistributionPoints).toEqual([`${ORIGIN}/scep/crl`]);

    const list = await call(sim, 'GET', '/__mdmca/scep-ca/certificates');
    expect(list.body.total).toBe(2);
    expect(list.body.certificates[0].der).toBeUndefined();
    expect((await call(sim, 'GET', '/__mdmca/scep-ca/certificates?subject=SECOND')).body.certificates).toHaveLength(1);
    expect((await call(sim, 'GET', '/__mdmca/scep-ca/certificates?status=bogus')).status).toBe(400);
    const one = await call(sim, 'GET', `/__mdmca/scep-ca/certificates/${a.serialHex.toUpperCase()}`);
    expect(one.body.pem).toMatch(/BEGIN CERTIFICATE/);
    expect((await call(sim, 'GET', '/__mdmca/scep-ca/certificates/00ff')).status).toBe(404);

    const revoked = await call(sim, 'POST', `/__mdmca/scep-ca/certificates/${a.serialHex}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.body).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect((await call(sim, 'POST', `/__mdmca/scep-ca/certificates/${a.serialHex}/revoke`, {})).status).toBe(409);
    expect((await call(sim, 'GET', '/__mdmca/scep-ca/certificates?status=revoked')).body.total).toBe(1);

    const response = await sim.handler(new Request(`${ORIGIN}/scep/crl`), loopbackPeer);
    expect(response.headers.get('content-type')).toBe('application/pkix-crl');
    const crl = parseCrl(new Uint8Array(await response.arrayBuffer()));
    expect(crl.entries.map((e) => [e.serialHex, e.reason])).toEqual([[a.serialHex, 'keyCompromise']]);
    expect(crl.verify(pki.ca.certificate)).toBe(true);

    const viaScep = await scep(sim, pki.alice, {
      messageType: MessageType.GetCRL,
      issuer: certificateFields(pki.ca.certificateDer).subject,
      serialNumber: a.serialBytes,
    });
    expect(parseCrl(viaScep.crls[0]!).entries).toHaveLength(1);
  });

  it('refuses a renewal signed by a revoked certificate', async () => {
    const sim = simulator();
    const reply = await enroll(sim, pki.alice);
    const serial = parseCertificate(reply.certificates[0]!).serialHex;
    const device = { ...pki.alice, certificate: reply.certificates[0]! };
    expect((await scep(sim, device, renewalReq(await csrFor(pki.alice)))).status).toBe(PkiStatus.SUCCESS);
    await call(sim, 'POST', `/__mdmca/scep-ca/certificates/${serial}/revoke`, {});
    expect(await scep(sim, device, renewalReq(await csrFor(pki.alice)))).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badCertId });
  });
});

describe('admin: challenges and policy', () => {
  it('sets and clears the static challenge; one-time challenges expire with the clock', async () => {
    const sim = simulator();
    expect((await call(sim, 'GET', '/__mdmca/scep-ca/challenge')).body).toEqual({ challenge: null, required: false });
    expect((await enroll(sim, pki.alice)).status).toBe(PkiStatus.SUCCESS);
    expect((await call(sim, 'PUT', '/__mdmca/scep-ca/challenge', { challenge: 'letmein' })).body).toEqual({ challenge: 'letmein', required: true });
    expect((await enroll(sim, pki.alice)).failInfoText).toMatch(/no challengePassword/);
    expect((await enroll(sim, pki.alice, 'letmein')).status).toBe(PkiStatus.SUCCESS);
    expect((await call(sim, 'PUT', '/__mdmca/scep-ca/challenge', { challenge: 7 })).status).toBe(400);

    const issued = await call(sim, 'POST', '/__mdmca/scep-ca/challenges', { ttlSeconds: 60 });
    expect(issued.status).toBe(201);
    expect(Date.parse(issued.body.expiresAt) - pki.clock.now().getTime()).toBe(60_000);
    expect((await enroll(sim, pki.alice, issued.body.challenge)).status).toBe(PkiStatus.SUCCESS);
    expect((await enroll(sim, pki.alice, issued.body.challenge)).status).toBe(PkiStatus.FAILURE);
    const late = await call(sim, 'POST', '/__mdmca/scep-ca/challenges', {});
    await call(sim, 'POST', '/__mdmca/scep-ca/clock', { advanceMs: 3_601_000 });
    expect((await enroll(sim, pki.alice, late.body.challenge)).failInfoText).toMatch(/expired/);

    await call(sim, 'PUT', '/__mdmca/scep-ca/challenge', { challenge: null });
    expect((await enroll(sim, pki.alice, 'letmein')).failInfoText).toMatch(/unknown or was already used/);
    expect((await call(sim, 'PUT', '/__mdmca/scep-ca/policy', { challenge: 'none' })).body).toEqual({ approval: 'auto', challenge: 'none' });
    expect((await enroll(sim, pki.alice)).status).toBe(PkiStatus.SUCCESS);
  });

  it('manual approval: PENDING, listed, approved (CertPoll SUCCESS) or rejected (CertPoll FAILURE)', async () => {
    const sim = simulator();
    expect((await call(sim, 'PUT', '/__mdmca/scep-ca/policy', { approval: 'manual' })).body.approval).toBe('manual');
    expect((await enroll(sim, pki.alice, undefined, { transactionId: 'wait-1' })).status).toBe(PkiStatus.PENDING);
    expect((await enroll(sim, pki.bob, undefined, { transactionId: 'wait-2' })).status).toBe(PkiStatus.PENDING);
    const pending = await call(sim, 'GET', '/__mdmca/scep-ca/pending');
    expect(pending.body.pending.map((p: { transactionId: string }) => p.transactionId)).toEqual(['wait-1', 'wait-2']);
    expect(pending.body.pending[0].csr).toBeUndefined();

    const poll = (requester: Requester, transactionId: string) =>
      scep(sim, requester, { messageType: MessageType.CertPoll, issuer: certificateFields(pki.ca.certificateDer).subject, subject: certificateFields(requester.certificate).subject }, { transactionId });
    expect((await poll(pki.alice, 'wait-1')).status).toBe(PkiStatus.PENDING);
    const approved = await call(sim, 'POST', '/__mdmca/scep-ca/pending/wait-1/approve');
    expect(approved.body).toMatchObject({ status: 'issued', transactionId: 'wait-1' });
    expect((await poll(pki.alice, 'wait-1')).status).toBe(PkiStatus.SUCCESS);
    expect((await call(sim, 'POST', '/__mdmca/scep-ca/pending/wait-1/approve')).status).toBe(409);
    expect((await call(sim, 'POST', '/__mdmca/scep-ca/pending/nope/approve')).status).toBe(404);

    await call(sim, 'POST', '/__mdmca/scep-ca/pending/wait-2/reject', { reason: 'unknown device' });
    expect(await poll(pki.bob, 'wait-2')).toMatchObject({ status: PkiStatus.FAILURE, failInfoText: 'unknown device' });
    expect((await call(sim, 'GET', '/__mdmca/scep-ca/pending')).body.pending).toEqual([]);
  });
});

describe('admin: exchanges, CA, faults', () => {
  it('records exchanges with legacy cipher use, serves the CA, and injects faults on /scep only', async () => {
    const sim = simulator();
    await send(sim.handler, {
      request: pkcsReq(await csrFor(pki.alice)),
      signer: pki.alice,
      recipients: [pki.ca.certificateDer],
      transactionId: 'legacy',
      cipher: 'des-cbc',
      path: `${ORIGIN}/scep`,
    });
    await sim.handler(new Request(`${ORIGIN}/scep?operation=GetCACaps`), loopbackPeer);
    const exchanges = (await call(sim, 'GET', '/__mdmca/scep-ca/exchanges')).body.exchanges;
    expect(exchanges.map((e: { operation: string }) => e.operation)).toEqual(['PKIOperation', 'GetCACaps']);
    expect(exchanges[0]).toMatchObject({ cipher: 'des-cbc', legacyCipher: true, pkiStatus: 'SUCCESS' });
    expect((await call(sim, 'GET', '/__mdmca/scep-ca/exchanges?limit=1')).body.exchanges).toHaveLength(1);
    await call(sim, 'DELETE', '/__mdmca/scep-ca/exchanges');
    expect(sim.exchanges()).toEqual([]);

    const ca = await call(sim, 'GET', '/__mdmca/scep-ca/ca');
    expect(ca.body.chain).toHaveLength(1);
    expect(ca.body.subject).toBe('CN=mdmca server test issuing CA,O=mdmca');

    await call(sim, 'PUT', '/__mdmca/scep-ca/faults', { rules: [{ match: { pathPrefix: '/scep' }, errorRate: 1, errorStatus: 503 }] });
    expect((await sim.handler(new Request(`${ORIGIN}/scep?operation=GetCACaps`), loopbackPeer)).status).toBe(503);
    expect((await call(sim, 'GET', '/__mdmca/scep-ca/policy')).status).toBe(200);
  });
});

describe('persistence', () => {
  it('on SQLite, groups concurrent issuances into shared commits and answers each only once it is committed', async () => {
    const path = join(dir, 'scep-ca-batched.sqlite');
    const store = openStore({ path });
    const reader = openStore({ path }); // another connection: sees only what is committed
    try {
      const sql = (store as unknown as { sql: { commit: { run: () => unknown } } }).sql;
      let commits = 0;
      const commit = sql.commit.run.bind(sql.commit);
      sql.commit.run = () => (commits++, commit());
      const sim = createScepCa({ store, clock: new AdjustableClock(pki.clock), identity: identity() });
      const visibleAtReply = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const reply = await enroll(sim, pki.alice, undefined, { cn: `batched ${i}`, transactionId: `batched-${i}` });
          const serial = parseCertificate(reply.certificates[0]!).serialHex;
          return reader.collection('certificates').get(serial) !== undefined && reader.collection('serials').get(serial) !== undefined;
        }),
      );
      expect(visibleAtReply).toEqual(Array(8).fill(true));
      expect(commits).toBeLessThan(16); // two writes per issuance, fewer commits
    } finally {
      store.close();
      reader.close();
    }
  });

  it('pending requests, settings and certificates survive a restart on SQLite', async () => {
    const path = join(dir, 'scep-ca.sqlite');
    const open = (store: Store) => createScepCa({ store, clock: new AdjustableClock(pki.clock), identity: identity() });
    const first = openStore({ path });
    const before = open(first);
    await call(before, 'PUT', '/__mdmca/scep-ca/policy', { approval: 'manual' });
    await call(before, 'PUT', '/__mdmca/scep-ca/challenge', { challenge: 'kept' });
    expect((await enroll(before, pki.alice, 'kept', { transactionId: 'survivor' })).status).toBe(PkiStatus.PENDING);
    first.close();

    const second = openStore({ path });
    try {
      const after = open(second);
      expect((await call(after, 'GET', '/__mdmca/scep-ca/policy')).body).toEqual({ approval: 'manual', challenge: 'required' });
      expect((await call(after, 'GET', '/__mdmca/scep-ca/challenge')).body.challenge).toBe('kept');
      expect((await call(after, 'POST', '/__mdmca/scep-ca/pending/survivor/approve')).status).toBe(200);
      const poll = await scep(
        after,
        pki.alice,
        { messageType: MessageType.CertPoll, issuer: certificateFields(pki.ca.certificateDer).subject, subject: certificateFields(pki.alice.certificate).subject },
        { transactionId: 'survivor' },
      );
      expect(poll.status).toBe(PkiStatus.SUCCESS);
      expect((await call(after, 'GET', '/__mdmca/scep-ca/certificates')).body.total).toBe(1);
    } finally {
      second.close();
    }
  });
});
