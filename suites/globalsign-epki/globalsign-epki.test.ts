/**
 * The globalsign-epki suite against mdmca's own GasOrderService simulator on a loopback socket, steered through
 * its admin surface: every check must pass. Without the admin URL the account-steering scenarios skip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { CertificateAuthority } from '../../core/pki/ca.js';
import { generateKeyPair } from '../../core/pki/keys.js';
import { createGlobalSignEpki, EPKI_DEFAULTS } from '../../simulators/globalsign-epki/index.js';
import { listen, type Listening } from '../../simulators/http.js';
import { createMemoryStore } from '../../simulators/store/memory.js';
import { runSuite } from '../runner.js';
import { globalSignSuite } from './index.js';

let server: Listening;
let url: string;
let admin: string;
const credentials = { username: EPKI_DEFAULTS.username, password: EPKI_DEFAULTS.password };

beforeAll(async () => {
  const clock = new AdjustableClock();
  const ca = await CertificateAuthority.createRoot({ subject: 'CN=mdmca suite GlobalSign test CA', keys: await generateKeyPair({ type: 'rsa', bits: 2048 }), clock });
  const simulator = createGlobalSignEpki({ store: createMemoryStore(), clock, ca });
  server = await listen({ mounts: simulator.mounts, logger: { error: () => undefined } });
  url = `${server.httpUrl}/cr/ws/GasOrderService`;
  admin = `${server.httpUrl}/__mdmca/globalsign-epki`;
});
afterAll(() => server?.close({ graceMs: 100 }));

describe('globalsign-epki suite against the GasOrderService simulator', () => {
  it('passes every check with the admin surface', async () => {
    const result = await runSuite(globalSignSuite, { role: 'globalsign-epki', kind: 'url', url, admin, credentials });
    const problems = result.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status, c.message, c.observed]);
    expect(problems, JSON.stringify(problems, null, 1)).toEqual([]);
    expect(result.passed).toBe(globalSignSuite.checks.length);
  }, 30_000);

  it('skips only the account-steering scenarios without it, and serves the /services/ path too', async () => {
    const result = await runSuite(globalSignSuite, { role: 'globalsign-epki', kind: 'url', url: url.replace('/cr/', '/services/cr/'), credentials });
    expect(result.failed).toBe(0);
    expect(result.checks.filter((c) => c.status === 'skip').map((c) => c.id).sort()).toEqual(
      ['scenario-ip-not-allowed', 'scenario-licence-exhausted', 'scenario-licence-expired', 'scenario-ou-locked-base-dn', 'scenario-profile-not-vetted', 'scenario-sha1-profile', 'scenario-years-no-pack'].sort(),
    );
  }, 30_000);
});
