/**
 * `mdmca doctor` over fixtures/configs: every good configuration is clean, every broken one produces its
 * catalogue entries (with the guide's error text and fix), schema errors come with every path, exit codes 0/1/2.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDoctor, formatReport } from '../../cli/doctor.js';
import { UsageError } from '../../cli/common.js';
import { detectorIds, diagnose, parseIntegrationConfigText, probe } from '../../core/engine/doctor.js';
import { FAILURE_SCENARIOS, scenario } from '../../core/engine/failure-scenarios.js';

const dir = fileURLToPath(new URL('../../fixtures/configs/', import.meta.url));
const load = (name: string) => diagnose(parseIntegrationConfigText(readFileSync(dir + name, 'utf8'), name));

const EXPECTED: Record<string, string[]> = {
  'broken-usercn-without-ldap.yaml': ['mobileiron-usercn-without-ldap'],
  'broken-symantec-server-https.yaml': ['symantec-server-not-host-name'],
  'broken-symantec-required-field.yaml': ['symantec-required-field-empty'],
  'broken-test-certificate-on.yaml': ['issue-test-certificate-left-on'],
  'broken-distribution-none.yaml': ['distribution-none'],
  'broken-opentrust-url.yaml': ['opentrust-server-url'],
  'broken-globalsign-account.yaml': ['globalsign-service-url', 'globalsign-user-id', 'globalsign-licence-mismatch', 'globalsign-licence-mismatch', 'globalsign-profile-id'],
  'broken-templates-and-references.yaml': ['template-invalid', 'distribution-custom-empty', 'direct-scep-needs-scep-ca', 'unknown-ca', 'auto-renewal-period'],
  'broken-scep-unreachable.yaml': [],
};

describe('mdmca doctor over fixtures/configs', () => {
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));

  it.each(files.filter((f) => f.startsWith('good-')))('%s is clean', (file) => {
    const report = load(file);
    expect(report.findings).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it.each(Object.entries(EXPECTED))('%s produces its catalogue entries', (file, ids) => {
    const report = load(file);
    expect(report.valid).toBe(true);
    expect(report.findings.map((f) => f.scenario).sort()).toEqual([...ids].sort());
    for (const finding of report.findings) {
      const entry = scenario(finding.scenario as never);
      expect(finding.fix).toBe(entry.fix);
      expect(finding.guide).toContain(entry.guide.file);
      expect(finding.path).not.toBe('');
    }
  });

  it('quotes the guide texts: {UserCN} with its fix, and the OpenTrust URL in the "no endpoint listening" text', () => {
    const usercn = load('broken-usercn-without-ldap.yaml').findings[0]!;
    expect(usercn).toMatchObject({ severity: 'error', path: 'configurations[0].subject', error: 'Installation Error: Variable substitution failed for {UserCN}', assumption: false });
    expect(usercn.fix).toContain('${userDisplayName}');
    const url = load('broken-opentrust-url.yaml').findings[0]!;
    expect(url.error).toBe(
      'Connection Failed: There was no endpoint listening at https://ptr-pki-ws.bbtest.net/policyService that could accept the message. This is often caused by an incorrect address or SOAP action. See InnerException, if present, for more details.',
    );
    expect(load('broken-symantec-server-https.yaml').findings[0]!.fix).toContain('Do not add https://');
    expect(load('broken-test-certificate-on.yaml').findings[0]).toMatchObject({ severity: 'warning', error: 'Some certificate authorities charge for each certificate.' });
  });

  it('reports every schema problem with its path', () => {
    const report = load('broken-schema.json');
    expect(report.valid).toBe(false);
    const paths = report.findings.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['product', 'certificateAuthorities[0].url', 'configurations[0].keySize', 'configurations[0].distribution.mode', 'configurations[0]']));
    expect(report.findings.every((f) => f.scenario === 'schema')).toBe(true);
  });

  it('every config-visible scenario has a detector, and the catalogue is well formed', () => {
    const ids = FAILURE_SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of FAILURE_SCENARIOS.filter((s) => s.detection === 'config')) expect(detectorIds()).toContain(s.id);
    const seeds = fileURLToPath(new URL('../../../shared/seeds/', import.meta.url));
    if (!existsSync(seeds)) return void console.log(`skipping the guide-file check: ${seeds} is absent`);
    for (const s of FAILURE_SCENARIOS) expect(existsSync(seeds + s.guide.file)).toBe(true);
  });

  it('--probe: Test Connection of an unreachable SCEP URL gives the guide 004 text', async () => {
    const findings = await probe(parseIntegrationConfigText(readFileSync(dir + 'broken-scep-unreachable.yaml', 'utf8'), 'x.yaml'));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ scenario: 'scep-url-unreachable', path: 'certificateAuthorities[0]' });
    expect(findings[0]!.error).toBe(
      'Connection Failed: There was no endpoint listening at http://127.0.0.1:9/scep that could accept the message. This is often caused by an incorrect address or SOAP action. See InnerException, if present, for more details.',
    );
  });

  it('exit codes: 0 clean, 1 problems, 2 unreadable (runDoctor and the text report)', async () => {
    expect((await runDoctor(dir + 'good-maas360-scep.yaml', {})).code).toBe(0);
    const broken = await runDoctor(dir + 'broken-distribution-none.yaml', {});
    expect(broken.code).toBe(1);
    expect(formatReport('x', broken.report)).toContain('fix: Choose All Devices');
    await expect(runDoctor(dir + 'broken-syntax.yaml', {})).rejects.toBeInstanceOf(UsageError);
    await expect(runDoctor(dir + 'does-not-exist.yaml', {})).rejects.toBeInstanceOf(UsageError);
  });
});
