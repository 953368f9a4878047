/**
 * The challengePassword links: a static shared secret (micromdm's StaticChallengeMiddleware, compared in
 * constant time) and one-time challenges that expire (NDES's mscep_admin: single use, 60 minutes by default).
 * One-time challenges are kept hashed (RFC 8894 §2.2 asks for stored hashes), so a dump of the store does not
 * enrol anyone. A verified renewal needs no challenge (RFC 8894 §2.2: renewal SHOULD omit it).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import { FailInfo } from './constants.js';
import { type EnrollmentPolicy, reject } from './policy.js';

export interface ChallengeRecord {
  issuedAt: string;
  expiresAt: string;
}

/** Where one-time challenges live: a Map by default; the simulators' Store Collection fits as it is. */
export interface ChallengeBackend {
  get(id: string): ChallengeRecord | undefined;
  /** Insert only: false when `id` exists. */
  insert(id: string, value: ChallengeRecord): boolean;
  /** false when `id` was absent: someone else consumed it first. */
  delete(id: string): boolean;
}

class MapBackend implements ChallengeBackend {
  private readonly map = new Map<string, ChallengeRecord>();
  get(id: string) {
    return this.map.get(id);
  }
  insert(id: string, value: ChallengeRecord) {
    if (this.map.has(id)) return false;
    this.map.set(id, value);
    return true;
  }
  delete(id: string) {
    return this.map.delete(id);
  }
}

export type ChallengeClaim =
  | { status: 'accepted'; /** Puts the challenge back (the request failed later for another reason). */ restore(): void }
  | { status: 'unknown' }
  | { status: 'expired'; expiredAt: Date };

/** NDES's lifetime for a one-time challenge. */
export const DEFAULT_CHALLENGE_TTL_SECONDS = 3600;

const hashOf = (challenge: string) => createHash('sha256').update(challenge, 'utf8').digest('hex');

export class OneTimeChallenges {
  constructor(
    private readonly clock: Clock,
    private readonly backend: ChallengeBackend = new MapBackend(),
  ) {}

  /**
   * A fresh challenge: 16 random bytes as upper-case hex, which fits a PrintableString (what every client
   * writes challengePassword as) and survives any URL or profile escaping.
   */
  issue(ttlSeconds = DEFAULT_CHALLENGE_TTL_SECONDS): { challenge: string; expiresAt: Date } {
    if (!(ttlSeconds > 0)) throw new RangeError(`ttlSeconds must be positive, got ${ttlSeconds}`);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    for (;;) {
      const challenge = randomBytes(16).toString('hex').toUpperCase();
      if (this.backend.insert(hashOf(challenge), { issuedAt: now.toISOString(), expiresAt: expiresAt.toISOString() })) {
        return { challenge, expiresAt };
      }
    }
  }

  /** Takes the challenge out atomically: a second request with it finds it unknown. */
  consume(challenge: string): ChallengeClaim {
    const id = hashOf(challenge);
    const record = this.backend.get(id);
    if (!record || !this.backend.delete(id)) return { status: 'unknown' };
    const expiresAt = new Date(record.expiresAt);
    if (this.clock.now() > expiresAt) return { status: 'expired', expiredAt: expiresAt };
    return { status: 'accepted', restore: () => void this.backend.insert(id, record) };
  }
}

function sameSecret(given: string, expected: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

export interface ChallengePolicyOptions {
  /** The static challenge, or a getter for one that may change at run time; undefined = none. */
  secret?: string | (() => string | undefined);
  /** One-time challenges accepted besides the static one. */
  oneTime?: OneTimeChallenges;
  /** Whether a challenge is required now; default always. */
  required?: () => boolean;
}

/**
 * Requires a challengePassword that equals the static secret or is an unused, unexpired one-time challenge.
 * Failures are FAILURE badRequest with a failInfoText saying which. A one-time challenge is consumed when it
 * is accepted and put back when a later link rejects the request, so a device whose CSR was refused for another
 * reason can try again with the challenge it was given.
 */
export function challengePolicy(options: ChallengePolicyOptions): EnrollmentPolicy {
  return async (context, next) => {
    if (context.authenticatedBy === 'renewal') return next();
    if (options.required && !options.required()) return next();
    const given = context.csr.challengePassword;
    if (given === undefined || given === '') {
      return reject(FailInfo.badRequest, 'the CSR has no challengePassword, and this CA requires one');
    }
    const secret = typeof options.secret === 'function' ? options.secret() : options.secret;
    if (secret !== undefined && sameSecret(given, secret)) {
      context.authenticatedBy = 'challenge';
      context.notes.push('static challenge accepted');
      return next();
    }
    if (options.oneTime) {
      const claim = options.oneTime.consume(given);
      if (claim.status === 'expired') {
        return reject(FailInfo.badRequest, `the challengePassword expired at ${claim.expiredAt.toISOString()}`);
      }
      if (claim.status === 'accepted') {
        context.authenticatedBy = 'one-time challenge';
        context.notes.push('one-time challenge consumed');
        let result;
        try {
          result = await next();
        } catch (error) {
          claim.restore();
          throw error;
        }
        if (result.kind === 'rejected' || result.kind === 'http') claim.restore();
        return result;
      }
      if (secret === undefined) return reject(FailInfo.badRequest, 'the challengePassword is unknown or was already used');
    }
    return reject(FailInfo.badRequest, 'the challengePassword is incorrect');
  };
}

/** micromdm's -challenge: one shared secret. */
export function staticChallenge(secret: string | (() => string | undefined)): EnrollmentPolicy {
  return challengePolicy({ secret });
}
