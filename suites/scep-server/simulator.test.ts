/**
 * The scep-server suite against mdmca's own SCEP CA simulator (simulators/scep-ca) on a loopback socket, steered
 * through its HTTP admin surface (admin-http.ts): as a conformant server it must pass every check, with a CA
 * alone and with an NDES-style RA.
 *
 * TODO(lead): `mdmca run` wiring. For `{kind: 'simulator'}` pass the embedded CA to the suite, e.g.
 *   createScepServerSuite({ startSimulator: async () => ({ url, challenge, admin: httpScepAdmin(adminUrl), close }) })
 * with url/adminUrl from startEmbeddedSimulators() (endpoint kinds 'scep' and 'admin'); or resolve the
 * simulator to a url target with `admin` set, which this suite already understands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { CertificateAuthority } from '../../core/pki/ca.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { listen, type Listening } from '../../simulators/http.js';
import { createScepCa } from '../../simulators/scep-ca/index.js';
import { createMemoryStore } from '../../simulators/store/memory.js';
import { runSuite } from '../runner.js';
import { createScepServerSuite, httpScepAdmin } from './index.js';

const CHALLENGE = 'simulator-challenge';
let keys: KeyPair[];
let root: CertificateAuthority;
let next: CertificateAuthority;
const servers: Listening[] = [];

beforeAll(async () => {
  keys = await Promise.all(Array.from({ length: 10 }, () => generateKeyPair({ type: 'rsa', bits: 2048 })));
  const clock = new AdjustableClock();
  [root, next] = await Promise.all([
    CertificateAuthority.createRoot({ subject: 'CN=mdmca suite test SCEP CA,O=mdmca', keys: keys[0]!, clock }),
    CertificateAuthority.createRoot({ subject: 'CN=mdmca suite test SCEP CA 2,O=mdmca', keys: keys[1]!, clock }),
  ]);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close({ graceMs: 100 })));
});

/** Requester keys from the pool, one per purpose of the suite. */
const purposes: string[] = [];
const keySource = async (purpose: string) => {
  if (!purposes.includes(purpose)) purposes.push(purpose);
  const key = keys[3 + purposes.indexOf(purpose)];
  if (!key) throw new Error(`the test key pool has no key left for "${purpose}"`);
  return key;
};

async function serveSimulator(withRa: boolean): Promise<{ url: string; admin: string }> {
  let ra: { certificate: Uint8Array; privateKey: KeyPair['privateKey'] } | undefined;
  if (withRa) {
    const issued = await root.issue({ subject: 'CN=mdmca suite test RA', publicKey: keys[2]!.publicKey, profile: { keyUsage: ['digitalSignature', 'keyEncipherment'] } });
    ra = { certificate: issued.der, privateKey: keys[2]!.privateKey };
  }
  const simulator = createScepCa({
    store: createMemoryStore(),
    clock: new AdjustableClock(),
    identity: { ca: { certificate: root.certificateDer, privateKey: root.privateKey }, ...(ra ? { ra } : {}) },
    challenge: CHALLENGE,
    nextCa: [next.certificateDer],
  });
  const listening = await listen({ mounts: simulator.mounts, logger: { error: () => undefined } });
  servers.push(listening);
  return { url: `${listening.httpUrl}/scep`, admin: `${listening.httpUrl}/__mdmca/scep-ca` };
}

describe('scep-server suite against the SCEP CA simulator', () => {
  it.each([
    ['a CA alone', false],
    ['a CA with an RA', true],
  ])('passes every check, steering the simulator over its admin surface: %s', async (_name, withRa) => {
    const { url, admin } = await serveSimulator(withRa);
    const suite = createScepServerSuite({ keySource });
    const result = await runSuite(suite, { role: 'scep-ca', kind: 'url', url, admin, credentials: { challenge: CHALLENGE } });
    const problems = result.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status, c.message, c.observed]);
    expect(problems, JSON.stringify(problems, null, 1)).toEqual([]);
    expect(result.passed).toBe(suite.checks.length);
  });

  it('the HTTP admin adapter names a failed call', async () => {
    const { admin } = await serveSimulator(false);
    await expect(httpScepAdmin(admin).approve('no-such-transaction')).rejects.toMatchObject({ name: 'ScepAdminCallError', status: 404 });
  });
});
