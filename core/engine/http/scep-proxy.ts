/**
 * The engine's SCEP proxy, `<origin>/mdm/scep/{configurationId}` ("SCEP proxy through the MDM"): an RFC 8894
 * endpoint toward devices built on core/scep's codec, since core/scep/server.ts issues with a CA key it holds
 * while the proxy's certificates come from another CA through a connector.
 *
 *   GetCACaps    POSTPKIOperation, SHA-256, SHA-512, SHA-1, AES, SCEPStandard (renewal is a new PKCSReq with a
 *                fresh challenge, as iOS renews)
 *   GetCACert    certs-only: the proxy's RA certificate (what devices encrypt to; it signs the CertReps), then the
 *                CA's certificates
 *   PKIOperation PKCSReq / RenewalReq -> proxy-enrollment.ts; CertPoll -> the answer given before, if any;
 *                GetCert / GetCRL -> FAILURE badRequest (ask the CA)
 * Unreadable messages get HTTP 400 with a reason; any message whose transactionID and nonce were read gets a
 * signed CertRep FAILURE. Never a 500.
 */
import { BodyTooLargeError, DEFAULT_BODY_LIMIT_BYTES, readRequestLimited } from '../../http-body.js';
import { parseCsr } from '../../pki/csr.js';
import { formatCaps } from '../../scep/caps.js';
import { buildCertsOnly } from '../../scep/certs-only.js';
import { FailInfo, MessageType, PkiStatus } from '../../scep/constants.js';
import { ScepError } from '../../scep/errors.js';
import { buildCertRep, parseRequest, type ParsedRequest } from '../../scep/messages.js';
import { CONTENT_TYPE, decodeGetMessage } from '../../scep/server.js';
import type { MdmEngine } from '../engine.js';
import { toEngineError } from '../errors.js';
import type { ProxyOutcome } from '../proxy-enrollment.js';

export const PROXY_CAPS = formatCaps(['POSTPKIOperation', 'SHA-256', 'SHA-512', 'SHA-1', 'AES', 'SCEPStandard']);

const TEXT = 'text/plain; charset=utf-8';
const respond = (body: BodyInit | null, status: number, contentType: string) => new Response(body, { status, headers: { 'content-type': contentType } });
const refuse = (status: number, reason: string) => respond(`${reason}\n`, status, TEXT);

function rawParam(query: string, name: string): string | undefined {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if ((eq === -1 ? pair : pair.slice(0, eq)) === name) return eq === -1 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}

export interface ScepProxyOptions {
  /** Accept and mirror 3DES / DES from devices. Default true: older iOS sends 3DES when the CA offers no AES. */
  allowLegacyCiphers?: boolean;
}

export function createScepProxy(engine: MdmEngine, options: ScepProxyOptions = {}) {
  const allowLegacyCiphers = options.allowLegacyCiphers ?? true;
  const ra = engine.proxyIdentity;
  const recipients = [{ certificate: ra.certificate, privateKey: ra.privateKey }];

  async function certRep(request: ParsedRequest, outcome: ProxyOutcome): Promise<Response> {
    const der = await buildCertRep({
      transactionId: request.transactionId,
      recipientNonce: request.senderNonce,
      ...(outcome.kind === 'issued'
        ? { status: PkiStatus.SUCCESS, certificates: [outcome.certificate], encryptTo: request.signerCertificate }
        : { status: PkiStatus.FAILURE, failInfo: outcome.failInfo, failInfoText: outcome.text }),
      signer: ra,
      digest: request.digest,
      cipher: request.cipher,
      keyTransport: request.keyTransport,
      allowLegacyCiphers,
      clock: engine.clock,
    });
    return respond(der as Uint8Array<ArrayBuffer>, 200, CONTENT_TYPE.pkiMessage);
  }

  async function pkiOperation(request: Request, query: string, configurationId: string): Promise<Response> {
    let der: Uint8Array;
    if (request.method === 'POST') {
      try {
        der = (await readRequestLimited(request, DEFAULT_BODY_LIMIT_BYTES)) ?? new Uint8Array(0);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return refuse(413, error.message);
        throw error;
      }
      if (der.byteLength === 0) return refuse(400, 'PKIOperation by POST needs a pkiMessage (DER) body');
    } else {
      const raw = rawParam(query, 'message');
      if (raw === undefined) return refuse(400, 'PKIOperation by GET needs a message parameter');
      try {
        der = decodeGetMessage(raw);
      } catch (error) {
        return refuse(400, (error as Error).message);
      }
    }
    let parsed: ParsedRequest;
    try {
      parsed = parseRequest(der, { recipients, allowLegacyCiphers });
    } catch (error) {
      const context = error instanceof ScepError ? error.context : undefined;
      if (error instanceof ScepError && context?.transactionId && context.senderNonce) {
        const reply = await buildCertRep({
          transactionId: context.transactionId,
          recipientNonce: context.senderNonce,
          status: PkiStatus.FAILURE,
          failInfo: error.failInfo,
          failInfoText: error.failInfoText,
          signer: ra,
          clock: engine.clock,
        });
        return respond(reply as Uint8Array<ArrayBuffer>, 200, CONTENT_TYPE.pkiMessage);
      }
      return refuse(400, `Bad Request: malformed pkiMessage: ${(error as Error).message}`);
    }
    const payload = parsed.payload;
    let outcome: ProxyOutcome;
    switch (payload.messageType) {
      case MessageType.PKCSReq:
      case MessageType.RenewalReq: {
        let csr;
        try {
          csr = parseCsr(payload.csr);
        } catch (error) {
          return certRep(parsed, { kind: 'failed', failInfo: FailInfo.badRequest, text: `the CSR cannot be read: ${(error as Error).message}` });
        }
        if (!csr.verify()) return certRep(parsed, { kind: 'failed', failInfo: FailInfo.badMessageCheck, text: 'the CSR signature does not verify' });
        outcome = await engine.proxy.enroll(configurationId, csr, parsed.transactionId);
        break;
      }
      case MessageType.CertPoll: {
        const known = engine.state.transactions.get(parsed.transactionId);
        const entry = known ? engine.log.get(known.entryId) : undefined;
        outcome = entry?.der
          ? { kind: 'issued', certificate: new Uint8Array(Buffer.from(entry.der, 'base64')), chain: [], entryId: entry.id }
          : { kind: 'failed', failInfo: FailInfo.badCertId, text: `no request with transactionID ${parsed.transactionId}` };
        break;
      }
      default:
        outcome = { kind: 'failed', failInfo: FailInfo.badRequest, text: 'the MDM SCEP proxy answers enrolment only; ask the CA for certificates and CRLs' };
    }
    return certRep(parsed, outcome);
  }

  return async (request: Request, configurationId: string): Promise<Response> => {
    try {
      const method = request.method.toUpperCase();
      if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') {
        return new Response(`${method} is not allowed; SCEP uses GET and POST\n`, { status: 405, headers: { 'content-type': TEXT, allow: 'GET, HEAD, POST' } });
      }
      const configuration = engine.configurations.findConfiguration(configurationId);
      if (!configuration || configuration.id !== configurationId || configuration.kind !== 'identity' || !configuration.enableProxy || configuration.cacheLocallyGeneratedKeys) {
        return refuse(404, `no SCEP proxy for configuration "${configurationId}"`);
      }
      const url = request.url;
      const q = url.indexOf('?');
      const query = q === -1 ? '' : url.slice(q + 1).split('#')[0]!;
      let operation: string;
      try {
        operation = decodeURIComponent((rawParam(query, 'operation') ?? '').replace(/\+/g, ' ')).trim();
      } catch {
        return refuse(400, 'the operation parameter is not percent-encoded text');
      }
      switch (operation.toLowerCase()) {
        case 'getcacaps':
          return respond(PROXY_CAPS, 200, CONTENT_TYPE.caps);
        case 'getcacert': {
          const chain = await engine.configurations.connector(configuration.caId).caCertificates();
          return respond(buildCertsOnly({ certificates: [ra.certificate, ...chain] }) as Uint8Array<ArrayBuffer>, 200, CONTENT_TYPE.caRaCert);
        }
        case 'getnextcacert':
          return refuse(404, 'the MDM SCEP proxy has no next CA certificate (GetNextCACert is not in its capabilities)');
        case 'pkioperation':
          return await pkiOperation(request, query, configurationId);
        default:
          return refuse(400, `${operation ? `unknown operation "${operation}"` : 'missing operation parameter'}; supported operations: GetCACaps, GetCACert, PKIOperation`);
      }
    } catch (error) {
      const engineError = toEngineError(error);
      return refuse(engineError.status, engineError.message);
    }
  };
}
