/**
 * `mdmca doctor`'s analysis: an integration configuration (YAML or JSON, model.ts integrationConfigSchema) is
 * checked against the schema — every problem with its path — and then against the failure-scenario catalogue
 * (failure-scenarios.ts), one detector per scenario a configuration can reveal. Each finding names the scenario,
 * the path, the error the user would see and the guide's fix. `probe` adds the run-time ones (Test Connection).
 */
import { parse as parseYaml } from 'yaml';
import { defaultConnectors, type ConnectorRegistry } from '../connectors/registry.js';
import type { CaSettings } from '../connectors/settings.js';
import { validateTemplate } from '../templates/substitute.js';
import { formatIssuePath } from './errors.js';
import { FAILURE_SCENARIOS, type FailureScenarioId, NO_ENDPOINT_EXAMPLE_URL, scenario } from './failure-scenarios.js';
import { type IdentityConfigurationSpec, type IntegrationConfig, integrationConfigSchema } from './model.js';

export interface Finding {
  /** The catalogue entry, or 'schema' for a document that does not match the schema. */
  scenario: FailureScenarioId | 'schema';
  severity: 'error' | 'warning';
  /** Where in the document: 'configurations[0].subject'. */
  path: string;
  message: string;
  /** The error the user would see (from the catalogue). */
  error?: string;
  fix?: string;
  /** "file, section" of the guide. */
  guide?: string;
  /** The error text is not confirmed by the guides. */
  assumption?: boolean;
}

export interface DoctorReport {
  /** The document matched the schema (the scenario checks ran). */
  valid: boolean;
  product?: string;
  findings: Finding[];
  errors: number;
  warnings: number;
}

/** The file cannot be read as YAML or JSON at all (exit 2). */
export class DoctorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DoctorInputError';
  }
}

export function parseIntegrationConfigText(text: string, fileName = 'configuration'): unknown {
  try {
    return fileName.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new DoctorInputError(`${fileName} is not valid ${fileName.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
  }
}

function finding(id: FailureScenarioId, path: string, message: string): Finding {
  const s = scenario(id);
  return { scenario: id, severity: s.severity, path, message, error: s.error.text, fix: s.fix, guide: `${s.guide.file}, ${s.guide.section}`, assumption: s.error.assumption };
}

const GLOBALSIGN_URL = 'https://system.globalsign.com/cr/ws/GasOrderService';
const GLOBALSIGN_VALIDITIES = [365, 730, 1095];

type Detector = (config: IntegrationConfig) => Finding[];

const cas = (config: IntegrationConfig) => config.certificateAuthorities.map((ca, i) => ({ ca, path: `certificateAuthorities[${i}]` }));
const identities = (config: IntegrationConfig) =>
  config.configurations.flatMap((c, i) => (c.kind === 'identity' ? [{ c, path: `configurations[${i}]` }] : []));
const caOf = (config: IntegrationConfig, name: string): CaSettings | undefined => config.certificateAuthorities.find((ca) => ca.name === name);

/** Every template of an identity configuration with its path and target. */
function templates(c: IdentityConfigurationSpec, path: string): Array<[string, string, 'dn' | 'text']> {
  return [
    [`${path}.subject`, c.subject, 'dn'],
    ...c.subjectAltNames.map((san, i): [string, string, 'text'] => [`${path}.subjectAltNames[${i}].value`, san.value, 'text']),
    ...(c.email !== undefined ? [[`${path}.email`, c.email, 'text'] as [string, string, 'text']] : []),
    ...Object.entries(c.fields).map(([name, value]): [string, string, 'text'] => [`${path}.fields.${name}`, value, 'text']),
  ];
}

const DETECTORS: Partial<Record<FailureScenarioId, Detector>> = {
  'mobileiron-usercn-without-ldap': (config) =>
    identities(config).flatMap(({ c, path }) => {
      const product = c.product ?? config.product;
      if (product !== 'mobileiron-cloud' && product !== 'mobileiron-core') return [];
      if (config.directory?.ldap === true) return [];
      return templates(c, path).flatMap(([where, template, target]) =>
        validateTemplate(template, { product, target, ldap: false })
          .filter((p) => p.code === 'needs_ldap')
          .map((p) => {
            const f = finding('mobileiron-usercn-without-ldap', where, `${p.placeholder} exists only for LDAP users; this configuration ${config.directory?.ldap === false ? 'has no LDAP' : 'does not say that users come from LDAP (directory.ldap)'}: "Installation Error: ${p.message}"`);
            return config.directory?.ldap === false ? f : { ...f, severity: 'warning' as const };
          }),
      );
    }),
  'template-invalid': (config) =>
    identities(config).flatMap(({ c, path }) =>
      templates(c, path).flatMap(([where, template, target]) =>
        validateTemplate(template, { product: c.product ?? config.product, target })
          .filter((p) => p.code !== 'needs_ldap')
          .map((p) => finding('template-invalid', where, p.message)),
      ),
    ),
  'symantec-server-not-host-name': (config) =>
    cas(config).flatMap(({ ca, path }) =>
      ca.type === 'symantec-mpki' && (/^[a-z][a-z0-9+.-]*:\/\//i.test(ca.server) || ca.server.includes('/'))
        ? [finding('symantec-server-not-host-name', `${path}.server`, `"${ca.server}" is not a host name: ${/:\/\//.test(ca.server) ? 'it has a scheme' : 'it has a path'}`)]
        : [],
    ),
  'issue-test-certificate-left-on': (config) =>
    identities(config).flatMap(({ c, path }) => (c.issueTestCertificate ? [finding('issue-test-certificate-left-on', `${path}.issueTestCertificate`, `"${c.name}" issues a test certificate every time it is saved`)] : [])),
  'distribution-none': (config) =>
    config.configurations.flatMap((c, i) => (c.distribution.mode === 'none' ? [finding('distribution-none', `configurations[${i}].distribution.mode`, `"${c.name}" is distributed to no device: nothing is deployed`)] : [])),
  'distribution-custom-empty': (config) =>
    config.configurations.flatMap((c, i) =>
      c.distribution.mode === 'custom' && c.distribution.groups.length === 0 && c.distribution.labels.length === 0
        ? [finding('distribution-custom-empty', `configurations[${i}].distribution`, `"${c.name}" has a Custom distribution with no group and no label: nothing is deployed`)]
        : [],
    ),
  'distribution-unknown-group': (config) =>
    config.configurations.flatMap((c, i) => {
      if (c.distribution.mode !== 'custom') return [];
      const out: Finding[] = [];
      const { groups, labels } = config.directory ?? {};
      if (groups) c.distribution.groups.forEach((g, j) => groups.includes(g) || out.push(finding('distribution-unknown-group', `configurations[${i}].distribution.groups[${j}]`, `no group "${g}" in directory.groups`)));
      if (labels) c.distribution.labels.forEach((l, j) => labels.includes(l) || out.push(finding('distribution-unknown-group', `configurations[${i}].distribution.labels[${j}]`, `no label "${l}" in directory.labels`)));
      return out;
    }),
  'opentrust-server-url': (config) =>
    cas(config).flatMap(({ ca, path }) => {
      if (ca.type !== 'opentrust-cms') return [];
      let ok = false;
      try {
        const url = new URL(ca.serverUrl);
        ok = url.protocol === 'https:' && url.pathname === '/connector/mdm.cgi';
      } catch {
        ok = false;
      }
      return ok ? [] : [{ ...finding('opentrust-server-url', `${path}.serverUrl`, `"${ca.serverUrl}" is not of the form https://FQDN/connector/mdm.cgi`), error: scenario('opentrust-server-url').error.text.replace(NO_ENDPOINT_EXAMPLE_URL, ca.serverUrl) }];
    }),
  'globalsign-service-url': (config) =>
    cas(config).flatMap(({ ca, path }) =>
      ca.type === 'globalsign-epki' && ca.url.replace(/\/+$/, '') !== GLOBALSIGN_URL ? [finding('globalsign-service-url', `${path}.url`, `"${ca.url}" is not ${GLOBALSIGN_URL}`)] : [],
    ),
  'globalsign-user-id': (config) =>
    cas(config).flatMap(({ ca, path }) =>
      ca.type === 'globalsign-epki' && !/^[A-Z]{3}\d+_\S+$/.test(ca.username) ? [finding('globalsign-user-id', `${path}.username`, `"${ca.username}" is not CorporateID_username (e.g. PAR12345_UserID)`)] : [],
    ),
  'globalsign-licence-mismatch': (config) =>
    identities(config).flatMap(({ c, path }) => {
      if (caOf(config, c.ca)?.type !== 'globalsign-epki') return [];
      const out: Finding[] = [];
      if (c.caParams.productCode !== 'EPKIPSPersonal') out.push(finding('globalsign-licence-mismatch', `${path}.caParams.productCode`, `Product Code is ${c.caParams.productCode ? `"${c.caParams.productCode}"` : 'missing'}; guide 001 says EPKIPSPersonal`));
      if (c.validityDays !== undefined && !GLOBALSIGN_VALIDITIES.includes(c.validityDays)) {
        out.push(finding('globalsign-licence-mismatch', `${path}.validityDays`, `Certificate Expiration of ${c.validityDays} days is not 1, 2 or 3 years`));
      }
      return out;
    }),
  'globalsign-profile-id': (config) =>
    identities(config).flatMap(({ c, path }) =>
      caOf(config, c.ca)?.type === 'globalsign-epki' && !/^MP\d{6,}$/.test(c.caParams.profileId ?? '')
        ? [finding('globalsign-profile-id', `${path}.caParams.profileId`, `profile ID ${c.caParams.profileId ? `"${c.caParams.profileId}" is not of the form MP201604143456` : 'is missing'}`)]
        : [],
    ),
  'symantec-mobile-profile-oid': (config) =>
    identities(config).flatMap(({ c, path }) =>
      caOf(config, c.ca)?.type === 'symantec-mpki' && !/^\d+(\.\d+)+$/.test(c.caParams.profileOid ?? '')
        ? [finding('symantec-mobile-profile-oid', `${path}.caParams.profileOid`, `Mobile Profiles ${c.caParams.profileOid ? `"${c.caParams.profileOid}" is not an OID` : 'is not selected'}`)]
        : [],
    ),
  'symantec-seat-id': (config) =>
    identities(config).flatMap(({ c, path }) =>
      caOf(config, c.ca)?.type === 'symantec-mpki' && !c.fields.seatId ? [finding('symantec-seat-id', `${path}.fields.seatId`, 'the Required Field seatId is not mapped to a variable')] : [],
    ),
  // Only blank mappings are visible here: whether a field is required is the profile's (getPolicies), so warn.
  'symantec-required-field-empty': (config) =>
    identities(config).flatMap(({ c, path }) =>
      caOf(config, c.ca)?.type === 'symantec-mpki'
        ? Object.entries(c.fields)
            .filter(([, value]) => value.trim() === '')
            .map(([name]) => ({ ...finding('symantec-required-field-empty', `${path}.fields.${name}`, `${name} is mapped to a blank value: if the Mobile Profile requires it, every request stops; if it is optional, it is left out`), severity: 'warning' as const }))
        : [],
    ),
  'opentrust-lookup-value': (config) =>
    identities(config).flatMap(({ c, path }) =>
      caOf(config, c.ca)?.type === 'opentrust-cms' && c.fields.mail !== undefined && c.fields.mail !== '{EmailAddress}'
        ? [finding('opentrust-lookup-value', `${path}.fields.mail`, `mail is looked up as "${c.fields.mail}", not {EmailAddress}`)]
        : [],
    ),
  'direct-scep-needs-scep-ca': (config) =>
    identities(config).flatMap(({ c, path }) => {
      const ca = caOf(config, c.ca);
      return ca && !c.enableProxy && !c.cacheLocallyGeneratedKeys && ca.type !== 'scep'
        ? [finding('direct-scep-needs-scep-ca', `${path}.enableProxy`, `"${c.name}" sends devices to CA "${ca.name}" (${ca.type}), which has no SCEP URL`)]
        : [];
    }),
  'unknown-ca': (config) =>
    config.configurations.flatMap((c, i) => (caOf(config, c.ca) ? [] : [finding('unknown-ca', `configurations[${i}].ca`, `no CA configuration named "${c.ca}" in certificateAuthorities`)])),
  'auto-renewal-period': (config) =>
    identities(config).flatMap(({ c, path }) =>
      c.autoRenewal?.enabled && c.validityDays !== undefined && c.autoRenewal.daysBeforeExpiry >= c.validityDays
        ? [finding('auto-renewal-period', `${path}.autoRenewal.daysBeforeExpiry`, `${c.autoRenewal.daysBeforeExpiry} days is not less than the validity of ${c.validityDays} days`)]
        : [],
    ),
};

function report(findings: Finding[], valid: boolean, product?: string): DoctorReport {
  return {
    valid,
    ...(product ? { product } : {}),
    findings,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
}

/** Schema first (every issue with its path); the scenario checks only run on a document that matches it. */
export function diagnose(input: unknown): DoctorReport {
  const parsed = integrationConfigSchema.safeParse(input);
  if (!parsed.success) {
    return report(
      parsed.error.issues.map((issue) => ({ scenario: 'schema', severity: 'error', path: formatIssuePath(issue.path), message: issue.message })),
      false,
    );
  }
  const config = parsed.data;
  const findings: Finding[] = [];
  for (const s of FAILURE_SCENARIOS) findings.push(...(DETECTORS[s.id]?.(config) ?? []));
  return report(findings, true, config.product);
}

/** Run-time checks: Test Connection of every CA that has a connector (scenario scep-url-unreachable). */
export async function probe(input: unknown, connectors: ConnectorRegistry = defaultConnectors()): Promise<Finding[]> {
  const parsed = integrationConfigSchema.safeParse(input);
  if (!parsed.success) return [];
  const findings: Finding[] = [];
  for (const { ca, path } of cas(parsed.data)) {
    if (!connectors.has(ca.type)) continue;
    const result = await connectors.create(ca, { keyFactory: () => Promise.reject(new Error('doctor --probe makes no keys')) }).testConnection();
    if (!result.ok) {
      findings.push({ ...finding('scep-url-unreachable', path, `Test Connection of "${ca.name}" failed${result.detail ? `: ${result.detail}` : ''}`), error: result.message, assumption: result.assumption });
    }
  }
  return findings;
}

export function detectorIds(): FailureScenarioId[] {
  return Object.keys(DETECTORS) as FailureScenarioId[];
}
