/**
 * core/engine: the MDM enrollment engine (DESIGN.md, the MDM role).
 *
 * Public API
 *   MdmEngine.create({store, clock, product?, connectors?, connectorContext?, directorySeed?, prefix?, proxyIdentity?,
 *     keyFactory?, challengeTtlSeconds?}): Promise<MdmEngine>
 *     .directory (core/directory) · .configurations (CA + certificate configurations CRUD, connector per CA) ·
 *     .log (certificate logs, search) · .delivery (listFor, payload, report) · .proxy (SCEP proxy decisions) ·
 *     .renewals.run(now?) · register(body) · authenticate(authorization, deviceId) · saveConfiguration(body, id?) ·
 *     issueTestCertificate(id) · revoke(entryId, reason?) · remove(entryId) · retireDevice(id)
 *   createDeviceApi(engine, {allowLegacyCiphers?}): Handler — /mdm/api/v1/… and the SCEP proxy /mdm/scep/{id}
 *   createEngineAdmin(engine, base): Handler — /__mdmca/<name>/… (users, devices, labels, groups, cas,
 *     configurations, certificates, renewals)
 *   Schemas: configurationSchema, identityConfigurationSchema, rootConfigurationSchema, distributionSchema,
 *     integrationConfigSchema (the file `mdmca doctor` reads); EngineError (contract error form)
 *   Failure scenarios (failure-scenarios.ts) and the doctor (doctor.ts): FAILURE_SCENARIOS, diagnose(config)
 */
export { MdmEngine, type MdmEngineOptions, registrationSchema, statusReportSchema } from './engine.js';
export * from './model.js';
export { EngineError, type Issue, toEngineError } from './errors.js';
export { CertificateLog, type CertificateLogEntry, type CertificateLogQuery, type CertificateLogStatus } from './cert-log.js';
export { Configurations, type StoredCa } from './configurations.js';
export { type DevicePayload, type ConfigurationSummary, proxyPath } from './delivery.js';
export { TEST_CERTIFICATE_USER } from './issuance.js';
export type { RenewalRun, RenewalAction } from './renewal.js';
export type { DirectorySeed } from './directory-store.js';
export type { EngineStore, EngineCollection } from './persistence.js';
export { PROXY_RA_SUBJECT } from './proxy-identity.js';
export { createDeviceApi, DEVICE_API_PREFIX } from './http/device-api.js';
export { createEngineAdmin } from './http/admin-api.js';
export { buildMobileconfig, MOBILECONFIG_CONTENT_TYPE } from './profiles/ios.js';
export { buildAndroidConfiguration } from './profiles/android.js';
