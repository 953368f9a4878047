/**
 * The GCC account model of the simulator, kept in the Store (collections `globalsign-epki:*`): accounts with their
 * API IP range, API users, EPKI profiles with their vetting state and DN, licence packs, and orders.
 *
 * ASSUMPTION: the guide sets the "API IP Address Range" in Profile Configuration; the simulator keeps one range
 * per account (every profile of the account shares it), which is what SEPPmail describes ("the caller's IP must
 * be activated").
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Clock } from '../../core/clock.js';
import type { Collection, Store } from '../store/index.js';
import { EPKI_DEFAULTS } from './fixtures.js';

export type AccountState = 'active' | 'locked';
/** ASSUMPTION: the values of ProfileOrderState; only VALIDATED is seen (guide 001's Search Profiles table). */
export type ProfileState = 'REQUESTED' | 'VALIDATED' | 'CANCELLED' | 'SUSPENDED';

export interface EpkiAccount {
  corporateId: string;
  state: AccountState;
  ipRanges: string[];
}

export interface EpkiUser {
  userName: string;
  corporateId: string;
  passwordSha256: string;
  admin: boolean;
}

export interface EpkiProfile {
  profileId: string;
  corporateId: string;
  state: ProfileState;
  organization: string;
  organizationUnits: string[];
  locality?: string;
  stateOrProvince?: string;
  country: string;
  /** "Lock a unique OU" / lock base DN: orders may only use the profile's OUs. */
  lockBaseDn: boolean;
  hash: 'SHA-256' | 'SHA-1';
  requestDate: string;
  issueDate?: string;
}

export interface LicencePack {
  licenseNo: string;
  corporateId: string;
  profileId: string;
  productCode: string;
  years: number;
  count: number;
  used: number;
  expiresAt: string;
  orderedAt: string;
}

/** ASSUMPTION: the SSL API's order status numbers (reference §7). */
export const ORDER_STATUS = { initial: 1, cancelledBeforeIssue: 3, issued: 4, cancelledAfterIssue: 5, revoked: 7 } as const;

export interface EpkiOrder {
  orderId: string;
  corporateId: string;
  userName: string;
  profileId: string;
  licenseNo: string;
  productCode: string;
  years: number;
  operation: string;
  status: number;
  commonName: string;
  email?: string;
  organizationUnits: string[];
  subject?: string;
  serialHex?: string;
  /** Base64 DER. */
  certificate?: string;
  notBefore?: string;
  notAfter?: string;
  spkiSha256?: string;
  pickupPassword?: string;
  originalOrderId?: string;
  reissuedBy?: string;
  requestDate: string;
  issueDate?: string;
  cancelDate?: string;
  revokeDate?: string;
  events: { name: string; at: string }[];
}

export function hashPassword(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

export function passwordMatches(user: EpkiUser, password: string): boolean {
  const a = Buffer.from(user.passwordSha256, 'hex');
  const b = Buffer.from(hashPassword(password), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether `address` is inside one of the CIDR ranges or single addresses (IPv4-mapped IPv6 counts as IPv4). */
export function ipAllowed(address: string, ranges: readonly string[]): boolean {
  const plain = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  return blockListOf(ranges).check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
}

/** Built BlockLists by their ranges: every request checks its account's ranges, which rarely change. */
const blockLists = new Map<string, BlockList>();
const BLOCK_LISTS_KEPT = 64;

function blockListOf(ranges: readonly string[]): BlockList {
  const id = ranges.join(' ');
  let list = blockLists.get(id);
  if (list) return list;
  list = new BlockList();
  for (const range of ranges) {
    const [ip, bits] = range.split('/');
    if (!ip) continue;
    const type = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : undefined;
    if (!type) continue;
    if (bits === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(bits), type);
  }
  if (blockLists.size >= BLOCK_LISTS_KEPT) blockLists.clear();
  blockLists.set(id, list);
  return list;
}

export class EpkiState {
  readonly accounts: Collection<EpkiAccount>;
  readonly users: Collection<EpkiUser>;
  readonly profiles: Collection<EpkiProfile>;
  readonly licences: Collection<LicencePack>;
  readonly orders: Collection<EpkiOrder>;
  /** Increases on every reset(), so caches over the orders know to rebuild. */
  generation = 0;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly name: string,
  ) {
    this.accounts = store.collection(`${name}:accounts`);
    this.users = store.collection(`${name}:users`);
    this.profiles = store.collection(`${name}:profiles`);
    this.licences = store.collection(`${name}:licences`);
    this.orders = store.collection(`${name}:orders`);
  }

  /** Seeds the default account (fixtures.ts) unless an account exists already (a persisted store keeps its own). */
  seedDefaults(): void {
    if (this.accounts.count() > 0) return;
    this.reset();
  }

  /** Drops every account, user, profile, pack and order and seeds the defaults again. */
  reset(): void {
    this.generation++;
    this.store.transaction(() => {
      for (const collection of [this.accounts, this.users, this.profiles, this.licences, this.orders] as Collection<unknown>[]) {
        for (const id of collection.list().map((v) => idOf(v))) collection.delete(id);
      }
      const now = this.clock.now();
      const d = EPKI_DEFAULTS;
      this.accounts.put(d.corporateId, { corporateId: d.corporateId, state: 'active', ipRanges: [...d.ipRanges] });
      this.users.put(d.username, { userName: d.username, corporateId: d.corporateId, passwordSha256: hashPassword(d.password), admin: true });
      const profile = (profileId: string, state: ProfileState): EpkiProfile => ({
        profileId,
        corporateId: d.corporateId,
        state,
        organization: d.organization,
        organizationUnits: [d.organizationUnit],
        locality: d.locality,
        stateOrProvince: d.stateOrProvince,
        country: d.country,
        lockBaseDn: true,
        hash: 'SHA-256',
        requestDate: now.toISOString(),
        ...(state === 'VALIDATED' ? { issueDate: now.toISOString() } : {}),
      });
      this.profiles.put(d.profileId, profile(d.profileId, 'VALIDATED'));
      this.profiles.put(d.unvettedProfileId, profile(d.unvettedProfileId, 'REQUESTED'));
      this.licences.put(d.licenseNo, {
        licenseNo: d.licenseNo,
        corporateId: d.corporateId,
        profileId: d.profileId,
        productCode: d.productCode,
        years: d.years,
        count: d.licenceCount,
        used: 0,
        expiresAt: new Date(now.getTime() + 365 * 86_400_000).toISOString(),
        orderedAt: now.toISOString(),
      });
    });
  }
}

function idOf(value: unknown): string {
  const v = value as Record<string, string>;
  return v.orderId ?? v.licenseNo ?? v.profileId ?? v.userName ?? v.corporateId ?? '';
}
