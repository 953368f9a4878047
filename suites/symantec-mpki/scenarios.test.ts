/**
 * Catalogue and behaviour cannot drift: every Symantec entry of core/engine/failure-scenarios-symantec.ts is
 * reproduced against the simulator (over mutual TLS, through our connector where it sends the request) and the
 * catalogue's exact text must be what comes back. The one config-visible entry is checked through `mdmca doctor`
 * on its broken example configuration.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as texts from '../../core/connectors/texts.js';
import { diagnose, parseIntegrationConfigText } from '../../core/engine/doctor.js';
import { scenario } from '../../core/engine/failure-scenarios.js';
import { SYMANTEC_SCENARIOS } from '../../core/engine/failure-scenarios-symantec.js';
import { runCheck } from '../runner.js';
import { SymantecMpkiConnector } from '../../core/connectors/symantec-mpki/index.js';
import { SCEP_PASSCODE_ERRORS } from '../../core/connectors/symantec-mpki/wire.js';
import { TEST_PKI_PASSWORD } from '../../fixtures/defaults.js';
import { SymantecSuiteContext } from './context.js';
import { cataloguePattern, scenarioChecks } from './checks-scenarios.js';
import { attempt } from './mtls.js';
import { startSymantec, type RunningSymantec } from './simulator.test-support.js';

let sim: RunningSymantec;
let ctx: SymantecSuiteContext;

beforeAll(async () => {
  sim = await startSymantec();
  ctx = SymantecSuiteContext.fromTarget(sim.target(), { record: () => undefined });
}, 60_000);
afterAll(() => sim?.close());

/** Entries reproduced below rather than by a suite check. */
const OUTSIDE_THE_SUITE = ['symantec-ra-not-sent'];
const checkOf = (id: string) => scenarioChecks.find((c) => c.id === `symantec.scenario.${id.replace(/^symantec-/, '')}`);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * How each scenario's catalogue text shows in what its check observed: the product's text itself (placeholders
 * filled); the test-mode profile's text is an RDN of the issued subject; a SCEP passcode refusal is the HTTP
 * status and the text, as the SCEP server answers (wire.ts SCEP_PASSCODE_ERRORS).
 */
function expectedForm(id: string, text: string): RegExp {
  if (id === 'symantec-test-mode-profile') return new RegExp(`^CN=[^,]+(,[^,]+)*,${escape(text)}(,[^,]+)*$`);
  const passcode = Object.values(SCEP_PASSCODE_ERRORS).find((e) => e.text === text);
  if (id.startsWith('symantec-scep-passcode-')) {
    expect(passcode, id).toBeDefined();
    return new RegExp(`^${passcode!.status} ${escape(text)}$`);
  }
  return cataloguePattern(text);
}

describe('the Symantec failure scenarios reproduce with the catalogue text', () => {
  it('every runtime entry has a scenario check (or a test here), cites guide 000 and has a fix', () => {
    for (const s of SYMANTEC_SCENARIOS) {
      expect(s.guide.file).toBe('000_8ddee95b60c64c39.txt');
      expect(s.fix.length).toBeGreaterThan(20);
      if (!OUTSIDE_THE_SUITE.includes(s.id)) expect(checkOf(s.id), s.id).toBeDefined();
    }
  });

  it.each(SYMANTEC_SCENARIOS.filter((s) => !OUTSIDE_THE_SUITE.includes(s.id)).map((s) => [s.id, s.error.text]))('%s: "%s"', async (id) => {
    const outcome = await runCheck(checkOf(id)!, ctx, 30_000);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'pass' });
    // The check compared the observed text with the catalogue; it is there too, in the form this scenario shows it.
    expect(outcome.observed).toBeDefined();
    expect(outcome.observed).toMatch(expectedForm(id, scenario(id as never).error.text));
  }, 30_000);

  it('symantec-ra-not-sent: no client certificate gets TLS alert 116 (certificate_required) and no HTTP answer; the catalogue has the connector\'s text for it', async () => {
    const result = await attempt({ url: `${sim.url}/pki-ws/healthcheckService`, method: 'POST', body: '<x/>', identity: { kind: 'none' }, ca: [sim.trustedPem] });
    expect(result.answered).toBe(false);
    expect(result.answered ? '' : result.message).toMatch(/certificate required|alert number 116/);
    expect(scenario('symantec-ra-not-sent').error.text).toBe(texts.symantecRaRefused('no RA certificate was sent').text);
  });

  it('symantec-server-not-host-name: the connector refuses https:// or a path before sending, with the catalogue text', async () => {
    for (const server of ['https://pki-ws.symauth.com', 'pki-ws.symauth.com/pki-ws']) {
      const connector = new SymantecMpkiConnector({ name: 'Symantec', type: 'symantec-mpki', server, raCertificate: sim.pki.identities['symantec-ra'].p12Path, raCertificatePassword: TEST_PKI_PASSWORD });
      await expect(connector.testConnection()).resolves.toMatchObject({ ok: false, message: scenario('symantec-server-not-host-name').error.text });
    }
  });

  it('symantec-required-field-empty is also found by mdmca doctor in its broken example configuration, as a warning', () => {
    const dir = fileURLToPath(new URL('../../fixtures/configs/', import.meta.url));
    const load = (name: string) => diagnose(parseIntegrationConfigText(readFileSync(dir + name, 'utf8'), name));
    const report = load('broken-symantec-required-field.yaml');
    expect(report.valid).toBe(true);
    expect(report.findings.map((f) => [f.scenario, f.path, f.severity])).toEqual([['symantec-required-field-empty', 'configurations[0].fields.common_name', 'warning']]);
    expect(report.findings[0]!.error).toBe(scenario('symantec-required-field-empty').error.text);
    expect(load('good-mobileiron-core-symantec.yaml').findings).toEqual([]);
  });
});
