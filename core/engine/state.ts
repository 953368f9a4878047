/**
 * The engine's run-time records, besides configurations and the certificate log: device tokens, what was
 * delivered to each device (with a generation that renewals and removals raise, so the device sees a new
 * version), the SCEP proxy's one-time challenges (kept hashed), escrowed keys ("cache locally generated keys"),
 * and proxy transactions (so a resent PKCSReq gets the same answer, RFC 8894 §3.3.1).
 */
import { createHash } from 'node:crypto';
import { collectionName, type EngineCollection, type EngineStore } from './persistence.js';

export interface TokenRecord {
  deviceId: string;
  issuedAt: string;
}

export interface DeliveryRecord {
  deviceId: string;
  configurationId: string;
  /** Raised by renewals and removals; the device's version of a configuration is its version plus this. */
  generation: number;
  status: 'pending' | 'delivered' | 'installed' | 'failed';
  deliveredVersion?: number;
  /** The log entry of the certificate the device holds from this configuration. */
  currentEntryId?: string;
  certificateSerial?: string;
  error?: string;
  /** Hash of the live one-time challenge (SCEP proxy). */
  challengeHash?: string;
  updatedAt: string;
}

export interface ChallengeRecord {
  deviceId: string;
  configurationId: string;
  generation: number;
  /** RFC 4514: what the CSR's subject must be. */
  subject: string;
  expiresAt: string;
}

export interface EscrowRecord {
  entryId: string;
  /** PKCS#8 PEM. */
  privateKey: string;
  /** Base64 DER. */
  certificate: string;
  chain: string[];
}

export interface ProxyTransaction {
  keyHash: string;
  entryId: string;
}

export const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

export class EngineState {
  readonly tokens: EngineCollection<TokenRecord>;
  /** deviceId -> the hash of its current token (a new registration replaces it). */
  readonly deviceTokens: EngineCollection<{ tokenHash: string }>;
  readonly deliveries: EngineCollection<DeliveryRecord>;
  readonly challenges: EngineCollection<ChallengeRecord>;
  readonly escrow: EngineCollection<EscrowRecord>;
  readonly transactions: EngineCollection<ProxyTransaction>;
  readonly settings: EngineCollection<Record<string, string>>;

  constructor(store: EngineStore, prefix: string) {
    this.tokens = store.collection(collectionName(prefix, 'tokens'));
    this.deviceTokens = store.collection(collectionName(prefix, 'device-tokens'));
    this.deliveries = store.collection(collectionName(prefix, 'deliveries'));
    this.challenges = store.collection(collectionName(prefix, 'challenges'));
    this.escrow = store.collection(collectionName(prefix, 'escrow'));
    this.transactions = store.collection(collectionName(prefix, 'proxy-transactions'));
    this.settings = store.collection(collectionName(prefix, 'settings'));
  }

  static deliveryId(deviceId: string, configurationId: string): string {
    return `${deviceId}|${configurationId}`;
  }

  delivery(deviceId: string, configurationId: string): DeliveryRecord | undefined {
    return this.deliveries.get(EngineState.deliveryId(deviceId, configurationId));
  }

  /** Creates or changes a delivery record. */
  putDelivery(deviceId: string, configurationId: string, now: Date, patch: Partial<DeliveryRecord>): DeliveryRecord {
    const id = EngineState.deliveryId(deviceId, configurationId);
    const updatedAt = now.toISOString();
    const updated = this.deliveries.update(id, (old) => ({ ...old, ...patch, updatedAt }));
    if (updated) return updated;
    const record: DeliveryRecord = { deviceId, configurationId, generation: 0, status: 'pending', ...patch, updatedAt };
    this.deliveries.put(id, record);
    return record;
  }

  /** Raises the generation of every delivery matching `where`: those devices will see a new version. */
  bumpGeneration(where: (record: DeliveryRecord) => boolean, now: Date): number {
    let count = 0;
    for (const record of this.deliveries.list({ where })) {
      this.deliveries.update(EngineState.deliveryId(record.deviceId, record.configurationId), (old) => ({
        ...old,
        generation: old.generation + 1,
        updatedAt: now.toISOString(),
      }));
      count++;
    }
    return count;
  }
}
