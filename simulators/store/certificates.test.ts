import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../core/clock.js';
import { SerialGenerator } from '../../core/pki/serial.js';
import { CertificateRepository, CertificateStoreError, canonicalSerial, type NewCertificate } from './certificates.js';
import type { Store } from './index.js';
import { createMemoryStore } from './memory.js';
import { openStore } from './sqlite.js';

const stores: Array<[string, () => Store]> = [
  ['memory', () => createMemoryStore()],
  ['sqlite', () => openStore({ memory: true })],
];

function cert(serialHex: string, overrides: Partial<NewCertificate> = {}): NewCertificate {
  return {
    serialHex,
    issuer: 'scep-ca',
    subject: 'CN=device-1,O=Example',
    notBefore: '2025-01-01T00:00:00Z',
    notAfter: '2026-01-01T00:00:00Z',
    der: Buffer.alloc(32, 1).toString('base64'),
    ...overrides,
  };
}

describe.each(stores)('CertificateRepository on %s', (_name, make) => {
  const setup = () => {
    const clock = new FixedClock(new Date('2025-06-01T12:00:00Z'));
    return { clock, repo: new CertificateRepository(make(), clock) };
  };

  it('records a certificate once, under its canonical serial', () => {
    const { repo } = setup();
    const added = repo.add(cert('0A:BC', { profile: 'wifi', transactionId: 't1' }));
    expect(added).toMatchObject({
      serialHex: '0abc',
      status: 'valid',
      issuedAt: '2025-06-01T12:00:00.000Z',
      notBefore: '2025-01-01T00:00:00.000Z',
      profile: 'wifi',
    });
    expect(repo.get('0abc')).toEqual(added);
    expect(repo.get('ABC')).toEqual(added);
    expect(() => repo.add(cert('abc'))).toThrow(expect.objectContaining({ code: 'duplicate_serial' }));
    expect(canonicalSerial('80')).toBe('0080');
    expect(() => repo.get('xyz')).toThrow(CertificateStoreError);
    expect(() => repo.add(cert('01', { notAfter: 'soon' }))).toThrow(expect.objectContaining({ code: 'invalid_date' }));
  });

  it('revokes, holds and releases, refusing transitions the real CAs refuse', () => {
    const { repo, clock } = setup();
    repo.add(cert('01'));
    repo.add(cert('02'));
    const held = repo.hold('01');
    expect(held).toMatchObject({ status: 'hold', reason: 'certificateHold', revokedAt: '2025-06-01T12:00:00.000Z' });
    const released = repo.release('01');
    expect(released.status).toBe('valid');
    expect(released).not.toHaveProperty('revokedAt');
    expect(released).not.toHaveProperty('reason');
    clock.advance(1000);
    expect(repo.revoke('01', 'keyCompromise')).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(() => repo.revoke('01', 'superseded')).toThrow(expect.objectContaining({ code: 'invalid_state' }));
    expect(() => repo.hold('01')).toThrow(expect.objectContaining({ code: 'invalid_state' }));
    expect(() => repo.release('02')).toThrow(expect.objectContaining({ code: 'invalid_state' }));
    expect(() => repo.revoke('02', 'certificateHold')).toThrow(expect.objectContaining({ code: 'invalid_state' }));
    expect(() => repo.revoke('ff')).toThrow(expect.objectContaining({ code: 'not_found' }));
    // A certificate on hold can be revoked for good.
    repo.hold('02', new Date('2025-05-01T00:00:00Z'));
    expect(repo.revoke('02', 'cessationOfOperation', new Date('2025-07-01T00:00:00Z')).revokedAt).toBe('2025-07-01T00:00:00.000Z');
    expect(repo.get('01')!.status).toBe('revoked'); // failed transitions left it as it was
  });

  it('lists by status, issuer, subject and expiry window; revoked() is what a CRL lists', () => {
    const { repo } = setup();
    repo.add(cert('01', { notAfter: '2025-07-01T00:00:00Z' }));
    repo.add(cert('02', { notAfter: '2025-08-01T00:00:00Z', subject: 'CN=device-2,O=Example' }));
    repo.add(cert('03', { notAfter: '2025-09-01T00:00:00Z', issuer: 'globalsign-epki' }));
    repo.add(cert('04', { notAfter: '2025-10-01T00:00:00Z' }));
    repo.revoke('04', 'superseded', new Date('2025-06-02T00:00:00Z'));
    repo.hold('02', new Date('2025-06-01T00:00:00Z'));
    repo.revoke('03', 'keyCompromise', new Date('2025-05-01T00:00:00Z'));
    const serials = (records: { serialHex: string }[]) => records.map((r) => r.serialHex);

    expect(serials(repo.list())).toEqual(['01', '02', '03', '04']);
    expect(serials(repo.list({ status: 'valid' }))).toEqual(['01']);
    expect(serials(repo.list({ issuer: 'scep-ca', status: ['revoked', 'hold'] }))).toEqual(['02', '04']);
    expect(serials(repo.list({ subject: 'CN=device-2,O=Example' }))).toEqual(['02']);
    expect(serials(repo.list({ expiresFrom: '2025-08-01T00:00:00Z', expiresBefore: new Date('2025-10-01T00:00:00Z') }))).toEqual([
      '02',
      '03',
    ]);
    expect(serials(repo.list({ order: 'desc', limit: 2 }))).toEqual(['04', '03']);
    expect(serials(repo.revoked('scep-ca'))).toEqual(['02', '04']);
    expect(serials(repo.revoked())).toEqual(['03', '02', '04']);
    expect(repo.count()).toBe(4);
  });

  it('claims serials once, and drives a SerialGenerator', async () => {
    const { repo } = setup();
    expect(repo.claimSerial('0abc')).toBe(true);
    expect(repo.claimSerial('0ABC')).toBe(false);
    let next = 0;
    const sequence = ['0abc', '0abc', '0def'];
    const generator = new SerialGenerator(repo.claimSerial, 16, () => {
      const hex = sequence[next++]!;
      return { hex, bytes: Buffer.from(hex, 'hex') };
    });
    expect((await generator.next()).hex).toBe('0def');
  });

  it('claims a block of serials in one batched write, refusing the ones already taken', async () => {
    const { repo } = setup();
    expect(repo.claimSerial('0abc')).toBe(true);
    expect(await repo.claimSerialsBatched(['0a01', '0ABC', '0a02'])).toEqual([true, false, true]);
    expect(repo.claimSerial('0a02')).toBe(false);
    await expect(repo.claimSerialsBatched(['0a03', 'not hex'])).rejects.toThrow(CertificateStoreError);
    expect(repo.claimSerial('0a03')).toBe(true); // nothing of a refused block was written
  });
});
