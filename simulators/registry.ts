/**
 * The simulators `mdmca serve` and `mdmca run` embed, in mount order. A new simulator adds one entry: a name
 * (its admin surface is /__mdmca/<name>/) and a factory from the shared context to its mounts and the
 * endpoints it announces.
 */
import { rootCertificates } from 'node:tls';
import type { AdjustableClock } from '../core/clock.js';
import { DEFAULT_SCEP_CHALLENGE } from '../fixtures/defaults.js';
import type { TestPki } from '../fixtures/test-pki.js';
import type { Mount } from './mounts.js';
import { createScepCa, defaultScepCaIdentity } from './scep-ca/index.js';
import { createDeviceApi, createEngineAdmin, MdmEngine } from '../core/engine/index.js';
import { configureEmbeddedEngine, embeddedDirectorySeed } from '../fixtures/configs/embedded-engine.js';
import { adminBase, clockAdminRoutes } from './admin-routes.js';
import { createRouter } from './router.js';
import type { Store } from './store/index.js';
import { createGlobalSignEpki, EPKI_DEFAULTS } from './globalsign-epki/index.js';
import { CertificateRepository } from './store/certificates.js';
import { SerialReserve } from '../core/pki/serial.js';
import { symantecRaTrust } from '../fixtures/symantec-ra.js';
import { toPem } from '../core/pki/pem.js';
import { privateKeyToPem } from '../core/pki/keys.js';
import { scepPath } from '../core/connectors/symantec-mpki/wire.js';
import { createSymantecMpki, CRL_FILE, listenSymantecMpki, SYMANTEC_DEFAULTS } from './symantec-mpki/index.js';

export interface SimulatorContext {
  store: Store;
  clock: AdjustableClock;
  pki: TestPki;
  /** The public URL of a path on the shared HTTP or HTTPS listener (known once it is bound; call lazily). */
  publicUrl(protocol: 'http' | 'https', path: string): string;
  scepChallenge?: string;
}

export interface SimulatorEndpoint {
  kind: string;
  protocol: 'http' | 'https';
  path: string;
  /** On the simulator's own listener of this id (OwnListener) instead of the shared one. */
  listener?: string;
  /** The test credentials a client of this endpoint needs (e.g. the SCEP challenge): public fixtures. */
  credentials?: Record<string, string>;
}

/**
 * A listener a simulator needs for itself, because what it checks happens in the TLS handshake (a vendor API
 * authenticated by client certificate alone refuses a bad one before any HTTP). Sockets only: not under msw.
 */
export interface OwnListener {
  id: string;
  start(host: string, port: number): Promise<{ url: string; close(): Promise<void> }>;
}

export interface EmbeddedSimulator {
  mounts: Mount[];
  endpoints: SimulatorEndpoint[];
  ownListeners?: OwnListener[];
  /** Called once the shared listener is bound and publicUrl() answers; awaited before the set is announced. */
  onListening?(): void | Promise<void>;
}

export interface SimulatorFactory {
  name: string;
  create(context: SimulatorContext): Promise<EmbeddedSimulator>;
}

const scepCa: SimulatorFactory = {
  name: 'scep-ca',
  async create(context) {
    const challenge = context.scepChallenge ?? DEFAULT_SCEP_CHALLENGE;
    const simulator = createScepCa({
      store: context.store,
      clock: context.clock,
      identity: defaultScepCaIdentity({ root: context.pki.root, issuing: context.pki.issuingCa, ra: context.pki.identities['scep-ra'] }),
      challenge,
      nextCa: [context.pki.nextIssuingCa.certificate],
    });
    return {
      mounts: simulator.mounts,
      // Certificates carry <origin>/scep/crl, which is known once the listener is bound.
      onListening: () => simulator.setPublicBaseUrl(context.publicUrl('http', '')),
      endpoints: [
        { kind: 'scep', protocol: 'http', path: '/scep', credentials: { challenge } },
        { kind: 'scep-https', protocol: 'https', path: '/scep', credentials: { challenge } },
        { kind: 'crl', protocol: 'http', path: '/scep/crl' },
        { kind: 'admin', protocol: 'http', path: '/__mdmca/scep-ca' },
      ],
    };
  },
};

/**
 * The MDM enrollment engine (core/engine): device API at /mdm, admin at /__mdmca/mdm (its own routes plus the
 * shared clock routes). Its CA is the embedded SCEP CA simulator, configured once the listener is bound.
 */
const mdm: SimulatorFactory = {
  name: 'mdm',
  async create(context) {
    const engine = await MdmEngine.create({
      store: context.store,
      clock: context.clock,
      directorySeed: embeddedDirectorySeed(),
      // The simulators' TLS certificates chain to the test root; public roots stay trusted for real CAs.
      connectorContext: { trustedCertificates: [...rootCertificates, toPem('CERTIFICATE', context.pki.root.certificate)] },
    });
    const base = adminBase('mdm');
    const engineAdmin = createEngineAdmin(engine, base);
    const clockAdmin = createRouter(clockAdminRoutes('mdm', context.clock));
    const challenge = context.scepChallenge ?? DEFAULT_SCEP_CHALLENGE;
    return {
      mounts: [
        { name: 'mdm', prefix: '/mdm', handler: createDeviceApi(engine) },
        {
          name: 'mdm',
          prefix: base,
          handler: (request, peer) => (new URL(request.url).pathname === `${base}/clock` ? clockAdmin(request, peer) : engineAdmin(request, peer)),
        },
      ],
      onListening: () =>
        configureEmbeddedEngine(engine, {
          scepUrl: context.publicUrl('http', '/scep'),
          challenge,
          revocationUrl: context.publicUrl('http', '/__mdmca/scep-ca/certificates'),
        }).catch((error: unknown) => process.emitWarning(`the MDM engine's default configuration failed: ${(error as Error).message}`)),
      endpoints: [
        { kind: 'mdm', protocol: 'http', path: '/mdm', credentials: { username: 'jdoe', password: 'Passw0rd!' } },
        { kind: 'admin', protocol: 'http', path: base },
      ],
    };
  },
};

/** GlobalSign EPKI GasOrderService (simulators/globalsign-epki), issuing with the test PKI's issuing CA. */
const globalSignEpki: SimulatorFactory = {
  name: 'globalsign-epki',
  async create(context) {
    const repository = new CertificateRepository(context.store, context.clock);
    const simulator = createGlobalSignEpki({
      store: context.store,
      clock: context.clock,
      ca: context.pki.issuingAuthority(context.clock, new SerialReserve(repository.claimSerialsBatched)),
    });
    return {
      mounts: simulator.mounts,
      endpoints: [
        { kind: 'soap', protocol: 'http', path: '/cr/ws/GasOrderService', credentials: { username: EPKI_DEFAULTS.username, password: EPKI_DEFAULTS.password } },
        { kind: 'admin', protocol: 'http', path: '/__mdmca/globalsign-epki' },
      ],
    };
  },
};

/**
 * Symantec MPKI (simulators/symantec-mpki): the PKI Web Services on their own mutual-TLS listener (the RA
 * certificate is the only credential and a bad one fails in the handshake); SCEP, the CRL and the admin surface
 * on the shared plain listener. The test PKI's issuing CA issues both end-entity and RA certificates.
 */
const symantecMpki: SimulatorFactory = {
  name: 'symantec-mpki',
  async create(context) {
    const repository = new CertificateRepository(context.store, context.clock);
    const serials = new SerialReserve(repository.claimSerialsBatched);
    const issuer = context.pki.issuingAuthority(context.clock, serials);
    const ra = context.pki.identities['symantec-ra'];
    const tls = context.pki.identities['tls-server'];
    const simulator = createSymantecMpki({
      store: context.store,
      clock: context.clock,
      ca: issuer,
      raTrust: symantecRaTrust(context.pki, { serials }),
      registeredRaCertificates: [ra.certificate],
    });
    return {
      mounts: simulator.publicMounts,
      onListening: () => simulator.setPublicBaseUrl(context.publicUrl('http', '')),
      ownListeners: [
        {
          id: 'pki-ws',
          start: (host, port) =>
            listenSymantecMpki(simulator, {
              host,
              port,
              key: privateKeyToPem(tls.privateKey),
              cert: [tls.certificate, ...tls.chain.slice(0, -1)].map((der) => toPem('CERTIFICATE', der)).join(''),
            }),
        },
      ],
      endpoints: [
        {
          kind: 'pki-ws',
          protocol: 'https',
          path: '',
          listener: 'pki-ws',
          // Public test fixtures: the RA .p12 and the root that signed the listener's certificate.
          credentials: { clientP12: ra.p12Path, clientP12Password: context.pki.password, trustedCertificates: context.pki.root.certificatePath },
        },
        { kind: 'scep', protocol: 'http', path: scepPath(SYMANTEC_DEFAULTS.profiles.user) },
        { kind: 'crl', protocol: 'http', path: `/pki-crl/symantec-mpki/${CRL_FILE}` },
        { kind: 'admin', protocol: 'http', path: '/__mdmca/symantec-mpki' },
      ],
    };
  },
};

export const SIMULATORS: readonly SimulatorFactory[] = [scepCa, mdm, globalSignEpki, symantecMpki];
