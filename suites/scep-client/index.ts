/**
 * SCEP client conformance: any client against our SCEP CA. The client under test enrols against an in-process
 * SCEP server that keeps every request; each check judges one RFC 8894 rule from what the client sent.
 * Target: `simulator` = mdmca's own ScepClient; `command:PROGRAM` = a program with micromdm scepclient's flags.
 */
import { parseCertificate } from '../../core/pki/certificate.js';
import { MessageType } from '../../core/scep/constants.js';
import type { CheckDefinition, Exchange, SuiteDefinition, SuiteEnvironment, TargetSpec } from '../model.js';
import { expectThat, fail, pass } from '../model.js';
import { commandClient, mdmcaClient, type ClientDriver, type EnrollOutcome } from './drivers.js';
import { startObservedServer, type ObservedRequest, type ObservedServer } from './observed-server.js';

interface Enrolment {
  outcome: EnrollOutcome;
  requests: ObservedRequest[];
}

export interface ScepClientContext {
  server: ObservedServer;
  driver: ClientDriver;
  env: SuiteEnvironment;
  /** The first plain enrolment, made once by whichever check needs it first. */
  baseline(): Promise<Enrolment>;
  enrol(commonName: string, timeoutMs?: number): Promise<Enrolment>;
}

function driverFor(target: TargetSpec): ClientDriver {
  if (target.kind === 'simulator') return mdmcaClient;
  if (target.kind === 'command') return commandClient(target.command);
  throw new Error(`the scep-client role is a client: use "simulator" or "command:PROGRAM", not the URL ${target.url}`);
}

function toExchange(request: ObservedRequest, driver: ClientDriver): Exchange {
  const summary = request.pkiMessage ? ` ${MessageType[request.pkiMessage.messageType]}` : '';
  return {
    label: `${request.operation}${summary}`,
    from: driver.name,
    to: 'mdmca SCEP CA',
    method: request.method,
    url: `/scep?operation=${request.operation}`,
    status: request.status,
    ...(request.responseContentType ? { responseContentType: request.responseContentType } : {}),
    requestBytes: request.requestBytes,
    responseBytes: request.responseBytes,
    startedAt: request.startedAt,
    durationMs: request.durationMs,
  };
}

const pkcsReqs = (requests: readonly ObservedRequest[]) =>
  requests.filter((request) => request.pkiMessage?.messageType === MessageType.PKCSReq || request.pkiMessage?.messageType === MessageType.RenewalReq);

/** The first enrolment request of the baseline, or a skip saying why there is none. */
async function firstRequest(ctx: ScepClientContext): Promise<ObservedRequest | string> {
  const { requests } = await ctx.baseline();
  const undecodable = requests.find((request) => request.operation === 'PKIOperation' && request.decodeError);
  if (undecodable) return `the client's PKIOperation could not be decoded: ${undecodable.decodeError}`;
  return pkcsReqs(requests)[0] ?? 'the client sent no PKCSReq';
}

function withRequest(run: (request: ObservedRequest, ctx: ScepClientContext) => ReturnType<CheckDefinition<ScepClientContext>['run']>) {
  return async (ctx: ScepClientContext) => {
    const request = await firstRequest(ctx);
    return typeof request === 'string' ? fail(request) : run(request, ctx);
  };
}

const checks: CheckDefinition<ScepClientContext>[] = [
  {
    id: 'scep-client.enrolls',
    title: 'The client enrols and keeps the certificate the CA issued for its key',
    severity: 'error',
    source: 'RFC 8894 §3.3.1, §3.3.2',
    fix: 'Send a PKCSReq with the CSR and challenge, and read the issued certificate from the CertRep.',
    async run(ctx) {
      const { outcome, requests } = await ctx.baseline();
      if (!outcome.certificate) return fail(`the client ended without a certificate: ${outcome.error ?? 'no reason given'}`);
      const request = pkcsReqs(requests)[0];
      const issued = parseCertificate(outcome.certificate);
      const sameKey = request?.csr !== undefined && Buffer.compare(issued.spkiDer, request.csr.spkiDer) === 0;
      return expectThat(sameKey, 'the certificate holds the key of the CSR the client sent', 'issued key ≠ CSR key', 'the CSR key');
    },
  },
  {
    id: 'scep-client.getcacaps',
    title: 'The client asks GetCACaps before it sends a PKIOperation',
    severity: 'warning',
    source: 'RFC 8894 §3.5.1',
    fix: 'Send GetCACaps first and choose method, cipher and digest from the answer.',
    async run(ctx) {
      const { requests } = await ctx.baseline();
      const operations = requests.map((request) => request.operation);
      const first = operations.indexOf('PKIOperation');
      const caps = operations.indexOf('GetCACaps');
      return expectThat(caps >= 0 && (first < 0 || caps < first), 'GetCACaps came before the first PKIOperation', operations.join(' → '), 'GetCACaps → … → PKIOperation');
    },
  },
  {
    id: 'scep-client.getcacert',
    title: 'The client fetches the CA certificates with GetCACert before it encrypts to them',
    severity: 'error',
    source: 'RFC 8894 §4.2',
    fix: 'Send GetCACert and encrypt the request to the RA (or CA) certificate it returns.',
    async run(ctx) {
      const { requests } = await ctx.baseline();
      const operations = requests.map((request) => request.operation);
      const first = operations.indexOf('PKIOperation');
      const cert = operations.indexOf('GetCACert');
      return expectThat(cert >= 0 && (first < 0 || cert < first), 'GetCACert came before the first PKIOperation', operations.join(' → '), 'GetCACert → … → PKIOperation');
    },
  },
  {
    id: 'scep-client.post',
    title: 'The client uses POST for PKIOperation when the CA offers POSTPKIOperation',
    severity: 'warning',
    source: 'RFC 8894 §4.3',
    fix: 'Send PKIOperation by HTTP POST when GetCACaps lists POSTPKIOperation.',
    run: withRequest(async (request) => expectThat(request.method === 'POST', 'PKIOperation by POST', request.method, 'POST')),
  },
  {
    id: 'scep-client.aes',
    title: 'The client encrypts with AES when the CA offers it, never with DES',
    severity: 'error',
    source: 'RFC 8894 §2.9, §3.5.2',
    fix: 'Use AES-128-CBC or AES-256-CBC when GetCACaps lists AES; single DES and 3DES are obsolete.',
    run: withRequest(async (request) => {
      const cipher = request.pkiMessage!.cipher;
      return expectThat(cipher.startsWith('aes-'), 'the pkcsPKIEnvelope uses AES', cipher, 'aes-128-cbc or aes-256-cbc');
    }),
  },
  {
    id: 'scep-client.digest',
    title: 'The client signs with SHA-256 or stronger when the CA offers it',
    severity: 'warning',
    source: 'RFC 8894 §3.5.2',
    fix: 'Use SHA-256 (or SHA-512) when GetCACaps lists it; SHA-1 is for CAs that offer nothing else.',
    run: withRequest(async (request) => {
      const digest = request.pkiMessage!.digest;
      return expectThat(digest === 'sha256' || digest === 'sha384' || digest === 'sha512', 'the signature digest is SHA-2', digest, 'sha256 or stronger');
    }),
  },
  {
    id: 'scep-client.sender-nonce',
    title: 'The senderNonce is 16 bytes',
    severity: 'error',
    source: 'RFC 8894 §3.2.1.5',
    fix: 'Send a fresh 16-byte random senderNonce in every request.',
    run: withRequest(async (request) => {
      const length = request.pkiMessage!.senderNonce.byteLength;
      return expectThat(length === 16, 'senderNonce has 16 octets', `${length} octets`, '16 octets');
    }),
  },
  {
    id: 'scep-client.transaction-id',
    title: 'The transactionID is a printable string that stays the same across the transaction',
    severity: 'error',
    source: 'RFC 8894 §3.2.1.1',
    fix: 'Use one transactionID (e.g. a hash of the public key) for the PKCSReq and every CertPoll of the same request.',
    run: withRequest(async (request) => {
      const id = request.pkiMessage!.transactionId;
      return expectThat(/^[A-Za-z0-9 '()+,\-./:=?]+$/.test(id), 'transactionID is a non-empty PrintableString', id, 'PrintableString characters');
    }),
  },
  {
    id: 'scep-client.signer',
    title: 'A first enrolment is signed by a self-signed certificate for the CSR key',
    severity: 'error',
    source: 'RFC 8894 §2.3, §3.2',
    fix: 'Sign the PKCSReq with a transient self-signed certificate made for the key of the CSR.',
    run: withRequest(async (request) => {
      const signer = parseCertificate(request.pkiMessage!.signerCertificate);
      const sameKey = request.csr !== undefined && Buffer.compare(signer.spkiDer, request.csr.spkiDer) === 0;
      return expectThat(signer.isSelfSigned && sameKey, 'self-signed signer certificate with the CSR key', `self-signed: ${signer.isSelfSigned}, CSR key: ${sameKey}`, 'self-signed: true, CSR key: true');
    }),
  },
  {
    id: 'scep-client.challenge',
    title: 'The CSR carries the challengePassword',
    severity: 'error',
    source: 'RFC 8894 §2.2, §3.3.1',
    fix: 'Put the challenge into the CSR as the PKCS#9 challengePassword attribute.',
    run: withRequest(async (request, ctx) => {
      const given = request.csr?.challengePassword;
      return expectThat(given === ctx.server.challenge, 'challengePassword present and as configured', given === undefined ? 'absent' : 'present (different)', 'present');
    }),
  },
  {
    id: 'scep-client.csr-signature',
    title: 'The CSR is signed by its own key',
    severity: 'error',
    source: 'RFC 2986 §3, RFC 8894 §3.3.1',
    fix: 'Sign the PKCS#10 request with the private key of the public key it contains.',
    run: withRequest(async (request) => expectThat(request.csr?.verify() === true, 'the CSR signature verifies', String(request.csr?.verify()), 'true')),
  },
  {
    id: 'scep-client.pending-poll',
    title: 'On PENDING the client polls with CertPoll under the same transactionID and gets the certificate',
    severity: 'warning',
    source: 'RFC 8894 §3.3.3',
    fix: 'When the CertRep says PENDING, send CertPoll (messageType 20) with the same transactionID until SUCCESS or FAILURE.',
    async run(ctx) {
      ctx.server.setManualApproval(true);
      const seen = ctx.server.requests.length;
      const attempt = ctx.enrol('pending-poll', POLL_WINDOW_MS + 5_000);
      try {
        const first = await waitFor(() => pkcsReqs(ctx.server.requests.slice(seen))[0], 10_000);
        if (!first?.pkiMessage) return fail('the client sent no decodable PKCSReq');
        const transactionId = first.pkiMessage.transactionId;
        const polled = await waitFor(
          () => ctx.server.requests.slice(seen).find((request) => request.pkiMessage?.messageType === MessageType.CertPoll),
          POLL_WINDOW_MS,
        );
        await ctx.server.handler.service.approve(transactionId).catch(() => undefined);
        const { outcome } = await attempt;
        if (!polled) {
          return fail(`no CertPoll within ${POLL_WINDOW_MS / 1000} s of PENDING (the suite's window); the client said: ${outcome.error ?? 'nothing'}`);
        }
        if (polled.pkiMessage!.transactionId !== transactionId) {
          return fail('CertPoll used another transactionID', { observed: polled.pkiMessage!.transactionId, expected: transactionId });
        }
        return outcome.certificate ? pass('polled with CertPoll and received the certificate once approved') : fail(`polled but ended without a certificate: ${outcome.error}`);
      } finally {
        ctx.server.setManualApproval(false);
        await attempt.catch(() => undefined);
      }
    },
  },
];

/** How long the suite waits for a CertPoll after PENDING; RFC 8894 leaves the interval to the client. */
const POLL_WINDOW_MS = 5_000;

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const scepClientSuite: SuiteDefinition<ScepClientContext> = {
  id: 'scep-client',
  title: 'SCEP client conformance (any client against the mdmca SCEP CA)',
  boundary: 'device-ca',
  role: 'scep-client',
  async setup(target, env) {
    const driver = driverFor(target);
    const server = await startObservedServer();
    let counter = 0;
    const enrol = async (commonName: string, timeoutMs = 15_000): Promise<Enrolment> => {
      const seen = server.requests.length;
      const outcome = await driver.enroll({ url: server.url, challenge: server.challenge, commonName: `${commonName} ${++counter}`, timeoutMs });
      const requests = server.requests.slice(seen);
      for (const request of requests) env.record(toExchange(request, driver));
      return { outcome, requests };
    };
    let baseline: Promise<Enrolment> | undefined;
    return { server, driver, env, enrol, baseline: () => (baseline ??= enrol('scep-client-suite')) };
  },
  async teardown(ctx) {
    await ctx.server.close();
  },
  checks,
};

