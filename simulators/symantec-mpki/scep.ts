/**
 * SCEP for the same profiles (vendor-apis.md §A.6): one RFC 8894 server (core/scep) per profile OID at
 * scepPath(oid) (an ASSUMPTION kept in wire.ts), with a passcode link in its policy chain. The per-seat passcode
 * (userManagementService createOrUpdatePasscode, or the admin surface) is the CSR's challengePassword; refusals
 * are plain HTTP answers with the PKI Platform's status and text (SCEP_PASSCODE_ERRORS):
 *   401 wrong passcode (each one counts; maxPasscodeAttempts locks it), 406 expired, 412 redeemed or locked,
 *   400 the CSR does not match the profile (no CN, seat ID not in the attribute the profile names, key size).
 * ASSUMPTION: the seat is found from the CSR (the email in the SAN or subject for an email seat attribute, the CN
 * otherwise), else from the passcode value itself.
 */
import { SCEP_PASSCODE_ERRORS, SCEP_PATH_PREFIX, type ScepPasscodeError } from '../../core/connectors/symantec-mpki/wire.js';
import type { Handler } from '../../core/http.js';
import type { ParsedCsr } from '../../core/pki/csr.js';
import { FailInfo } from '../../core/scep/constants.js';
import { type EnrollmentPolicy, httpRefusal, reject } from '../../core/scep/policy.js';
import { createScepServer, type ScepHandler } from '../../core/scep/server.js';
import { writeBatched } from '../store/index.js';
import { MpkiError } from './errors.js';
import { SYMANTEC_DEFAULTS } from './fixtures.js';
import { EMAIL_FIELDS, type MpkiService, type NameValue } from './service.js';
import { type MpkiProfile, passcodeKey, seatKey, userKey } from './state.js';

function emailOf(csr: ParsedCsr): string | undefined {
  return csr.extensions.subjectAltNames?.find((n) => n.type === 'email')?.value ?? csr.subject.get('emailAddress');
}

function seatOf(profile: MpkiProfile, csr: ParsedCsr): string | undefined {
  return EMAIL_FIELDS.includes(profile.seatIdAttribute) ? emailOf(csr) : csr.subject.get('CN');
}

/** The passcode was redeemed, locked or changed by a concurrent request (another process) since it was checked. */
class PasscodeTaken extends Error {
  constructor(readonly status: string) {
    super(`passcode is ${status}`);
  }
}

function passcodePolicy(oid: string, service: MpkiService): EnrollmentPolicy {
  const state = service.state;
  return async (context, next) => {
    const profile = state.profiles.get(oid);
    if (!profile || profile.status !== 'Active') return reject(FailInfo.badRequest, `Certificate profile ${oid} not found`);
    const csr = context.csr;
    const challenge = csr.challengePassword;
    const seatId = seatOf(profile, csr);
    const refuse = (key: ScepPasscodeError, detail: string) => {
      const { status, text } = SCEP_PASSCODE_ERRORS[key];
      state.record({ event: 'scep', outcome: 'refused', detail: `${text}: ${detail}`, profileOid: oid, errorCode: String(status), ...(seatId ? { seatId } : {}) });
      return httpRefusal(status, text);
    };
    let record = seatId ? state.passcodes.get(passcodeKey(seatId, oid)) : undefined;
    record ??= challenge ? state.passcodes.list({ where: (p) => p.certificateProfileOid === oid && p.passcode === challenge })[0] : undefined;
    if (!record) return refuse('authenticationFailed', `no passcode for seat ${seatId ?? '(none in the CSR)'}`);
    const key = passcodeKey(record.seatId, oid);
    if (record.status !== 'ACTIVE') return refuse('redeemedOrLocked', `passcode of ${record.seatId} is ${record.status}`);
    if (record.passcode !== challenge) {
      const updated = state.passcodes.update(key, (p) => {
        const attempts = p.numberOfBadAttempts + 1;
        return { ...p, numberOfBadAttempts: attempts, ...(attempts >= SYMANTEC_DEFAULTS.maxPasscodeAttempts ? { status: 'LOCKED' as const } : {}) };
      });
      if (updated?.status === 'LOCKED') return refuse('redeemedOrLocked', `too many bad attempts for ${record.seatId}`);
      return refuse('authenticationFailed', `wrong passcode for ${record.seatId}`);
    }
    if (Date.parse(record.expiryDateTime) <= context.now.getTime()) return refuse('expired', `passcode of ${record.seatId} expired at ${record.expiryDateTime}`);
    const commonName = csr.subject.get('CN');
    if (!commonName) return refuse('verificationFailed', 'the CSR has no common name');
    if (!seatId || seatId.toLowerCase() !== record.seatId.toLowerCase()) return refuse('verificationFailed', `the CSR does not carry the seat ID ${record.seatId} as ${profile.seatIdAttribute}`);
    try {
      service.checkKey(profile, csr);
    } catch (error) {
      if (error instanceof MpkiError) return refuse('verificationFailed', error.message);
      throw error;
    }
    const email = emailOf(csr);
    const upn = csr.extensions.subjectAltNames?.find((n) => n.type === 'upn')?.value;
    const pairs: NameValue[] = [
      { name: 'common_name', value: commonName },
      { name: profile.seatIdAttribute, value: record.seatId },
      ...(email && profile.seatIdAttribute !== 'mail_email' ? [{ name: 'mail_email', value: email }] : []),
      ...(upn && profile.upnField ? [{ name: profile.upnField, value: upn }] : []),
    ];
    const hadSeat = state.seats.get(seatKey(profile.seatKind, record.seatId)) !== undefined;
    const hadUser = state.users.get(userKey(record.seatId)) !== undefined;
    // The seat is taken and the passcode redeemed in one transaction, before the await, so a concurrent request
    // with the same passcode is refused (the status is re-read under the write lock: another process may have
    // redeemed it since); both are undone below unless a certificate was issued, so the device can retry.
    try {
      state.store.transaction(() => {
        const current = state.passcodes.get(key);
        if (current?.status !== 'ACTIVE' || current.passcode !== challenge) throw new PasscodeTaken(current?.status ?? 'gone');
        state.passcodes.update(key, (p) => ({ ...p, status: 'REDEEMED' }));
        service.takeSeat(profile, record.seatId, pairs);
      });
    } catch (error) {
      if (error instanceof PasscodeTaken) return refuse('redeemedOrLocked', `passcode of ${record.seatId} is ${error.status}`);
      if (error instanceof MpkiError) {
        state.record({ event: 'scep', outcome: 'refused', detail: error.message, profileOid: oid, seatId: record.seatId, errorCode: error.code });
        return reject(FailInfo.badRequest, error.message);
      }
      throw error;
    }
    const shape = service.certificateShape(profile, pairs, record.seatId);
    context.overrides.subject = shape.subject;
    context.overrides.subjectAltNames = shape.san;
    context.profile = shape.profile;
    const undo = () =>
      state.store.transaction(() => {
        state.passcodes.update(key, (p) => (p.status === 'REDEEMED' ? { ...p, status: 'ACTIVE' } : p));
        if (!hadSeat) service.releaseSeat(profile, record.seatId);
        if (!hadUser) state.users.delete(userKey(record.seatId));
      });
    let result: Awaited<ReturnType<typeof next>>;
    try {
      result = await next();
    } catch (error) {
      undo();
      throw error;
    }
    if (result.kind !== 'issued') undo();
    if (result.kind === 'issued') {
      const issued = result.certificate;
      // One group commit (Store.batch) for the certificate and its audit record; answered once it is committed.
      await writeBatched(state.store, () => {
        const meta = service.recordIssued(issued, profile, record.seatId, pairs, 'scep', shape);
        state.record({ event: 'scep', outcome: 'success', detail: `issued ${meta.serialHex}`, profileOid: oid, seatId: record.seatId, serialHex: meta.serialHex });
      });
    }
    return result;
  };
}

/** The handler of every /pki-scep/<oid>/pkiclient.exe path; one SCEP server per profile, made on first use. */
export function createMpkiScep(service: MpkiService): Handler {
  const servers = new Map<string, ScepHandler>();
  return async (request, peer) => {
    const path = new URL(request.url).pathname;
    const oid = path.slice(SCEP_PATH_PREFIX.length).split('/')[0] ?? '';
    const profile = service.state.profiles.get(oid);
    if (!profile || profile.status !== 'Active') return new Response(`Certificate profile ${oid || '(none)'} not found\n`, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    let server = servers.get(oid);
    if (!server) {
      server = createScepServer({ ca: service.ca, policies: [passcodePolicy(oid, service)], caps: ['POSTPKIOperation', 'SHA-256', 'SHA-1', 'AES', 'SCEPStandard'] });
      servers.set(oid, server);
    }
    return server(request, peer);
  };
}
