/**
 * Which connector serves which CA type. The engine asks the registry for a connector per CA configuration; the
 * vendor connectors of later issues (GlobalSign EPKI, Symantec MPKI, OpenTrust CMS, Entrust) register one factory
 * each. A CA type without a factory is still a valid configuration (doctor checks it), but cannot issue.
 */
import { GlobalSignEpkiConnector } from './globalsign-epki.js';
import { ScepConnector, type ConnectorContext } from './scep.js';
import { SymantecMpkiConnector } from './symantec-mpki/connector.js';
import type { CaSettings, CaType } from './settings.js';
import { type CaConnector, ConnectorError } from './types.js';

export interface ConnectorFactory<T extends CaType = CaType> {
  type: T;
  create(settings: Extract<CaSettings, { type: T }>, context: ConnectorContext): CaConnector;
}

export class ConnectorRegistry {
  private readonly factories = new Map<string, ConnectorFactory>();

  constructor(factories: ReadonlyArray<ConnectorFactory<'scep'> | ConnectorFactory> = []) {
    for (const factory of factories) this.register(factory as ConnectorFactory);
  }

  register<T extends CaType>(factory: ConnectorFactory<T>): this {
    this.factories.set(factory.type, factory as unknown as ConnectorFactory);
    return this;
  }

  has(type: string): boolean {
    return this.factories.has(type);
  }

  types(): string[] {
    return [...this.factories.keys()];
  }

  /** A connector for the settings; ConnectorError('unsupported') when no factory serves the type. */
  create(settings: CaSettings, context: ConnectorContext = {}): CaConnector {
    const factory = this.factories.get(settings.type);
    if (!factory) {
      throw new ConnectorError('unsupported', `No connector is installed for CA type "${settings.type}"`, {
        detail: `connectors available: ${this.types().join(', ') || 'none'}`,
      });
    }
    return factory.create(settings, context);
  }
}

export const scepConnectorFactory: ConnectorFactory<'scep'> = {
  type: 'scep',
  create: (settings, context) => new ScepConnector(settings, context),
};

export const globalSignEpkiConnectorFactory: ConnectorFactory<'globalsign-epki'> = {
  type: 'globalsign-epki',
  create: (settings, context) => new GlobalSignEpkiConnector(settings, context),
};

export const symantecMpkiConnectorFactory: ConnectorFactory<'symantec-mpki'> = {
  type: 'symantec-mpki',
  create: (settings, context) => new SymantecMpkiConnector(settings, context),
};

/** The registry with every connector mdmca has so far. */
export function defaultConnectors(): ConnectorRegistry {
  return new ConnectorRegistry([scepConnectorFactory, globalSignEpkiConnectorFactory as unknown as ConnectorFactory, symantecMpkiConnectorFactory as unknown as ConnectorFactory]);
}
