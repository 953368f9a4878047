/**
 * The issuing path's group commit and cached certificate profiles: seats re-checked in the batched write (requests
 * racing for a pool's last seats, in one simulator and in two sharing one SQLite file as two cluster workers do),
 * answers sent only after their writes are committed, and certificates of the same shape as a fresh profile makes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import type { CertificateAuthority } from '../../core/pki/ca.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { parseCsr } from '../../core/pki/csr.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import type { CertificateProfile } from '../../core/pki/profile.js';
import { ScepClient, ScepClientError } from '../../core/scep/client.js';
import { PkiStatus } from '../../core/scep/constants.js';
import { REQUEST_TYPES, SCEP_PASSCODE_ERRORS, scepPath, VALUE_TYPES } from '../../core/connectors/symantec-mpki/wire.js';
import { at, childText } from '../../core/soap/index.js';
import { symantecRaTrust } from '../../fixtures/symantec-ra.js';
import type { TestPki } from '../../fixtures/test-pki.js';
import { openStore } from '../store/sqlite.js';
import type { Store } from '../store/index.js';
import { canonicalSerial } from '../store/certificates.js';
import { passcodeKey, seatKey } from './state.js';
import { createSymantecMpki, MPKI_ERRORS, SYMANTEC_DEFAULTS as D, type SymantecMpki } from './index.js';
import { admin, type Answer, call, csrBase64, loadTestPki, newSimulator, nvp, peerOf, PUBLIC_BASE, rst } from './symantec.test-support.js';

let pki: TestPki;
let key: KeyPair;
let csr: string;
let dir: string;
const stores: Store[] = [];
const ra = () => peerOf(pki.identities['symantec-ra'].certificate);

beforeAll(async () => {
  pki = await loadTestPki();
  key = await generateKeyPair({ type: 'rsa', bits: 2048 });
  csr = await csrBase64(key);
  dir = mkdtempSync(join(tmpdir(), 'mdmca-mpki-batch-'));
}, 60_000);
afterAll(() => {
  for (const store of stores) store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sqliteSimulator(path: string): Promise<SymantecMpki> {
  const store = openStore({ path });
  stores.push(store);
  const clock = new AdjustableClock();
  const sim = createSymantecMpki({ store, clock, ca: pki.issuingAuthority(clock), raTrust: symantecRaTrust(pki), registeredRaCertificates: [pki.identities['symantec-ra'].certificate] });
  sim.setPublicBaseUrl(PUBLIC_BASE);
  await sim.tlsTrustReady();
  return sim;
}

const issue = (sim: SymantecMpki, fields: Record<string, string>, profile: string = D.profiles.user): Promise<Answer> =>
  call(
    sim,
    'enrollment',
    rst(`<certificateProfileID>${profile}</certificateProfileID><requestType>${REQUEST_TYPES.Issue}</requestType><binarySecurityToken ValueType="${VALUE_TYPES.PKCS10}">${csr}</binarySecurityToken>${nvp(fields)}<version>2.0</version>`),
    ra(),
  );
const user = (n: number | string) => ({ common_name: `User ${n}`, mail_email: `user${n}@example.com` });
const certOf = (a: Answer) => parseCertificate(new Uint8Array(Buffer.from(childText(at(at(a.body, 'RequestVSSecurityTokenResponse')!, 'requestedVSSecurityToken'), 'binarySecurityToken')!, 'base64')));

/**
 * Holds every signing until `n` have started, so all the requests have passed the check before signing and the
 * race is decided by the re-check in the write. Returns how many signings started.
 */
function barrier(cas: CertificateAuthority[], n: number): () => number {
  let started = 0;
  let open!: () => void;
  // Opens anyway after a while, so a path that signs fewer fails an assertion instead of hanging.
  const gate = new Promise<void>((resolve) => {
    open = resolve;
    setTimeout(resolve, 2000).unref();
  });
  for (const ca of cas) {
    const original = ca.issueFromCsr.bind(ca);
    ca.issueFromCsr = async (...args) => {
      if (++started >= n) open();
      await gate;
      return original(...args);
    };
  }
  return () => started;
}

function expectExhausted(a: Answer, purchased: number) {
  expect(a.status).toBe(500);
  expect(a.fault?.errorcode).toBe(MPKI_ERRORS.seatPoolExhausted.code);
  expect(a.fault?.message).toBe(`No seats left in the User seat pool (${purchased} purchased, ${purchased} used)`);
}

describe('seat pools under concurrent enrollment', () => {
  it.each(['memory', 'sqlite'])('gives the last seats to exactly as many requests as there are seats (%s store)', async (kind) => {
    const sim = kind === 'memory' ? await newSimulator(pki) : await sqliteSimulator(join(dir, 'race.db'));
    expect((await admin(sim, 'PATCH', '/seat-pools/User', { purchased: 2, used: 0 })).status).toBe(200);
    const signed = barrier([sim.service.ca], 6);
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => issue(sim, user(n))));
    expect(signed()).toBe(6); // all six passed the check before any took a seat
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(2);
    for (const a of answers.filter((x) => x.status !== 200)) expectExhausted(a, 2);
    expect(sim.state.pools.get('User')).toMatchObject({ purchased: 2, used: 2 });
    expect(sim.state.seats.count()).toBe(2);
    expect(sim.state.certificates.count()).toBe(2);
    expect(sim.repository.list().length).toBe(2);
    // The winners' seats, users and certificates belong together; the audit trail is as before.
    const serials = ok.map((a) => canonicalSerial(certOf(a).serialHex));
    for (const meta of sim.state.certificates.list()) {
      expect(sim.state.seats.get(seatKey('User', meta.seatId))).toBeDefined();
      expect(sim.state.users.list().map((u) => u.seatId)).toContain(meta.seatId);
    }
    const audit = sim.state.audit.list();
    const success = audit.filter((e) => e.outcome === 'success');
    expect(success).toHaveLength(2);
    for (const e of success) {
      expect(e).toMatchObject({ event: 'enroll', profileOid: D.profiles.user });
      expect(e.detail).toBe(`issued X509v3 ${e.serialHex}`);
      expect(serials).toContain(e.serialHex);
    }
    const refused = audit.filter((e) => e.outcome === 'refused');
    expect(refused).toHaveLength(4);
    for (const e of refused) expect(e).toMatchObject({ event: 'RequestSecurityToken', errorCode: MPKI_ERRORS.seatPoolExhausted.code });
  }, 60_000);

  it('charges one seat for concurrent requests of the same new seat ID', async () => {
    const sim = await newSimulator(pki);
    await admin(sim, 'PATCH', '/seat-pools/User', { purchased: 5, used: 4 });
    const signed = barrier([sim.service.ca], 3);
    const answers = await Promise.all([0, 1, 2].map(() => issue(sim, user('same'))));
    expect(signed()).toBe(3);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(sim.state.pools.get('User')).toMatchObject({ purchased: 5, used: 5 });
    expect(sim.state.seats.count()).toBe(1);
    expect(sim.state.users.count()).toBe(1);
    expect(sim.state.certificates.count()).toBe(3);
    // A full pool still refuses a new seat before signing anything.
    const before = signed();
    expectExhausted(await issue(sim, user('other')), 5);
    expect(signed()).toBe(before);
  }, 60_000);

  it('never over-uses a pool shared by two simulators on one SQLite file (two cluster workers)', async () => {
    const path = join(dir, 'workers.db');
    const a = await sqliteSimulator(path);
    const b = await sqliteSimulator(path);
    await admin(a, 'PATCH', '/seat-pools/User', { purchased: 1, used: 0 });
    const signed = barrier([a.service.ca, b.service.ca], 4);
    const answers = await Promise.all([issue(a, user('a1')), issue(b, user('b1')), issue(a, user('a2')), issue(b, user('b2'))]);
    expect(signed()).toBe(4);
    expect(answers.filter((x) => x.status === 200)).toHaveLength(1);
    for (const x of answers.filter((y) => y.status !== 200)) expectExhausted(x, 1);
    for (const sim of [a, b]) {
      expect(sim.state.pools.get('User')).toMatchObject({ purchased: 1, used: 1 });
      expect(sim.state.seats.count()).toBe(1);
      expect(sim.state.certificates.count()).toBe(1);
    }
  }, 60_000);

  it('keeps every audit event when two simulators share one SQLite file (no overwritten sequence numbers)', async () => {
    const path = join(dir, 'audit.db');
    const a = await sqliteSimulator(path);
    const b = await sqliteSimulator(path);
    for (let i = 0; i < 3; i++) {
      a.state.record({ event: 'test', outcome: 'success', detail: `a${i}` });
      b.state.record({ event: 'test', outcome: 'success', detail: `b${i}` });
    }
    const trail = a.state.audit.list().filter((e) => e.event === 'test');
    expect(trail.map((e) => e.detail).sort()).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
    expect(new Set(trail.map((e) => e.seq)).size).toBe(6);
  }, 60_000);

  it('answers only once the certificate and its audit record are committed', async () => {
    const path = join(dir, 'durable.db');
    const sim = await sqliteSimulator(path);
    const answer = await issue(sim, user('durable'));
    expect(answer.status).toBe(200);
    const serial = certOf(answer).serialHex;
    // Another connection (what a second worker or a restart sees) finds all of it.
    const other = openStore({ path });
    try {
      const name = sim.name;
      const meta = other.collection<{ serialHex: string; seatId: string }>(`${name}:certificates`).list();
      expect(meta.map((m) => m.seatId)).toEqual(['userdurable@example.com']);
      expect(other.collection<{ serialHex: string }>('certificates').list().map((c) => c.serialHex)).toContain(meta[0]!.serialHex);
      expect(other.collection<{ event: string; serialHex?: string }>(`${name}:audit`).list().filter((e) => e.event === 'enroll' && e.serialHex === meta[0]!.serialHex)).toHaveLength(1);
      expect(other.collection<{ seatId: string }>(`${name}:seats`).list().map((s) => s.seatId)).toEqual(['userdurable@example.com']);
      expect(meta[0]!.serialHex).toBe(canonicalSerial(serial));
    } finally {
      other.close();
    }
  }, 60_000);
});

describe('cached certificate profiles', () => {
  /** (oid, critical, value) of each extension, in order. */
  const extensionsOf = (der: Uint8Array) => parseCertificate(der).extensions.all.map((e) => [e.oid, e.critical ?? false, Buffer.from(e.value).toString('hex')]);

  it.each([
    ['with a SAN (email and UPN)', D.profiles.user, { common_name: 'Jane Doe', mail_email: 'jane@example.com', upn: 'jane@corp.example.com' }],
    ['without a SAN', D.profiles.device, { common_name: 'Device 1', seat_id: 'device-1' }],
  ])('issues the same shape as a fresh profile object would, %s', async (_label, oid, fields) => {
    const sim = await newSimulator(pki);
    const answer = await issue(sim, fields, oid);
    expect(answer.status).toBe(200);
    const issued = certOf(answer);
    // The same certificate from a profile object never seen before (compiled afresh by the CA).
    const profile = sim.state.profiles.get(oid)!;
    const pairs = Object.entries(fields).map(([name, value]) => ({ name, value }));
    const shape = sim.service.certificateShape(profile, pairs, Object.values(fields)[1]!);
    const fresh: CertificateProfile = { ...shape.profile };
    const reference = await sim.service.ca.issueFromCsr(parseCsr(new Uint8Array(Buffer.from(csr, 'base64'))), fresh, { subject: shape.subject, subjectAltNames: shape.san });
    expect(extensionsOf(issued.der)).toEqual(extensionsOf(reference.der));
    expect(issued.subject.toString()).toBe(reference.subject.toString());
    const oids = extensionsOf(issued.der).map(([o]) => o);
    expect(oids.includes('2.5.29.17')).toBe(shape.san.length > 0);
  }, 60_000);

  it('keeps one profile object per configuration, and a new one when the administrator changes it', async () => {
    const sim = await newSimulator(pki);
    const shapeOf = () => sim.service.certificateShape(sim.state.profiles.get(D.profiles.user)!, [{ name: 'mail_email', value: `u${Math.random()}@example.com` }], 'seat');
    const first = shapeOf().profile;
    expect(shapeOf().profile).toBe(first);
    await admin(sim, 'PATCH', `/profiles/${D.profiles.user}`, { validityDays: 30 });
    const changed = shapeOf().profile;
    expect(changed).not.toBe(first);
    expect(changed.validityDays).toBe(30);
    const answer = await issue(sim, user('short'));
    const cert = certOf(answer);
    expect((cert.notAfter.getTime() - cert.notBefore.getTime()) / 86_400_000).toBeCloseTo(30, 0);
  }, 60_000);
});

describe('SCEP passcodes', () => {
  it('refuses a passcode another worker redeemed between the check and the write (412), taking no seat', async () => {
    const sim = await newSimulator(pki);
    const seat = 'jane@example.com';
    expect((await admin(sim, 'POST', '/passcodes', { seatId: seat, profileOid: D.profiles.user, passcode: 'pc-1' })).status).toBe(201);
    const client = new ScepClient({ url: `${PUBLIC_BASE}${scepPath(D.profiles.user)}`, fetch: (input, init) => sim.handler(new Request(input, init), { address: '127.0.0.1', tls: false }) });
    const enroll = () => client.enroll({ privateKey: key.privateKey, subject: 'CN=Jane Doe', challenge: 'pc-1', subjectAltNames: [{ type: 'email', value: seat }] });
    // The first read sees ACTIVE; right after it, "another process" redeems the passcode in the shared store.
    const passcodes = sim.state.passcodes;
    const get = passcodes.get.bind(passcodes);
    let raced = false;
    passcodes.get = (id) => {
      const value = get(id);
      if (!raced && id === passcodeKey(seat, D.profiles.user)) {
        raced = true;
        passcodes.update(id, (p) => ({ ...p, status: 'REDEEMED' }));
      }
      return value;
    };
    const used = sim.state.pools.get('User')!.used;
    const error = await enroll().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(raced).toBe(true);
    expect(error).toBeInstanceOf(ScepClientError);
    const { status, text } = SCEP_PASSCODE_ERRORS.redeemedOrLocked;
    expect({ status: (error as ScepClientError).status, body: (error as ScepClientError).body }).toEqual({ status, body: text });
    expect(sim.state.pools.get('User')!.used).toBe(used);
    expect(sim.state.seats.count()).toBe(0);
    expect(sim.state.certificates.count()).toBe(0);
    // Without the race the same passcode flow issues, recording certificate and audit in one write.
    passcodes.get = get;
    passcodes.update(passcodeKey(seat, D.profiles.user), (p) => ({ ...p, status: 'ACTIVE' }));
    const result = await enroll();
    expect(result.status).toBe(PkiStatus.SUCCESS);
    expect(sim.state.certificates.list()).toEqual([expect.objectContaining({ channel: 'scep', seatId: seat })]);
    expect(sim.state.audit.list().filter((e) => e.event === 'scep' && e.outcome === 'success')).toHaveLength(1);
  }, 60_000);
});
