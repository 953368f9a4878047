/**
 * The server side of the client suite: our SCEP CA (test PKI issuing CA + RA) in process on a loopback port,
 * keeping every request it receives, raw and decoded, so checks can judge what the client under test sent.
 */
import { AdjustableClock } from '../../core/clock.js';
import { parseCsr, type ParsedCsr } from '../../core/pki/csr.js';
import { MessageType } from '../../core/scep/constants.js';
import { parseRequest, type ParsedRequest } from '../../core/scep/messages.js';
import { manualApproval } from '../../core/scep/policy.js';
import { staticChallenge } from '../../core/scep/policy-challenge.js';
import { createScepServer, type ScepHandler } from '../../core/scep/server.js';
import { DEFAULT_SCEP_CHALLENGE } from '../../fixtures/defaults.js';
import { loadTestPki, type TestPki } from '../../fixtures/test-pki.js';
import { listen, type Listening } from '../../simulators/http.js';

export interface ObservedRequest {
  method: string;
  operation: string;
  status: number;
  /** PKIOperation only: the decoded request, or why it could not be decoded. */
  pkiMessage?: ParsedRequest;
  csr?: ParsedCsr;
  decodeError?: string;
  startedAt: number;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  responseContentType?: string;
}

export interface ObservedServer {
  url: string;
  challenge: string;
  pki: TestPki;
  handler: ScepHandler;
  requests: ObservedRequest[];
  /** Answer the next enrolments PENDING until approved through `handler.service.approve`. */
  setManualApproval(on: boolean): void;
  close(): Promise<void>;
}

export async function startObservedServer(): Promise<ObservedServer> {
  const pki = await loadTestPki();
  const clock = new AdjustableClock();
  const ra = pki.identities['scep-ra'];
  const recipients = [{ certificate: ra.certificate, privateKey: ra.privateKey }];
  let approval = false;
  const handler = createScepServer({
    ca: pki.issuingAuthority(clock),
    identity: { caCertificate: pki.issuingCa.certificate, caKey: pki.issuingCa.privateKey, caChain: pki.issuingCa.chain, ra },
    policies: [staticChallenge(DEFAULT_SCEP_CHALLENGE), manualApproval({ enabled: () => approval })],
    responseCertificates: 'issued+ca',
    // Accept (and mirror) DES so a client that uses it still enrols; scep-client.aes names the deviation.
    allowLegacyCiphers: true,
    clock,
  });
  const requests: ObservedRequest[] = [];
  const observing = async (request: Request, peer: Parameters<ScepHandler>[1]): Promise<Response> => {
    const started = performance.now();
    const body = request.method === 'POST' ? new Uint8Array(await request.clone().arrayBuffer()) : undefined;
    const response = await handler(request, peer);
    const responseBody = new Uint8Array(await response.clone().arrayBuffer());
    const url = new URL(request.url);
    const observed: ObservedRequest = {
      method: request.method,
      operation: url.searchParams.get('operation') ?? '(none)',
      status: response.status,
      startedAt: Date.now(),
      durationMs: performance.now() - started,
      requestBytes: body?.byteLength ?? 0,
      responseBytes: responseBody.byteLength,
      ...(response.headers.get('content-type') ? { responseContentType: response.headers.get('content-type')! } : {}),
    };
    if (observed.operation === 'PKIOperation') decodeInto(observed, body ?? messageOfGet(url), recipients);
    requests.push(observed);
    return response;
  };
  const listening: Listening = await listen({ mounts: [{ name: 'scep-ca', prefix: '/scep', handler: observing }], framework: 'node' });
  return {
    url: `${listening.httpUrl.replace(/\/$/, '')}/scep`,
    challenge: DEFAULT_SCEP_CHALLENGE,
    pki,
    handler,
    requests,
    setManualApproval: (on) => {
      approval = on;
    },
    close: () => listening.close(),
  };
}

function messageOfGet(url: URL): Uint8Array | undefined {
  const message = url.searchParams.get('message');
  // macOS sends '+' unescaped, which URLSearchParams reads as a space.
  return message === null ? undefined : new Uint8Array(Buffer.from(message.replace(/ /g, '+'), 'base64'));
}

function decodeInto(observed: ObservedRequest, der: Uint8Array | undefined, recipients: Parameters<typeof parseRequest>[1]['recipients']): void {
  if (!der) {
    observed.decodeError = 'PKIOperation without a message';
    return;
  }
  try {
    const parsed = parseRequest(der, { recipients, allowLegacyCiphers: true });
    observed.pkiMessage = parsed;
    if (parsed.payload.messageType === MessageType.PKCSReq || parsed.payload.messageType === MessageType.RenewalReq) {
      observed.csr = parseCsr(parsed.payload.csr);
    }
  } catch (error) {
    observed.decodeError = (error as Error).message;
  }
}
