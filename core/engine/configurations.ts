/**
 * CA configurations and identity-certificate / root configurations: create, read, update, delete, validated as a
 * console validates them (schema, unique names, the CA exists, templates parse in the product's dialect, the
 * groups and labels of a custom distribution exist, the CA can do what the configuration asks of it). Every
 * change raises the configuration's version, which devices see in their configuration list. One connector per
 * CA configuration, made when first needed and again after the CA configuration changes.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Clock } from '../clock.js';
import type { ConnectorContext } from '../connectors/scep.js';
import type { ConnectorRegistry } from '../connectors/registry.js';
import { type CaSettings, caSettingsSchema } from '../connectors/settings.js';
import type { CaConnector } from '../connectors/types.js';
import type { Directory } from '../directory/directory.js';
import type { Product } from '../templates/model.js';
import { validateTemplate } from '../templates/substitute.js';
import { EngineError, type Issue, invalid, issuesOf, notFound } from './errors.js';
import { configurationSchema, type ConfigurationSpec, type Distribution, distributionSchema, type StoredConfiguration } from './model.js';
import { collectionName, type EngineCollection, type EngineStore } from './persistence.js';

export interface StoredCa {
  id: string;
  settings: CaSettings;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ConfigurationsOptions {
  store: EngineStore;
  prefix: string;
  clock: Clock;
  connectors: ConnectorRegistry;
  connectorContext: ConnectorContext;
  directory: Directory;
  product: Product;
}

export class Configurations {
  private readonly cas: EngineCollection<StoredCa>;
  private readonly configs: EngineCollection<StoredConfiguration>;
  private readonly connectorCache = new Map<string, { version: number; connector: CaConnector }>();

  constructor(private readonly options: ConfigurationsOptions) {
    this.cas = options.store.collection<StoredCa>(collectionName(options.prefix, 'cas'));
    this.configs = options.store.collection<StoredConfiguration>(collectionName(options.prefix, 'configurations'));
  }

  get product(): Product {
    return this.options.product;
  }

  // ---- CA configurations ------------------------------------------------------------------------------

  listCas(): StoredCa[] {
    return this.cas.list();
  }

  /** By id or by name. */
  findCa(idOrName: string): StoredCa | undefined {
    return this.cas.get(idOrName) ?? this.cas.list({ where: (ca) => ca.settings.name === idOrName, limit: 1 })[0];
  }

  requireCa(idOrName: string): StoredCa {
    const ca = this.findCa(idOrName);
    if (!ca) throw notFound(`CA configuration "${idOrName}"`);
    return ca;
  }

  createCa(input: unknown, id: string = randomUUID()): StoredCa {
    const settings = parse(caSettingsSchema, input, 'Invalid CA configuration');
    if (this.findCa(settings.name)) throw new EngineError(409, 'conflict', `a CA configuration named "${settings.name}" exists`);
    const now = this.options.clock.now().toISOString();
    const ca: StoredCa = { id, settings, version: 1, createdAt: now, updatedAt: now };
    if (!this.cas.insert(id, ca)) throw new EngineError(409, 'conflict', `a CA configuration with id "${id}" exists`);
    return ca;
  }

  updateCa(id: string, input: unknown): StoredCa {
    const current = this.requireCa(id);
    const settings = parse(caSettingsSchema, input, 'Invalid CA configuration');
    const other = this.findCa(settings.name);
    if (other && other.id !== current.id) throw new EngineError(409, 'conflict', `a CA configuration named "${settings.name}" exists`);
    const updated = this.cas.update(current.id, (old) => ({ ...old, settings, version: old.version + 1, updatedAt: this.options.clock.now().toISOString() }))!;
    // Configurations that use this CA change what they deliver (URL, challenge, CA certificate).
    for (const configuration of this.configs.list({ where: (c) => c.caId === current.id })) this.bump(configuration.id);
    return updated;
  }

  deleteCa(id: string): void {
    const ca = this.requireCa(id);
    const users = this.configs.list({ where: (c) => c.caId === ca.id });
    if (users.length) {
      throw new EngineError(409, 'conflict', `CA configuration "${ca.settings.name}" is used by ${users.map((c) => `"${c.name}"`).join(', ')}`);
    }
    this.cas.delete(ca.id);
    this.connectorCache.delete(ca.id);
  }

  /** The connector of a CA configuration; ConnectorError('unsupported') when none is installed for its type. */
  connector(caId: string): CaConnector {
    const ca = this.requireCa(caId);
    const cached = this.connectorCache.get(ca.id);
    if (cached && cached.version === ca.version) return cached.connector;
    const connector = this.options.connectors.create(ca.settings, { clock: this.options.clock, ...this.options.connectorContext });
    this.connectorCache.set(ca.id, { version: ca.version, connector });
    return connector;
  }

  // ---- configurations ---------------------------------------------------------------------------------

  listConfigurations(): StoredConfiguration[] {
    return this.configs.list();
  }

  findConfiguration(idOrName: string): StoredConfiguration | undefined {
    return this.configs.get(idOrName) ?? this.configs.list({ where: (c) => c.name === idOrName, limit: 1 })[0];
  }

  requireConfiguration(idOrName: string): StoredConfiguration {
    const configuration = this.findConfiguration(idOrName);
    if (!configuration) throw notFound(`configuration "${idOrName}"`);
    return configuration;
  }

  createConfiguration(input: unknown, id: string = randomUUID()): StoredConfiguration {
    const spec = parse(configurationSchema, input, 'Invalid configuration');
    if (this.findConfiguration(spec.name)) throw new EngineError(409, 'conflict', `a configuration named "${spec.name}" exists`);
    const caId = this.check(spec);
    const now = this.options.clock.now().toISOString();
    const stored = { ...spec, id, caId, version: 1, createdAt: now, updatedAt: now } as StoredConfiguration;
    if (!this.configs.insert(id, stored)) throw new EngineError(409, 'conflict', `a configuration with id "${id}" exists`);
    return stored;
  }

  updateConfiguration(id: string, input: unknown): StoredConfiguration {
    const current = this.requireConfiguration(id);
    const spec = parse(configurationSchema, input, 'Invalid configuration');
    const other = this.findConfiguration(spec.name);
    if (other && other.id !== current.id) throw new EngineError(409, 'conflict', `a configuration named "${spec.name}" exists`);
    const caId = this.check(spec);
    const now = this.options.clock.now().toISOString();
    return this.configs.update(current.id, (old) => ({ ...spec, id: old.id, caId, version: old.version + 1, createdAt: old.createdAt, updatedAt: now }) as StoredConfiguration)!;
  }

  setDistribution(id: string, input: unknown): StoredConfiguration {
    const current = this.requireConfiguration(id);
    const distribution = parse(distributionSchema, input, 'Invalid distribution');
    const issues = this.distributionIssues(distribution, ['distribution']);
    if (issues.length) throw invalid('Invalid distribution', issues.map((i) => ({ ...i, path: i.path.replace(/^distribution\.?/, '') })));
    return this.configs.update(current.id, (old) => ({ ...old, distribution, version: old.version + 1, updatedAt: this.options.clock.now().toISOString() }))!;
  }

  deleteConfiguration(id: string): StoredConfiguration {
    const current = this.requireConfiguration(id);
    this.configs.delete(current.id);
    return current;
  }

  /** Raises the version (what the configuration delivers changed without an edit, e.g. its CA). */
  bump(id: string): void {
    this.configs.update(id, (old) => ({ ...old, version: old.version + 1, updatedAt: this.options.clock.now().toISOString() }));
  }

  productOf(configuration: ConfigurationSpec): Product {
    return (configuration.kind === 'identity' ? configuration.product : undefined) ?? this.options.product;
  }

  /** Everything a console refuses beyond the schema; returns the CA's id. */
  private check(spec: ConfigurationSpec): string {
    const issues: Issue[] = [];
    const ca = this.findCa(spec.ca);
    if (!ca) issues.push({ path: 'ca', message: `no CA configuration named "${spec.ca}"` });
    issues.push(...this.distributionIssues(spec.distribution, ['distribution']));
    if (spec.kind === 'identity') {
      const product = this.productOf(spec);
      const customAttributes = this.customAttributeNames();
      const templates: Array<[string, string, 'dn' | 'text']> = [
        ['subject', spec.subject, 'dn'],
        ...spec.subjectAltNames.map((san, i): [string, string, 'text'] => [`subjectAltNames[${i}].value`, san.value, 'text']),
        ...(spec.email !== undefined ? [['email', spec.email, 'text'] as [string, string, 'text']] : []),
        ...Object.entries(spec.fields).map(([name, value]): [string, string, 'text'] => [`fields.${name}`, value, 'text']),
      ];
      for (const [path, template, target] of templates) {
        for (const problem of validateTemplate(template, { product, target, customAttributes })) issues.push({ path, message: problem.message });
      }
      if (ca && this.options.connectors.has(ca.settings.type)) {
        const capabilities = this.connector(ca.id).capabilities;
        if (!spec.cacheLocallyGeneratedKeys && !spec.enableProxy && !capabilities.directScep) {
          issues.push({ path: 'enableProxy', message: `CA "${ca.settings.name}" (${ca.settings.type}) has no SCEP URL devices can enrol at directly; enable the proxy` });
        }
        if (spec.cacheLocallyGeneratedKeys && !capabilities.serverGeneratedKey && !capabilities.csr) {
          issues.push({ path: 'cacheLocallyGeneratedKeys', message: `CA "${ca.settings.name}" can enrol neither a CSR nor a server-generated key` });
        }
        if (!spec.cacheLocallyGeneratedKeys && spec.enableProxy && !capabilities.csr) {
          issues.push({ path: 'enableProxy', message: `CA "${ca.settings.name}" cannot enrol a device's CSR; cache locally generated keys instead` });
        }
      }
      if (spec.autoRenewal?.enabled && spec.validityDays !== undefined && spec.autoRenewal.daysBeforeExpiry >= spec.validityDays) {
        issues.push({ path: 'autoRenewal.daysBeforeExpiry', message: `must be less than validityDays (${spec.validityDays})` });
      }
    }
    if (issues.length) throw invalid('Invalid configuration', issues);
    return ca!.id;
  }

  private distributionIssues(distribution: Distribution, path: string[]): Issue[] {
    if (distribution.mode !== 'custom') return [];
    const { directory } = this.options;
    const issues: Issue[] = [];
    distribution.groups.forEach((group, i) => {
      if (!directory.getGroup(group)) issues.push({ path: `${path.join('.')}.groups[${i}]`, message: `no group "${group}"` });
    });
    distribution.labels.forEach((label, i) => {
      if (!directory.getLabel(label)) issues.push({ path: `${path.join('.')}.labels[${i}]`, message: `no label "${label}"` });
    });
    return issues;
  }

  private customAttributeNames(): string[] {
    const names = new Set<string>();
    for (const user of this.options.directory.listUsers()) for (const key of Object.keys(user.customAttributes ?? {})) names.add(key);
    for (const device of this.options.directory.listDevices()) for (const key of Object.keys(device.customAttributes ?? {})) names.add(key);
    return [...names];
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalid(what, issuesOf(result.error));
  return result.data;
}
