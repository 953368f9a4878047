/**
 * micromdm's scepclient (Debian package `scep`, 2.1.0) enrols against the simulator on a real socket, and the
 * certificate it receives verifies with `openssl verify` against our CA. scepclient only speaks single DES, so
 * this also proves the legacy path (and that the exchange record flags it). Skipped, with the reason printed,
 * when scepclient is not on PATH.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock, systemClock } from '../../core/clock.js';
import { CertificateAuthority } from '../../core/pki/ca.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { generateKeyPair } from '../../core/pki/keys.js';
import { toPem } from '../../core/pki/pem.js';
import { listen, type Listening } from '../http.js';
import { createMemoryStore } from '../store/memory.js';
import { createScepCa, defaultScepCaIdentity, type ScepCa } from './index.js';

const run = promisify(execFile);
const hasScepclient = spawnSync('sh', ['-c', 'command -v scepclient'], { encoding: 'utf8' }).status === 0;
if (!hasScepclient) console.warn('skipping the scepclient interop tests: scepclient (Debian package "scep") is not on PATH');

interface Pki {
  root: CertificateAuthority;
  ca: CertificateAuthority;
  ra: { certificate: Uint8Array; privateKey: import('node:crypto').KeyObject };
}

let pki: Pki;
let work: string;
const running: Array<{ server: Listening; sim: ScepCa }> = [];

beforeAll(async () => {
  if (!hasScepclient) return;
  // Real time: scepclient's own certificate and openssl verify use the machine's clock.
  const clock = systemClock;
  const rsa = { type: 'rsa', bits: 2048 } as const;
  const root = await CertificateAuthority.createRoot({ subject: 'CN=mdmca interop root,O=mdmca', keys: rsa, clock });
  const ca = await root.issueIntermediate({
    subject: 'CN=mdmca interop issuing CA,O=mdmca',
    keys: rsa,
    profile: { keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature', 'keyEncipherment'] },
  });
  const raKeys = await generateKeyPair(rsa);
  const ra = await ca.issue({ subject: 'CN=mdmca interop RA', publicKey: raKeys.publicKey, profile: { keyUsage: ['digitalSignature', 'keyEncipherment'] } });
  pki = { root, ca, ra: { certificate: ra.der, privateKey: raKeys.privateKey } };
  work = mkdtempSync(join(tmpdir(), 'mdmca-scepclient-'));
  writeFileSync(join(work, 'root.pem'), toPem('CERTIFICATE', root.certificateDer));
  writeFileSync(join(work, 'ca.pem'), toPem('CERTIFICATE', ca.certificateDer));
});

afterAll(async () => {
  for (const { server } of running) await server.close({ graceMs: 100 });
  if (work) rmSync(work, { recursive: true, force: true });
});

async function start(options: { withRa?: boolean; challenge?: string } = {}): Promise<{ url: string; sim: ScepCa }> {
  const identity = defaultScepCaIdentity({
    root: { certificate: pki.root.certificateDer, privateKey: pki.root.privateKey },
    issuing: { certificate: pki.ca.certificateDer, privateKey: pki.ca.privateKey, chain: [pki.root.certificateDer] },
    ...(options.withRa ? { ra: pki.ra } : {}),
  });
  const sim = createScepCa({
    store: createMemoryStore(),
    clock: new AdjustableClock(),
    identity,
    ...(options.challenge ? { challenge: options.challenge } : {}),
  });
  const server = await listen({ mounts: sim.mounts, host: '127.0.0.1', port: 0, framework: 'node' });
  running.push({ server, sim });
  return { url: server.httpUrl, sim };
}

/** Runs scepclient in a fresh directory (it writes csr.pem and self.pem into its cwd). */
async function scepclient(args: string[]): Promise<{ dir: string; stdout: string; stderr: string; code: number }> {
  const dir = mkdtempSync(join(work, 'run-'));
  try {
    const { stdout, stderr } = await run('scepclient', args, { cwd: dir, timeout: 60_000 });
    return { dir, stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number };
    return { dir, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: failed.code ?? 1 };
  }
}

describe.skipIf(!hasScepclient)('micromdm scepclient against the SCEP CA simulator', () => {
  it.each([
    ['the CA alone, at /scep', { withRa: false }, '/scep'],
    ['an RA, at /cgi-bin/pkiclient.exe', { withRa: true }, '/cgi-bin/pkiclient.exe'],
  ])('enrols (%s) and the certificate verifies with openssl', async (_label, setup, path) => {
    const { url, sim } = await start({ ...setup, challenge: 'interop-secret' });
    const result = await scepclient([
      '-server-url', `${url}${path}`,
      '-challenge', 'interop-secret',
      '-private-key', 'key.pem',
      '-certificate', 'out.pem',
      '-cn', 'scepclient device',
    ]);
    const diagnostics = `scepclient exited ${result.code}\n${result.stdout}\n${result.stderr}\nexchanges: ${JSON.stringify(sim.exchanges(), null, 1)}`;
    expect(existsSync(join(result.dir, 'out.pem')), diagnostics).toBe(true);
    expect(result.code, diagnostics).toBe(0);

    const verified = await run('openssl', ['verify', '-CAfile', join(work, 'root.pem'), '-untrusted', join(work, 'ca.pem'), join(result.dir, 'out.pem')]);
    expect(verified.stdout).toMatch(/out\.pem: OK/);
    const issued = parseCertificate(readFileSync(join(result.dir, 'out.pem'), 'utf8'));
    expect(issued.subject.toString()).toMatch(/CN=scepclient device/);
    expect(sim.repository.get(issued.serialHex)?.status).toBe('valid');

    const operations = sim.exchanges().filter((e) => e.operation === 'PKIOperation');
    expect(operations.at(-1)).toMatchObject({ pkiStatus: 'SUCCESS', legacyCipher: true, cipher: 'des-cbc' });
  });

  it('is refused with a wrong challenge and writes no certificate', async () => {
    const { url, sim } = await start({ challenge: 'right' });
    const result = await scepclient(['-server-url', `${url}/scep`, '-challenge', 'wrong', '-private-key', 'key.pem', '-certificate', 'out.pem']);
    expect(existsSync(join(result.dir, 'out.pem'))).toBe(false);
    expect(result.code).not.toBe(0);
    expect(sim.exchanges().filter((e) => e.operation === 'PKIOperation').at(-1)).toMatchObject({ pkiStatus: 'FAILURE', failInfo: 'badRequest' });
  });
});
