/**
 * core/connectors/symantec-mpki: MobileIron VSP's "Symantec Web Services Managed PKI" setting (guide 000).
 *
 * Public API
 *   class SymantecMpkiConnector(settings: SymantecCaSettings, context?: ConnectorContext, options?: {onExchange?, poster?, timeoutMs?})
 *     implements CaConnector; profiles(refresh?), profileOids(), fieldsFor(params, policy), poll(pending), client(), close()
 *   class SymantecPendingError extends ConnectorError('pending') {referenceId, profileOid, request}
 *   checkServer(server) — the guide's host-name rule; readRaCertificate(pathOrBase64)
 *   class SymantecMpkiClient(server, poster) {getPolicies, requestSecurityToken, updateCertificateStatus, searchCertificate, getStatus}
 *   class SymantecFault {faultcode, faultstring, errorcode, detailMessage}; message "<message> (<errorcode>)"
 *   class SymantecTransport({pfx, passphrase, trustedCertificates?, timeoutMs?, maxResponseBytes?, clock?, onExchange?}) {post, close}
 *   sendMutualTls(url, {agent?|tls?, method?, headers?, body?, timeoutMs, maxResponseBytes}) → {status, contentType, headers, body};
 *     failures are SendFailure {cause, reusedSocket, responded, connected, secured}; isReset(error)
 *   wire.ts: the wire contract shared with simulators/symantec-mpki (REVOCATION_REASON_MAP {toWire, fromWire},
 *     revocationOperation(reason) → {operationType, revocationReason?})
 */
export { SymantecMpkiConnector, SymantecPendingError, checkServer, readRaCertificate, RESERVED_PARAMS, SEAT_ID_FIELD, DEFAULT_SEAT_ATTRIBUTE, type SymantecConnectorOptions } from './connector.js';
export {
  SymantecMpkiClient,
  SymantecFault,
  type SoapPoster,
  type SymantecPolicy,
  type SymantecCa,
  type PoliciesResult,
  type TokenRequest,
  type TokenResponse,
  type StatusUpdate,
  type StatusUpdateResult,
  type CertificateSearch,
  type CertificateInformation,
  type HealthStatus,
} from './client.js';
export {
  SymantecTransport,
  sendMutualTls,
  SendFailure,
  isReset,
  type MutualTlsOptions,
  type MutualTlsRequest,
  type MutualTlsAnswer,
  type SymantecExchange,
  type SymantecTransportOptions,
  type SoapHttpAnswer,
  DEFAULT_RESPONSE_LIMIT,
  DEFAULT_TIMEOUT_MS,
} from './transport.js';
