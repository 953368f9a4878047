/**
 * simulators/devices: emulated phones that talk to the MDM engine and to CAs over HTTP only.
 *
 *   IosDevice      .mobileconfig profiles (com.apple.security.scep / .pkcs12 / .root), validated and enrolled as
 *                  iOS does; a Keychain; register() + sync() against the engine's device API
 *   AndroidAgent   a Mobile@Work-style agent: register(), updateConfiguration(); SCEP with a key made on the
 *                  device (optionally BER pkiMessages), PKCS#12 made on the server, roots; a Keystore by alias
 *   MdmClient / MdmSession   the device API contract (core/engine/http/DEVICE-API.md), with per-step timings
 *   KeyPool        device keys made up front so fleets measure the protocol, not key generation
 *   runFleet       N devices, C at a time, with p50/p95/p99 per step (`mdmca devices`)
 */
export { AndroidAgent, type AndroidAgentOptions, type AndroidInstallRecord } from './android/agent.js';
export { berTransport, toIndefiniteLength } from './android/ber.js';
export { type AndroidConfiguration, parseAndroidConfiguration } from './android/config.js';
export { ANDROID_ERRORS, AndroidAgentError } from './android/errors.js';
export { Keystore, type KeystoreEntry, type KeystoreSnapshot } from './android/keystore.js';
export { enrollAndroidScep } from './android/scep-enroll.js';
export { type CertificateSummary, type InstalledIdentity, summarizeCertificate } from './credentials.js';
export { type FetchLike, handlerFetch } from './fetch.js';
export { IosDevice, type IosDeviceOptions, type ProfileInstallResult } from './ios/device.js';
export { IOS_ERRORS, IosProfileError } from './ios/errors.js';
export { Keychain, type KeychainIdentity, type KeychainSnapshot } from './ios/keychain.js';
export { type Mobileconfig, parseMobileconfig, type Payload } from './ios/mobileconfig.js';
export { buildMobileconfig, signMobileconfig, subjectToApple } from './ios/profile-builder.js';
export { enrollScepPayload, iosCipher, iosDigest } from './ios/scep-enroll.js';
export { type ScepPayloadSettings } from './ios/scep-payload.js';
export { freshKeys, KeyPool, type KeySource } from './key-pool.js';
export { MdmApiError, MdmClient, mdmBase } from './mdm-client.js';
export { MdmSession, type StepName, type StepTiming, type SyncResult } from './mdm-session.js';
export { type FleetOptions, type FleetResult, type FleetTarget, runFleet } from './fleet/run.js';
export { formatFleetSummary } from './fleet/summary.js';
export { urlTarget } from './fleet/url-target.js';
export { type EmbeddedFleetOptions, startEmbeddedFleetTarget } from './fleet/embedded-target.js';
export { AdminError, adminCall } from './engine-admin.js';
