/**
 * The suite's self-test: against a conformant SCEP CA (the codec-built fake of core/scep, served on a real
 * loopback socket by simulators/http.ts) every check passes; each rule broken on purpose fails exactly its
 * check; an unreachable target fails setup, not the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { createFakeCa, type FakeCaOptions } from '../../core/scep/client-fake-ca.test-support.js';
import { listen, type Listening } from '../../simulators/http.js';
import { runSuite, type SuiteResult } from '../runner.js';
import type { TargetSpec } from '../model.js';
import { createScepServerSuite, scepServerSuite, type ScepServerUnderTest } from './index.js';

const CHALLENGE = 'conformant-challenge';
let keys: KeyPair[];
const servers: Listening[] = [];

beforeAll(async () => {
  // The fake CAs' three keys, then one per requester purpose of the suite (post, get, renewal, ...).
  keys = await Promise.all(Array.from({ length: 10 }, () => generateKeyPair({ type: 'rsa', bits: 2048 })));
});

/** The suite's requester keys from the file's pool: a distinct key per purpose, reused across runs. */
const purposes: string[] = [];
const keySource = async (purpose: string) => {
  if (!purposes.includes(purpose)) purposes.push(purpose);
  const key = keys[3 + purposes.indexOf(purpose)];
  if (!key) throw new Error(`the test key pool has no key left for "${purpose}"`);
  return key;
};
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close({ graceMs: 100 })));
});

/** A fake CA on a loopback socket, as a server under test with admin controls. */
async function serve(options: FakeCaOptions = {}): Promise<ScepServerUnderTest> {
  const fake = await createFakeCa({ challenge: CHALLENGE, keys: { ca: keys[0]!, next: keys[1]!, ra: keys[2]! }, ...options });
  const listening = await listen({ mounts: [{ name: 'scep-ca', prefix: '/scep', handler: fake.handler }], logger: silent });
  servers.push(listening);
  return {
    url: `${listening.httpUrl}/scep`,
    challenge: CHALLENGE,
    admin: {
      approvalMode: async (mode) => void (fake.approvalMode = mode),
      approve: async (transactionId) => fake.approve(transactionId),
      revoke: async (serialHex) => fake.revoke(serialHex),
    },
    close: async () => undefined,
  };
}

const silent = { error: () => undefined };
const simulator: TargetSpec = { role: 'scep-ca', kind: 'simulator' };
const byStatus = (result: SuiteResult, status: string) => result.checks.filter((c) => c.status === status).map((c) => c.id);
const explain = (result: SuiteResult) => JSON.stringify(result.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status, c.message, c.observed]), null, 1);

describe('scep-server suite against a conformant CA', () => {
  it.each([
    ['a CA alone', {}],
    ['a CA with an RA', { withRa: true }],
  ])('passes every check with admin control: %s', async (_name, options) => {
    const suite = createScepServerSuite({ startSimulator: () => serve(options), keySource });
    const result = await runSuite(suite, simulator);
    expect(byStatus(result, 'fail'), explain(result)).toEqual([]);
    expect(byStatus(result, 'skip'), explain(result)).toEqual([]);
    expect(result.passed).toBe(suite.checks.length);
    expect(result.checks.find((c) => c.id === 'scep.pending.manual')!.message).toMatch(/PENDING, PENDING, then SUCCESS/);
    expect(result.checks.find((c) => c.id === 'scep.getcrl')!.message).toMatch(/lists [0-9a-f]+/);
  });

  it('passes against its URL alone, skipping only what needs admin control', async () => {
    const server = await serve();
    const result = await runSuite(createScepServerSuite({ keySource }), { role: 'scep-ca', kind: 'url', url: server.url, credentials: { challenge: CHALLENGE } });
    expect(byStatus(result, 'fail'), explain(result)).toEqual([]);
    expect(byStatus(result, 'skip')).toEqual(['scep.pending.manual']);
  });

  it('skips the challenge check when no challenge is given, and names why', async () => {
    const server = await serve({ challenge: undefined });
    const result = await runSuite(createScepServerSuite({ keySource }), { role: 'scep-ca', kind: 'url', url: server.url }, { only: ['scep.enroll.post', 'scep.enroll.wrong-challenge'] });
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['scep.enroll.post', 'pass'],
      ['scep.enroll.wrong-challenge', 'skip'],
    ]);
    expect(result.checks[1]!.message).toMatch(/credentials\.challenge/);
  });
});

describe('each broken rule fails its own check', () => {
  const broken: Array<[string, FakeCaOptions, string[]]> = [
    ['a single-DES CertRep', { replyCipher: 'des-cbc' }, ['scep.certrep.no-des']],
    ['a 3DES CertRep to an AES request', { replyCipher: 'des-ede3-cbc' }, ['scep.certrep.no-des']],
    ['caps without SCEPStandard, AES and SHA-256', { caps: ['POSTPKIOperation', 'DES3', 'SHA-1', 'Renewal', 'GetNextCACert'] }, ['scep.caps.aes', 'scep.caps.scep-standard', 'scep.caps.sha256']],
    ['no GetNextCACert', { caps: ['AES', 'POSTPKIOperation', 'Renewal', 'SHA-256', 'SCEPStandard'] }, ['scep.getnextcacert']],
    ['a CertRep without senderNonce… replaced by 8 bytes', { tamper: (input) => ({ ...input, senderNonce: new Uint8Array(8) }) }, ['scep.certrep.sender-nonce']],
    ['HTTP 500 for every PKIOperation', { override: () => new Response('boom', { status: 500 }) }, [
      'scep.certpoll.supported', 'scep.certrep.no-des', 'scep.certrep.nonces', 'scep.certrep.sender-nonce', 'scep.enroll.get', 'scep.enroll.post',
      'scep.enroll.wrong-challenge', 'scep.getcert', 'scep.getcrl', 'scep.malformed.no-500', 'scep.pending.manual', 'scep.renewal',
    ]],
  ];

  it.each(broken)('%s', async (_name, options, expected) => {
    const result = await runSuite(createScepServerSuite({ startSimulator: () => serve(options), keySource }), simulator);
    expect(byStatus(result, 'fail').sort(), explain(result)).toEqual([...expected].sort());
  });

  it('names a CertRep whose recipientNonce is not ours', async () => {
    const suite = createScepServerSuite({ startSimulator: () => serve({ tamper: (input) => ({ ...input, recipientNonce: new Uint8Array(16) }) }), keySource });
    const result = await runSuite(suite, simulator, { only: ['scep.certrep.nonces'] });
    expect(result.checks[0]).toMatchObject({ status: 'fail', message: expect.stringMatching(/recipientNonce does not match/) });
  });
});

describe('targets that cannot run', () => {
  it('fails setup once for an unreachable URL and skips every check with the reason', async () => {
    const result = await runSuite(scepServerSuite, { role: 'scep-ca', kind: 'url', url: 'http://127.0.0.1:9/scep' });
    expect(result.error).toMatch(/setup failed: cannot reach http:\/\/127\.0\.0\.1:9\/scep/);
    expect(result.skipped).toBe(scepServerSuite.checks.length);
  });

  it('says that no simulator is wired when asked for one without startSimulator', async () => {
    const result = await runSuite(scepServerSuite, simulator);
    expect(result.error).toMatch(/createScepServerSuite\(\{ startSimulator \}\)/);
  });
});
