/**
 * Licence packs for orders: choosing the pack an order uses, holding a licence for it while its certificate is
 * signed, and consuming that licence inside the write that records the order.
 *
 * An issuing order is recorded in one group commit after its signature (service.ts), so the licence is taken
 * there, not when the order arrives. Two layers keep a pack from being over-consumed:
 * - in this process, a reservation counts against the pack from the order's checks until its write, so
 *   concurrent orders are refused with licenceExhausted before anything is signed, exactly as when the licence
 *   was consumed up front;
 * - across processes sharing the store (cluster workers), consume() re-reads the pack inside the write
 *   transaction, which holds the database's write lock, and takes another live pack or refuses when another
 *   process used the last licence in the meantime (the signed certificate is then never delivered).
 */
import type { Clock } from '../../core/clock.js';
import { EpkiError } from './errors.js';
import type { EpkiState, LicencePack } from './state.js';

export interface LicenceRequest {
  corporateId: string;
  profileId: string;
  productCode: string;
  years: number;
}

/** A licence held for one order until its write; release() is idempotent. */
export interface LicenceReservation {
  readonly licenseNo: string;
  release(): void;
}

export class LicenceLedger {
  /** licenseNo → licences held by orders of this process that are being signed. */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly state: EpkiState,
    private readonly clock: Clock,
  ) {}

  /** Licences of `pack` held by in-flight orders of this process. */
  heldOf(licenseNo: string): number {
    return this.held.get(licenseNo) ?? 0;
  }

  /** The pack an order uses, refused in the reference's order: no matching pack, all expired, none left. */
  choose(request: LicenceRequest): LicencePack {
    const packs = this.matching(request);
    if (packs.length === 0) throw new EpkiError('licenceNoMatch');
    const live = this.live(packs);
    if (live.length === 0) throw new EpkiError('licenceExpired');
    const pack = live.find((p) => p.used + this.heldOf(p.licenseNo) < p.count);
    if (!pack) throw new EpkiError('licenceExhausted');
    return pack;
  }

  /** Holds one licence of `pack` (call in the same turn as choose(), so no other order slips in between). */
  reserve(pack: LicencePack): LicenceReservation {
    const licenseNo = pack.licenseNo;
    this.held.set(licenseNo, this.heldOf(licenseNo) + 1);
    let released = false;
    return {
      licenseNo,
      release: () => {
        if (released) return;
        released = true;
        const left = this.heldOf(licenseNo) - 1;
        if (left > 0) this.held.set(licenseNo, left);
        else this.held.delete(licenseNo);
      },
    };
  }

  /**
   * Inside a write transaction (synchronous): uses one licence of the reserved pack, re-read from the store; when
   * another process used it up, one of another live matching pack with a licence no order here holds; else
   * EpkiError('licenceExhausted'). Releases the reservation, so the licence counts once (as used) from here on.
   */
  consume(reservation: LicenceReservation, request: LicenceRequest): LicencePack {
    reservation.release();
    const taken = this.take(reservation.licenseNo);
    if (taken) return taken;
    const other = this.live(this.matching(request)).find((p) => p.used + this.heldOf(p.licenseNo) < p.count);
    const pack = other && this.take(other.licenseNo);
    if (!pack) throw new EpkiError('licenceExhausted');
    return pack;
  }

  /** One licence of pack `licenseNo` used, in one read-modify-write; undefined when the pack is gone or used up. */
  private take(licenseNo: string): LicencePack | undefined {
    const seen = { left: false };
    const pack = this.state.licences.update(licenseNo, (p) => {
      seen.left = p.used < p.count;
      return seen.left ? { ...p, used: p.used + 1 } : p;
    });
    return seen.left ? pack : undefined;
  }

  private matching(r: LicenceRequest): LicencePack[] {
    // Filtered here rather than with list({ where }): the packs are few, and on SQLite one read of them all
    // (statement.all) costs less than the row-by-row walk a predicate takes; this runs on every order.
    return this.state.licences
      .list()
      .filter((p) => p.corporateId === r.corporateId && p.profileId === r.profileId && p.productCode === r.productCode && p.years === r.years);
  }

  private live(packs: LicencePack[]): LicencePack[] {
    const now = this.clock.now().getTime();
    return packs.filter((p) => Date.parse(p.expiresAt) > now);
  }
}
