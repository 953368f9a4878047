/**
 * The Symantec MPKI simulator in-process for the suite's vitest files: the PKI Web Services on a mutual-TLS
 * loopback listener (the test PKI's tls-server identity; RA certificates from its issuing CA) and the public
 * mounts (SCEP, CRL, admin) on a plain one, plus the target the suite takes. The trusted-roots PEM file is
 * written once per process under the OS temp dir.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdjustableClock } from '../../core/clock.js';
import { toPem } from '../../core/pki/pem.js';
import { SerialGenerator } from '../../core/pki/serial.js';
import { TEST_PKI_PASSWORD } from '../../fixtures/defaults.js';
import { loadTestPki, type TestPki } from '../../fixtures/test-pki.js';
import { listen, type Listening } from '../../simulators/http.js';
import { CertificateRepository } from '../../simulators/store/certificates.js';
import { createMemoryStore } from '../../simulators/store/memory.js';
import { createSymantecMpki, listenSymantecMpki, type SymantecMpki } from '../../simulators/symantec-mpki/index.js';
import type { TargetSpec } from '../model.js';
import { symantecRaTrust } from '../../fixtures/symantec-ra.js';

export interface RunningSymantec {
  pki: TestPki;
  clock: AdjustableClock;
  sim: SymantecMpki;
  /** https origin of the PKI Web Services (mutual TLS). */
  url: string;
  /** http origin of the public mounts (SCEP, CRL, admin). */
  publicUrl: string;
  admin: string;
  trustedCertificatesPath: string;
  trustedPem: string;
  target(options?: { admin?: boolean }): Extract<TargetSpec, { kind: 'url' }>;
  close(): Promise<void>;
}

export async function startSymantec(): Promise<RunningSymantec> {
  const pki = await loadTestPki();
  const clock = new AdjustableClock();
  const store = createMemoryStore();
  const repository = new CertificateRepository(store, clock);
  const ca = pki.issuingAuthority(clock, new SerialGenerator(repository.claimSerial));
  const sim = createSymantecMpki({
    store,
    clock,
    ca,
    raTrust: symantecRaTrust(pki),
    registeredRaCertificates: [pki.identities['symantec-ra'].certificate],
  });
  const tls = pki.identities['tls-server'];
  const secure = await listenSymantecMpki(sim, { key: tls.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: [toPem('CERTIFICATE', tls.certificate), ...tls.chain.map((c) => toPem('CERTIFICATE', c))].join('') });
  let plain: Listening | undefined;
  try {
    plain = await listen({ mounts: sim.publicMounts, logger: { error: () => undefined } });
  } catch (error) {
    await secure.close();
    throw error;
  }
  sim.setPublicBaseUrl(plain.httpUrl);
  const dir = mkdtempSync(join(tmpdir(), 'mdmca-symantec-'));
  const trustedPem = toPem('CERTIFICATE', pki.root.certificate);
  const trustedCertificatesPath = join(dir, 'trusted-roots.pem');
  writeFileSync(trustedCertificatesPath, trustedPem);
  const admin = `${plain.httpUrl}/__mdmca/symantec-mpki`;
  const url = secure.url.replace(/\/+$/, '');
  return {
    pki,
    clock,
    sim,
    url,
    publicUrl: plain.httpUrl,
    admin,
    trustedCertificatesPath,
    trustedPem,
    target: (options = {}) => ({
      role: 'symantec-mpki',
      kind: 'url',
      url,
      ...(options.admin === false ? {} : { admin }),
      credentials: { clientP12: pki.identities['symantec-ra'].p12Path, clientP12Password: TEST_PKI_PASSWORD, trustedCertificates: trustedCertificatesPath },
    }),
    async close() {
      await Promise.all([secure.close(), plain?.close({ graceMs: 100 })]);
    },
  };
}
