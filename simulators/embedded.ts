/**
 * Every simulator on one HTTP and one HTTPS port (DESIGN.md: `mdmca serve`), each at its real product's paths so
 * they never clash, sharing one Store, one clock and the test PKI. `mdmca serve` and the embedded targets of
 * `mdmca run` both start them through here.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AdjustableClock } from '../core/clock.js';
import { toPem } from '../core/pki/pem.js';
import { privateKeyToPem } from '../core/pki/keys.js';
import { DEFAULT_HOST } from '../fixtures/defaults.js';
import { loadTestPki, type TestPki } from '../fixtures/test-pki.js';
import { listen, type HttpLogger, type Listening, type Mount } from './http.js';
import { SIMULATORS, type SimulatorContext, type SimulatorEndpoint } from './registry.js';
import type { Store } from './store/index.js';
import { createMemoryStore } from './store/memory.js';
import { openStore } from './store/sqlite.js';

export interface EmbeddedOptions {
  host?: string;
  /** 0 (the default) = ephemeral. */
  port?: number;
  tlsPort?: number;
  /** SQLite under this directory; memory when absent. */
  dataDir?: string;
  scepChallenge?: string;
  clock?: AdjustableClock;
  pki?: TestPki;
  logger?: HttpLogger;
}

export interface ListeningEndpoint {
  simulator: string;
  /** What the endpoint is, e.g. 'scep', 'admin', 'crl'. */
  kind: string;
  url: string;
  credentials?: Record<string, string>;
}

export interface EmbeddedSimulators {
  endpoints: ListeningEndpoint[];
  httpUrl: string;
  httpsUrl: string;
  pki: TestPki;
  clock: AdjustableClock;
  /** The URL of one simulator's endpoint of a kind; throws when there is none. */
  url(simulator: string, kind: string): string;
  endpoint(simulator: string, kind: string): ListeningEndpoint;
  close(): Promise<void>;
}

export async function startEmbeddedSimulators(options: EmbeddedOptions = {}): Promise<EmbeddedSimulators> {
  const host = options.host ?? DEFAULT_HOST;
  const clock = options.clock ?? new AdjustableClock();
  const pki = options.pki ?? (await loadTestPki());
  const store: Store = options.dataDir ? openDataStore(options.dataDir) : createMemoryStore();
  const tls = pki.identities['tls-server'];
  const mounts: Mount[] = [];
  const declared: Array<SimulatorEndpoint & { simulator: string }> = [];
  const listeners: Array<() => void> = [];
  // Base URLs are known only after binding; simulators that embed their own URL (CRL distribution points) read
  // them through this late-bound context.
  const base = { http: '', https: '' };
  const context: SimulatorContext = {
    store,
    clock,
    pki,
    publicUrl: (protocol, path) => `${protocol === 'https' ? base.https : base.http}${path}`,
    ...(options.scepChallenge !== undefined && { scepChallenge: options.scepChallenge }),
  };
  try {
    for (const factory of SIMULATORS) {
      const simulator = await factory.create(context);
      mounts.push(...simulator.mounts);
      if (simulator.onListening) listeners.push(simulator.onListening);
      declared.push(...simulator.endpoints.map((endpoint) => ({ ...endpoint, simulator: factory.name })));
    }
    const listening: Listening = await listen({
      mounts,
      host,
      port: options.port ?? 0,
      tls: {
        port: options.tlsPort ?? 0,
        key: privateKeyToPem(tls.privateKey),
        cert: [tls.certificate, ...tls.chain.slice(0, -1)].map((der) => toPem('CERTIFICATE', der)).join(''),
        // Simulators that authenticate by client certificate check it themselves (and answer in their own form).
        requestCert: true,
        rejectUnauthorized: false,
      },
      ...(options.logger && { logger: options.logger }),
    });
    base.http = listening.httpUrl.replace(/\/$/, '');
    base.https = (listening.httpsUrl ?? '').replace(/\/$/, '');
    for (const notify of listeners) notify();
    const endpoints = declared.map((endpoint) => ({
      simulator: endpoint.simulator,
      kind: endpoint.kind,
      url: context.publicUrl(endpoint.protocol, endpoint.path),
      ...(endpoint.credentials && { credentials: endpoint.credentials }),
    }));
    const endpointOf = (simulator: string, kind: string): ListeningEndpoint => {
      const found = endpoints.find((endpoint) => endpoint.simulator === simulator && endpoint.kind === kind);
      if (!found) throw new Error(`no ${kind} endpoint for simulator ${simulator}`);
      return found;
    };
    return {
      endpoints,
      httpUrl: base.http,
      httpsUrl: base.https,
      pki,
      clock,
      endpoint: endpointOf,
      url: (simulator, kind) => endpointOf(simulator, kind).url,
      close: async () => {
        await listening.close();
        store.close();
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}

function openDataStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  return openStore({ path: join(dataDir, 'mdmca.sqlite') });
}
