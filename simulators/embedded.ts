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
import type { HttpHandler } from 'msw';
import { listen, toMswHandlers, type HttpLogger, type Listening, type Mount } from './http.js';
import { type OwnListener, SIMULATORS, type SimulatorContext, type SimulatorEndpoint } from './registry.js';
import type { Store } from './store/index.js';
import { createMemoryStore } from './store/memory.js';
import { openStore } from './store/sqlite.js';

export interface EmbeddedOptions {
  host?: string;
  /** 0 (the default) = ephemeral. */
  port?: number;
  tlsPort?: number;
  /** Ports of simulators' own listeners by id (e.g. 'pki-ws', Symantec's mutual-TLS web services); default ephemeral. */
  ownPorts?: Record<string, number>;
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

/** Where every simulator answers, whatever carries the requests (sockets or msw). */
export interface SimulatorSet {
  endpoints: ListeningEndpoint[];
  pki: TestPki;
  clock: AdjustableClock;
  /** The URL of one simulator's endpoint of a kind; throws when there is none. */
  url(simulator: string, kind: string): string;
  endpoint(simulator: string, kind: string): ListeningEndpoint;
}

export interface EmbeddedSimulators extends SimulatorSet {
  httpUrl: string;
  httpsUrl: string;
  close(): Promise<void>;
}

/** The simulators built but not yet reachable: mounts for an adapter, endpoints once the origins are known. */
interface Assembled {
  mounts: Mount[];
  store: Store;
  clock: AdjustableClock;
  pki: TestPki;
  ownListeners: OwnListener[];
  /**
   * Tells every simulator its public origins (and waits until each has acted on them); the endpoints under them.
   * `own` holds the origins of the own listeners that were started; endpoints on the others are left out (msw).
   */
  publish(http: string, https: string, own?: ReadonlyMap<string, string>): Promise<SimulatorSet>;
}

async function assemble(options: EmbeddedOptions): Promise<Assembled> {
  const clock = options.clock ?? new AdjustableClock();
  const pki = options.pki ?? (await loadTestPki());
  const store: Store = options.dataDir ? openDataStore(options.dataDir) : createMemoryStore();
  const mounts: Mount[] = [];
  const declared: Array<SimulatorEndpoint & { simulator: string }> = [];
  const listeners: Array<() => void | Promise<void>> = [];
  const ownListeners: OwnListener[] = [];
  // Origins are known only after binding (or from the msw origin); simulators that embed their own URL (CRL
  // distribution points) read them through this late-bound context.
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
      ownListeners.push(...(simulator.ownListeners ?? []));
      declared.push(...simulator.endpoints.map((endpoint) => ({ ...endpoint, simulator: factory.name })));
    }
  } catch (error) {
    store.close();
    throw error;
  }
  return {
    mounts,
    store,
    clock,
    pki,
    ownListeners,
    async publish(http, https, own = new Map()) {
      base.http = http.replace(/\/$/, '');
      base.https = https.replace(/\/$/, '');
      for (const notify of listeners) await notify();
      const endpoints = declared
        .filter((endpoint) => endpoint.listener === undefined || own.has(endpoint.listener))
        .map((endpoint) => ({
          simulator: endpoint.simulator,
          kind: endpoint.kind,
          url: endpoint.listener === undefined ? context.publicUrl(endpoint.protocol, endpoint.path) : `${own.get(endpoint.listener)!.replace(/\/$/, '')}${endpoint.path}`,
          ...(endpoint.credentials && { credentials: endpoint.credentials }),
        }));
      const endpointOf = (simulator: string, kind: string): ListeningEndpoint => {
        const found = endpoints.find((endpoint) => endpoint.simulator === simulator && endpoint.kind === kind);
        if (!found) throw new Error(`no ${kind} endpoint for simulator ${simulator}`);
        return found;
      };
      return { endpoints, pki, clock, endpoint: endpointOf, url: (simulator, kind) => endpointOf(simulator, kind).url };
    },
  };
}

/** Every simulator on real loopback sockets: one HTTP and one HTTPS listener. */
export async function startEmbeddedSimulators(options: EmbeddedOptions = {}): Promise<EmbeddedSimulators> {
  const assembled = await assemble(options);
  const tls = assembled.pki.identities['tls-server'];
  let listening: Listening | undefined;
  const ownClosers: Array<() => Promise<void>> = [];
  try {
    listening = await listen({
      mounts: assembled.mounts,
      host: options.host ?? DEFAULT_HOST,
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
    const bound = listening;
    const own = new Map<string, string>();
    for (const listener of assembled.ownListeners) {
      const started = await listener.start(options.host ?? DEFAULT_HOST, options.ownPorts?.[listener.id] ?? 0);
      ownClosers.push(started.close);
      own.set(listener.id, started.url);
    }
    const set = await assembled.publish(bound.httpUrl, bound.httpsUrl ?? '', own);
    return {
      ...set,
      httpUrl: bound.httpUrl.replace(/\/$/, ''),
      httpsUrl: (bound.httpsUrl ?? '').replace(/\/$/, ''),
      close: async () => {
        await Promise.all([bound.close(), ...ownClosers.map((close) => close())]);
        assembled.store.close();
      },
    };
  } catch (error) {
    await Promise.all(ownClosers.map((close) => close()));
    await listening?.close();
    assembled.store.close();
    throw error;
  }
}

/**
 * Every simulator as msw handlers on an invented origin, for a user's own in-process tests (no sockets):
 *   const sims = await mswSimulators('http://mdmca.test');
 *   const server = setupServer(...sims.handlers); server.listen();
 *   await new ScepClient({ url: sims.url('scep-ca', 'scep') }).getCaCaps();
 */
export async function mswSimulators(origin = 'http://mdmca.test', options: Omit<EmbeddedOptions, 'host' | 'port' | 'tlsPort'> = {}): Promise<SimulatorSet & { handlers: HttpHandler[]; close(): Promise<void> }> {
  const assembled = await assemble(options);
  const https = origin.replace(/^http:/, 'https:');
  const set = await assembled.publish(origin, https);
  const handlers = [...toMswHandlers(origin, assembled.mounts), ...(https !== origin ? toMswHandlers(https, assembled.mounts) : [])];
  return { ...set, handlers, close: async () => assembled.store.close() };
}

function openDataStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  return openStore({ path: join(dataDir, 'mdmca.sqlite') });
}
