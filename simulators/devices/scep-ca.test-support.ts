/**
 * The SCEP CA simulator for device tests, called in process (handlerFetch): the test PKI's issuing CA with
 * its RA, a static challenge, and whatever options the test adds (manual approval, caps). Imported by tests only.
 */
import { AdjustableClock } from '../../core/clock.js';
import { loadTestPki, type TestPki } from '../../fixtures/test-pki.js';
import { createScepCa, defaultScepCaIdentity, type ScepCa, type ScepCaOptions } from '../scep-ca/index.js';
import type { ParsedCsr } from '../../core/pki/csr.js';
import { createMemoryStore } from '../store/memory.js';
import { type FetchLike, handlerFetch } from './fetch.js';

export const TEST_CHALLENGE = 'device-test-challenge';
export const TEST_SCEP_URL = 'http://scep-ca.test/scep';

export interface TestScepCa {
  sim: ScepCa;
  pki: TestPki;
  clock: AdjustableClock;
  url: string;
  fetch: FetchLike;
  challenge: string;
  /** Every CSR the CA was asked to sign (after the challenge check), oldest first. */
  csrs: ParsedCsr[];
  /** Calls the simulator's admin surface (/__mdmca/scep-ca/…). */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
}

export async function startTestScepCa(options: Partial<ScepCaOptions> & { withRa?: boolean } = {}): Promise<TestScepCa> {
  const pki = await loadTestPki();
  const clock = options.clock ?? new AdjustableClock();
  const { withRa = true, ...rest } = options;
  const csrs: ParsedCsr[] = [];
  const sim = createScepCa({
    csrPolicy: (csr) => {
      csrs.push(csr);
      return 'allow';
    },
    store: createMemoryStore(),
    clock,
    identity: defaultScepCaIdentity({ root: pki.root, issuing: pki.issuingCa, ...(withRa ? { ra: pki.identities['scep-ra'] } : {}) }),
    challenge: TEST_CHALLENGE,
    ...rest,
  });
  const fetch = handlerFetch(sim.handler);
  return {
    sim,
    pki,
    clock,
    url: TEST_SCEP_URL,
    fetch,
    challenge: TEST_CHALLENGE,
    csrs,
    async admin(method, path, body) {
      const response = await fetch(`http://scep-ca.test/__mdmca/scep-ca${path}`, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    },
  };
}
