/**
 * Our SCEP CA as a benchmark serves it, in one process: either the embedded simulators exactly as `mdmca serve`
 * starts them ('embedded', the product path: express, the scep-ca simulator, its Store), or the bare SCEP handler
 * on node:http with an in-memory depot ('bare', to separate the codec from the adapter and the Store when
 * profiling). bench/server-main.ts runs this in a child process or in each cluster worker.
 */
import { AdjustableClock } from '../core/clock.js';
import { setSigningMode, type SigningMode } from '../core/pki/algorithms.js';
import { staticChallenge } from '../core/scep/policy-challenge.js';
import { createScepServer, identityOf, type ExchangeTimings, type ScepExchange } from '../core/scep/server.js';
import { DEFAULT_HOST } from '../fixtures/defaults.js';
import { loadTestPki } from '../fixtures/test-pki.js';
import { startEmbeddedSimulators } from '../simulators/embedded.js';
import { listen } from '../simulators/http.js';

export type BenchServerKind = 'embedded' | 'bare';

export interface BenchServerConfig {
  server: BenchServerKind;
  /** 0 = ephemeral (cluster workers share the port the primary picks). */
  port: number;
  challenge: string;
  /** SQLite under this directory (embedded only); memory when absent. */
  dataDir?: string;
  /** Where this process signs (core/pki/algorithms.ts). Default 'pool'. */
  signing?: SigningMode;
}

export interface TimingTotals {
  count: number;
  parseMs: number;
  policyMs: number;
  issueMs: number;
  replyMs: number;
  totalMs: number;
}

/** The vendor simulators' endpoints (embedded server only): the vendor scenarios load these. */
export interface VendorUrls {
  /** GlobalSign EPKI GasOrderService (plain HTTP). */
  globalsignSoap: string;
  /** GlobalSign EPKI admin surface (/__mdmca/globalsign-epki). */
  globalsignAdmin: string;
  /** Symantec MPKI web services base on the simulator's own mutual-TLS listener. */
  symantecPkiWs: string;
}

export interface RunningBenchServer {
  /** The SCEP URL, e.g. http://127.0.0.1:PORT/scep */
  scepUrl: string;
  vendorUrls?: VendorUrls;
  /** Per-request time split of PKIOperations, when the server reports it (bare). */
  timings(): TimingTotals | undefined;
  close(): Promise<void>;
}

export function emptyTimings(): TimingTotals {
  return { count: 0, parseMs: 0, policyMs: 0, issueMs: 0, replyMs: 0, totalMs: 0 };
}

export function addTimings(into: TimingTotals, timings: Partial<ExchangeTimings> & { count?: number }): void {
  into.count += timings.count ?? 1;
  into.parseMs += timings.parseMs ?? 0;
  into.policyMs += timings.policyMs ?? 0;
  into.issueMs += timings.issueMs ?? 0;
  into.replyMs += timings.replyMs ?? 0;
  into.totalMs += timings.totalMs ?? 0;
}

export async function startBenchServer(config: BenchServerConfig): Promise<RunningBenchServer> {
  setSigningMode(config.signing ?? 'pool');
  if (config.server === 'bare') return startBare(config);
  const simulators = await startEmbeddedSimulators({
    host: DEFAULT_HOST,
    port: config.port,
    tlsPort: 0,
    scepChallenge: config.challenge,
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
  });
  const vendorUrls: VendorUrls = {
    globalsignSoap: simulators.url('globalsign-epki', 'soap'),
    globalsignAdmin: simulators.url('globalsign-epki', 'admin'),
    symantecPkiWs: simulators.url('symantec-mpki', 'pki-ws'),
  };
  return { scepUrl: simulators.url('scep-ca', 'scep'), vendorUrls, timings: () => undefined, close: () => simulators.close() };
}

async function startBare(config: BenchServerConfig): Promise<RunningBenchServer> {
  const pki = await loadTestPki();
  const clock = new AdjustableClock();
  const ca = pki.issuingAuthority(clock);
  const ra = pki.identities['scep-ra'];
  const totals = emptyTimings();
  const handler = createScepServer({
    ca,
    identity: identityOf(ca, { certificate: ra.certificate, privateKey: ra.privateKey }),
    policies: [staticChallenge(config.challenge)],
    onExchange: (exchange: ScepExchange) => {
      if (exchange.operation === 'PKIOperation') addTimings(totals, exchange.timings);
    },
  });
  const listening = await listen({ mounts: [{ name: 'scep-ca', prefix: '/scep', handler }], host: DEFAULT_HOST, port: config.port, framework: 'node' });
  return { scepUrl: `${listening.httpUrl}/scep`, timings: () => ({ ...totals }), close: () => listening.close() };
}
