/**
 * core/connectors: the MDM engine's side of the MDM <-> CA boundary.
 *
 * Public API
 *   interface CaConnector { type, capabilities: ConnectorCapabilities {csr, serverGeneratedKey, revoke, status,
 *     directScep}, testConnection(): Promise<ConnectionTest> (never throws; {ok:false, message} carries the
 *     product's text), caCertificates(), enroll(EnrollmentRequest {key: {csr} | {serverGeneratedKey: {keySpec}},
 *     subject, subjectAltNames?, profile: {certificateType, validityDays?, params?}}): Promise<IssuedCredential>,
 *     revoke(serialHex, reason?), status(serialHex), directEnrollment?() }
 *   class ConnectorError {code, message (product text), detail, fix, assumption}
 *   class ScepConnector(settings: ScepCaSettings, context?: {clock, fetch, keyFactory})
 *   class GlobalSignEpkiConnector(settings: GlobalSignCaSettings, context?) {profiles(), profileIds(), …}; GasOrderClient
 *   class ConnectorRegistry {register(factory), has(type), create(settings, context)}; defaultConnectors()
 *   CA configuration schemas (settings.ts): caSettingsSchema (scep | globalsign-epki | symantec-mpki | opentrust-cms)
 *   class SymantecMpkiConnector(settings: SymantecCaSettings, context?, options?) and its client/transport (symantec-mpki/)
 *   Product texts (texts.ts): noEndpointListening(url) (guide 004), …
 */
export * from './types.js';
export * from './settings.js';
export { ScepConnector, type ConnectorContext, PROXY_SIGNER_SUBJECT } from './scep.js';
export { ConnectorRegistry, type ConnectorFactory, defaultConnectors, scepConnectorFactory, globalSignEpkiConnectorFactory, symantecMpkiConnectorFactory } from './registry.js';
export { GlobalSignEpkiConnector, type EpkiProfileSummary, LICENCE_FIX, wordingOf, certificatesOfCert } from './globalsign-epki.js';
export { GasOrderClient, GasError, GAS_NAMESPACE } from './globalsign-epki-client.js';
export * as connectorTexts from './texts.js';
export * from './symantec-mpki/index.js';
