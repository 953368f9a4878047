/**
 * The issuing path under concurrency and its certificate shape: licences are never over-consumed (concurrent
 * orders in one process, and two simulators sharing one SQLite file as cluster workers do), answered orders are on
 * record, and the cached certificate profile gives the same certificates as a profile built per order did.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AdjustableClock, FixedClock } from '../../core/clock.js';
import { loopbackPeer } from '../../core/http.js';
import { CertificateAuthority } from '../../core/pki/ca.js';
import { parseCertificate, type ParsedCertificate } from '../../core/pki/certificate.js';
import { buildCsr, parseCsr } from '../../core/pki/csr.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import type { CertificateProfile } from '../../core/pki/profile.js';
import { parseCertsOnly } from '../../core/scep/certs-only.js';
import { at, childText, parseSoapEnvelope, type XmlElement } from '../../core/soap/index.js';
import { createMemoryStore } from '../store/memory.js';
import { openStore, type SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/index.js';
import { createGlobalSignEpki, EPKI_DEFAULTS as D, EPKI_ERRORS, type GlobalSignEpki } from './index.js';

const URL_ = 'http://127.0.0.1/cr/ws/GasOrderService';
let keys: KeyPair;
let csr: string;
let clock: AdjustableClock;
let ca: CertificateAuthority;
const dirs: string[] = [];
const stores: SqliteStore[] = [];

beforeAll(async () => {
  const [caKeys, requester] = await Promise.all([generateKeyPair({ type: 'rsa', bits: 2048 }), generateKeyPair({ type: 'rsa', bits: 2048 })]);
  keys = requester;
  csr = Buffer.from(await buildCsr({ subject: 'CN=Jane Doe', privateKey: keys.privateKey })).toString('base64');
  clock = new AdjustableClock(new FixedClock(new Date('2026-06-01T12:00:00Z')));
  ca = await CertificateAuthority.createRoot({ subject: 'CN=Test GlobalSign CA', keys: caKeys, clock });
});
afterAll(() => {
  for (const store of stores) store.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function sqliteFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mdmca-epki-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}
function sqlite(path: string): SqliteStore {
  const store = openStore({ path });
  stores.push(store);
  return store;
}
const simulator = (store: Store) => createGlobalSignEpki({ store, clock, ca });

async function order(sim: GlobalSignEpki, email?: string): Promise<XmlElement> {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cr="https://system.globalsign.com/cr/ws/"><soapenv:Body><cr:OrderAndIssueCertificate><Request>` +
    `<OrderRequestHeader><AuthToken><UserName>${D.username}</UserName><Password>${D.password}</Password></AuthToken></OrderRequestHeader>` +
    `<ProfileID>${D.profileId}</ProfileID><ProductCode>${D.productCode}</ProductCode><Year>1</Year><CSR>${csr}</CSR>` +
    `<DnAttributes><CommonName>Jane Doe</CommonName><OrganizationUnit>${D.organizationUnit}</OrganizationUnit>${email ? `<Email>${email}</Email>` : ''}</DnAttributes>` +
    `</Request></cr:OrderAndIssueCertificate></soapenv:Body></soapenv:Envelope>`;
  const res = await sim.handler(new Request(URL_, { method: 'POST', headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '""' }, body }), loopbackPeer);
  expect(res.status).toBe(200);
  return parseSoapEnvelope(await res.text()).operation.children[0]!;
}
const outcome = (response: XmlElement) => {
  const header = at(response, 'OrderResponseHeader');
  return childText(header, 'SuccessCode') === '0' ? { ok: true as const, orderId: childText(response, 'OrderID')! } : { ok: false as const, code: childText(at(header, 'Errors/Error'), 'ErrorCode'), message: childText(at(header, 'Errors/Error'), 'ErrorMessage') };
};
const exhausted = { ok: false, code: EPKI_ERRORS.licenceExhausted.code, message: EPKI_ERRORS.licenceExhausted.message };
const leaveLicences = (sim: GlobalSignEpki, left: number) => sim.state.licences.update(D.licenseNo, (p) => ({ ...p, count: p.used + left }));
const certificateOf = (response: XmlElement) => parseCertificate(parseCsrCerts(childText(response, 'CERT')!)[0]!);
const parseCsrCerts = (base64: string) => parseCertsOnly(new Uint8Array(Buffer.from(base64, 'base64'))).certificates;

/** Everything but the serial number and the signature. */
const shapeOf = (c: ParsedCertificate) => ({
  subject: Buffer.from(c.subjectDer).toString('hex'),
  issuer: Buffer.from(c.issuerDer).toString('hex'),
  validity: [c.notBefore.toISOString(), c.notAfter.toISOString()],
  spki: Buffer.from(c.spkiDer).toString('hex'),
  algorithm: c.signatureAlgorithmOid,
  extensions: c.extensions.all.map((e) => ({ oid: e.oid, critical: e.critical, value: Buffer.from(e.value).toString('hex') })),
});

describe('licences under concurrent orders', () => {
  for (const kind of ['memory', 'sqlite'] as const) {
    it(`${kind} store: of 8 concurrent orders for the last 3 licences, exactly 3 are issued and recorded, 5 refused as exhausted`, async () => {
      const sim = simulator(kind === 'memory' ? createMemoryStore() : sqlite(sqliteFile()));
      leaveLicences(sim, 3);
      const results = (await Promise.all(Array.from({ length: 8 }, () => order(sim)))).map(outcome);
      const issued = results.filter((r) => r.ok);
      expect(issued).toHaveLength(3);
      expect(results.filter((r) => !r.ok)).toEqual(Array(5).fill(exhausted));
      expect(sim.state.licences.get(D.licenseNo)).toMatchObject({ used: 3, count: 3 });
      expect(new Set(issued.map((r) => r.orderId)).size).toBe(3);
      for (const r of issued) expect(sim.state.orders.get(r.orderId)).toMatchObject({ status: 4, licenseNo: D.licenseNo });
      expect(sim.state.orders.count()).toBe(3);
      expect(sim.repository.list({ issuer: 'globalsign-epki' }).map((c) => c.transactionId).sort()).toEqual(issued.map((r) => r.orderId).sort());
      expect(sim.service.licences.heldOf(D.licenseNo)).toBe(0);
    });
  }

  it('two simulators sharing one SQLite file (cluster workers) never use more licences than the pack has', async () => {
    const path = sqliteFile();
    const a = simulator(sqlite(path));
    const b = simulator(sqlite(path));
    leaveLicences(a, 2);
    const results = (await Promise.all([...Array.from({ length: 3 }, () => order(a)), ...Array.from({ length: 3 }, () => order(b))])).map(outcome);
    const issued = results.filter((r) => r.ok);
    expect(issued).toHaveLength(2);
    expect(results.filter((r) => !r.ok)).toEqual(Array(4).fill(exhausted));
    expect(a.state.licences.get(D.licenseNo)).toMatchObject({ used: 2, count: 2 });
    expect(new Set(issued.map((r) => r.orderId)).size).toBe(2);
    expect(b.state.orders.list().map((o) => o.orderId).sort()).toEqual(issued.map((r) => r.orderId).sort());
    expect(a.repository.count()).toBe(2);
  });

  it('a licence another process used while the order was signed fails it; another live pack is used when there is one', async () => {
    const path = sqliteFile();
    const a = simulator(sqlite(path));
    const b = simulator(sqlite(path));
    leaveLicences(a, 1);
    const request = { corporateId: D.corporateId, profileId: D.profileId, productCode: D.productCode, years: 1 };
    const reservation = a.service.licences.reserve(a.service.licences.choose(request));
    b.state.licences.update(D.licenseNo, (p) => ({ ...p, used: p.count })); // the other worker's order
    expect(() => a.state.store.transaction(() => a.service.licences.consume(reservation, request))).toThrow(EPKI_ERRORS.licenceExhausted.message);
    expect(a.service.licences.heldOf(D.licenseNo)).toBe(0);

    const expiresAt = new Date(clock.now().getTime() + 86_400_000).toISOString();
    b.state.licences.put('MPL-SECOND', { ...a.state.licences.get(D.licenseNo)!, licenseNo: 'MPL-SECOND', count: 1, used: 0, expiresAt });
    const again = a.service.licences.reserve({ ...a.state.licences.get(D.licenseNo)!, used: 0 });
    expect(a.state.store.transaction(() => a.service.licences.consume(again, request))).toMatchObject({ licenseNo: 'MPL-SECOND', used: 1 });
    expect(a.state.licences.get(D.licenseNo)).toMatchObject({ used: a.state.licences.get(D.licenseNo)!.count });
  });

  it('two concurrent pick-ups of one order: one issues, the other is refused as changed, one certificate on record', async () => {
    const sim = simulator(sqlite(sqliteFile()));
    const caller = sim.service.authenticate(D.username, D.password, '127.0.0.1');
    const pending = sim.service.orderForPickup(caller, { operation: 'OrderCertificate', profileId: D.profileId, productCode: D.productCode, years: 1, commonName: 'Jane Doe', organizationUnits: [] });
    const results = await Promise.allSettled([sim.service.pickup(pending.orderId, undefined, csr), sim.service.pickup(pending.orderId, undefined, csr)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { key: 'statusChanged' } });
    expect(sim.state.orders.get(pending.orderId)).toMatchObject({ status: 4 });
    expect(sim.repository.count()).toBe(1);
    expect(sim.state.licences.get(D.licenseNo)).toMatchObject({ used: 1 });
  });
});

describe('certificate profile', () => {
  /** The profile every order used to build for itself. */
  const perOrderProfile = (email?: string): CertificateProfile => ({
    validityDays: 365,
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: ['clientAuth', 'emailProtection'],
    hash: 'sha256',
    subjectAltNames: email ? { names: [{ type: 'email', value: email }] } : 'none',
  });

  it('one compiled profile serves orders with and without an e-mail; the SAN is the order e-mail, or absent', async () => {
    const sim = simulator(createMemoryStore());
    const prepare = vi.spyOn(ca, 'prepare');
    try {
      const withEmail = certificateOf(await order(sim, 'jane@example.com'));
      const other = certificateOf(await order(sim, 'j.doe@example.org'));
      const without = certificateOf(await order(sim));
      expect(new Set(prepare.mock.calls.map(([profile]) => profile)).size).toBe(1);
      expect(withEmail.extensions.subjectAltNames).toEqual([{ type: 'email', value: 'jane@example.com' }]);
      expect(other.extensions.subjectAltNames).toEqual([{ type: 'email', value: 'j.doe@example.org' }]);
      expect(without.extensions.subjectAltNames).toBeUndefined();
      expect(without.extensions.all.map((e) => e.oid)).not.toContain('2.5.29.17');
    } finally {
      prepare.mockRestore();
    }
  });

  it('certificates are the shape a per-order profile gave: same extensions, same order, same bytes (CSR and server-made key)', async () => {
    const sim = simulator(createMemoryStore());
    const parsedCsr = parseCsr(new Uint8Array(Buffer.from(csr, 'base64')));
    for (const email of ['jane@example.com', undefined]) {
      const ours = certificateOf(await order(sim, email));
      const before = parseCertificate((await ca.issueFromCsr(parsedCsr, perOrderProfile(email), { subject: ours.subject })).der);
      expect(shapeOf(ours)).toEqual(shapeOf(before));
      expect(shapeOf(ours).extensions.map((e) => e.oid)).toEqual(['2.5.29.19', '2.5.29.15', '2.5.29.37', '2.5.29.35', ...(email ? ['2.5.29.17'] : []), '2.5.29.14']);

      const caller = sim.service.authenticate(D.username, D.password, '127.0.0.1');
      const input = { operation: 'OrderPkcs12', profileId: D.profileId, productCode: D.productCode, years: 1, commonName: 'Jane Doe', organizationUnits: [], ...(email ? { email } : {}) };
      const made = parseCertificate((await sim.service.orderWithKey(caller, input, keys.publicKey)).certificate);
      const madeBefore = parseCertificate((await ca.issue({ subject: made.subject, publicKey: keys.publicKey, profile: perOrderProfile(email) })).der);
      expect(shapeOf(made)).toEqual(shapeOf(madeBefore));
    }
  });
});
