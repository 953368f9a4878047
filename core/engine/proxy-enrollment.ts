/**
 * What the engine decides when a device's PKCSReq reaches its SCEP proxy ("SCEP proxy through the MDM", guide
 * 000 "Enable Proxy"): the CSR's challengePassword must be a live one-time challenge the engine put into this
 * device's configuration (single use), the device must still be active and in the distribution, and the CSR's
 * subject must be the one the configuration's template gave; then the certificate comes from the CA through the
 * connector and is logged. A resent request (same transactionID and key) gets the same certificate again.
 */
import type { Clock } from '../clock.js';
import type { Directory } from '../directory/directory.js';
import type { ParsedCsr } from '../pki/csr.js';
import { dnEquals } from '../pki/names.js';
import { FailInfo } from '../scep/constants.js';
import type { CertificateLog } from './cert-log.js';
import type { Configurations } from './configurations.js';
import type { Delivery } from './delivery.js';
import type { Issuance } from './issuance.js';
import { buildRequestFields } from './request-data.js';
import { EngineState, sha256Hex } from './state.js';

export type ProxyOutcome =
  | { kind: 'issued'; certificate: Uint8Array; chain: Uint8Array[]; entryId: string }
  | { kind: 'failed'; failInfo: FailInfo; text: string };

export interface ProxyEnrollmentOptions {
  configurations: Configurations;
  directory: Directory;
  state: EngineState;
  log: CertificateLog;
  issuance: Issuance;
  delivery: Delivery;
  clock: Clock;
}

const failed = (failInfo: FailInfo, text: string): ProxyOutcome => ({ kind: 'failed', failInfo, text });

export class ProxyEnrollment {
  constructor(private readonly options: ProxyEnrollmentOptions) {}

  async enroll(configurationId: string, csr: ParsedCsr, transactionId: string): Promise<ProxyOutcome> {
    const { state, log, configurations, directory } = this.options;
    const keyHash = sha256Hex(csr.spkiDer);
    const replay = state.transactions.get(transactionId);
    if (replay) {
      if (replay.keyHash !== keyHash) return failed(FailInfo.badRequest, `transactionID ${transactionId} is already in use for another key`);
      const entry = log.get(replay.entryId);
      if (entry?.der && entry.status === 'issued') {
        return { kind: 'issued', certificate: new Uint8Array(Buffer.from(entry.der, 'base64')), chain: [], entryId: entry.id };
      }
    }
    const configuration = configurations.findConfiguration(configurationId);
    if (!configuration || configuration.id !== configurationId || configuration.kind !== 'identity' || !configuration.enableProxy || configuration.cacheLocallyGeneratedKeys) {
      return failed(FailInfo.badRequest, `no SCEP proxy configuration "${configurationId}"`);
    }
    const challenge = csr.challengePassword;
    if (!challenge) return failed(FailInfo.badRequest, 'the CSR has no challengePassword; the MDM requires the one-time challenge of the configuration');
    const hash = sha256Hex(challenge);
    const record = state.challenges.get(hash);
    if (!record || record.configurationId !== configuration.id) return failed(FailInfo.badRequest, 'the challengePassword is unknown or was already used');
    if (new Date(record.expiresAt) < this.options.clock.now()) {
      state.challenges.delete(hash);
      return failed(FailInfo.badRequest, `the challengePassword expired at ${record.expiresAt}`);
    }
    const device = directory.getDevice(record.deviceId);
    if (!device || device.status !== 'active') return failed(FailInfo.badRequest, `device ${record.deviceId} is not registered`);
    if (!this.options.delivery.isDistributed(configuration, device)) {
      return failed(FailInfo.badRequest, `configuration "${configuration.name}" is no longer distributed to device ${device.id}`);
    }
    if (!dnEquals(csr.subject, record.subject)) {
      return failed(FailInfo.badRequest, `the CSR subject "${csr.subject.toString()}" is not the configuration's subject "${record.subject}"`);
    }
    // Single use: taken before the CA is asked, put back when the CA fails so the device can try again.
    if (!state.challenges.delete(hash)) return failed(FailInfo.badRequest, 'the challengePassword is unknown or was already used');
    const user = directory.requireUser(device.userId);
    const delivery = state.delivery(device.id, configuration.id);
    // Only the request fields are substituted now (Symantec Required/Optional Fields): the subject and SANs come from
    // the CSR, checked above against what was delivered, so the other templates are not evaluated a second time.
    let fields: Record<string, string>;
    try {
      fields = buildRequestFields(configuration, configurations.productOf(configuration), user, device);
    } catch (error) {
      state.challenges.insert(hash, record);
      const entry = this.options.issuance.logFailure(configuration, user, device, 'scep-proxy', error);
      return failed(FailInfo.badRequest, entry.error!.message);
    }
    let credential;
    try {
      const connector = configurations.connector(configuration.caId);
      credential = await connector.enroll({
        key: { csr: csr.der },
        subject: record.subject,
        subjectAltNames: csr.extensions.subjectAltNames ?? [],
        profile: {
          certificateType: configuration.certificateType,
          ...(configuration.validityDays !== undefined ? { validityDays: configuration.validityDays } : {}),
          params: { ...configuration.caParams },
          fields,
        },
      });
    } catch (error) {
      state.challenges.insert(hash, record);
      const entry = this.options.issuance.logFailure(configuration, user, device, 'scep-proxy', error);
      return failed(FailInfo.badRequest, entry.error!.message);
    }
    const previous = delivery?.currentEntryId ? log.get(delivery.currentEntryId) : undefined;
    const renewing = previous?.status === 'issued';
    const entry = this.options.issuance.logIssued(configuration, user, device, 'scep-proxy', credential, renewing ? { renewalOf: previous!.id } : {});
    if (renewing) log.update(previous!.id, { status: 'superseded', renewedBy: entry.id });
    state.transactions.put(transactionId, { keyHash, entryId: entry.id });
    state.putDelivery(device.id, configuration.id, this.options.clock.now(), { currentEntryId: entry.id, certificateSerial: credential.serialHex });
    // The challenge is spent: forget it on the delivery too.
    state.deliveries.update(EngineState.deliveryId(device.id, configuration.id), ({ challengeHash: _spent, ...rest }) => rest);
    return { kind: 'issued', certificate: credential.certificate, chain: credential.chain, entryId: entry.id };
  }
}
