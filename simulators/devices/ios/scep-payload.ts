/**
 * The PayloadContent of a com.apple.security.scep payload (apple/device-management, anchors-scep-mdm.md §6),
 * read and checked as iOS does before it sends anything: URL required; Subject an array of RDNs, each an array of
 * [type, value] pairs (iOS refuses a wrongly nested Subject that macOS tolerates, micromdm/micromdm#40); Key Type
 * "RSA" only; Keysize 1024 (Apple's default), 2048 or 4096; Key Usage a bitmask of 1 (signing) and 4
 * (encryption); Retries and RetryDelay for PENDING; CAFingerprint; SubjectAltName.
 */
import type { PlistValue } from 'plist';
import type { GeneralNameEntry } from '../../../core/pki/general-names.js';
import type { KeyUsageName } from '../../../core/pki/extensions.js';
import { type DnAttributeInput, DistinguishedName } from '../../../core/pki/names.js';
import { IosProfileError } from './errors.js';
import { describe, PayloadReader, type PlistDict } from './payload-reader.js';

export type IosRsaKeySize = 1024 | 2048 | 4096;
export type FingerprintHash = 'md5' | 'sha1' | 'sha256';

export interface ScepPayloadSettings {
  url: string;
  /** Sent as `message=` of GetCACert. */
  name?: string;
  /** RDNs in ASN.1 order, as the profile lists them. Empty when the profile has no Subject. */
  subject: DnAttributeInput[][];
  challenge?: string;
  keyType: 'RSA';
  keySize: IosRsaKeySize;
  /** The bitmask as given (0 = no keyUsage requested). */
  keyUsage: number;
  keyUsageNames: KeyUsageName[];
  retries: number;
  retryDelaySeconds: number;
  caFingerprint?: { hash: FingerprintHash; value: Uint8Array };
  subjectAltNames: GeneralNameEntry[];
}

/** Apple's documented short names; anything else must be a dotted OID. */
const SUBJECT_SHORT_NAMES = new Set(['C', 'L', 'ST', 'O', 'OU', 'CN']);
const DOTTED_OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const KEY_SIZES: readonly IosRsaKeySize[] = [1024, 2048, 4096];
/** ASSUMPTION: the hash is told by the length, as mdmb does (MD5 16, SHA-1 20, SHA-256 32 bytes). */
const FINGERPRINT_BY_LENGTH: Record<number, FingerprintHash> = { 16: 'md5', 20: 'sha1', 32: 'sha256' };
const SAN_KEYS: Record<string, GeneralNameEntry['type']> = {
  rfc822Name: 'email',
  dNSName: 'dns',
  uniformResourceIdentifier: 'uri',
  ntPrincipalName: 'upn',
};
/** Keys of the SCEP dictionary that iOS reads (the macOS-only ones are accepted and ignored). */
const MACOS_ONLY = ['KeyIsExtractable', 'AllowAllAppsAccess'];

export interface ReadScepOptions {
  /** How errors name the payload. */
  payload: string;
  /** Collects notes on keys iOS ignores. */
  warnings: string[];
}

export function readScepPayloadContent(content: PlistDict, options: ReadScepOptions): ScepPayloadSettings {
  const reader = new PayloadReader(content, options.payload);
  const url = reader.requiredString('URL');
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw reader.invalid('URL', `"${url}" is not an http or https URL`);

  const name = reader.string('Name');
  const challenge = reader.string('Challenge');
  const subject = readSubject(reader.raw('Subject'), options.payload);

  const keyType = reader.string('Key Type') ?? 'RSA';
  if (keyType !== 'RSA') throw reader.invalid('Key Type', `"${keyType}" is not supported (only "RSA")`);
  const keySize = reader.integer('Keysize', 1024);
  if (!KEY_SIZES.includes(keySize as IosRsaKeySize)) throw reader.invalid('Keysize', `${keySize} is not 1024, 2048 or 4096`);

  const keyUsage = reader.integer('Key Usage', 0);
  if (keyUsage < 0 || (keyUsage & ~5) !== 0) throw reader.invalid('Key Usage', `${keyUsage} is not a combination of 1 (signing) and 4 (encryption)`);
  const keyUsageNames: KeyUsageName[] = [];
  if (keyUsage & 1) keyUsageNames.push('digitalSignature');
  if (keyUsage & 4) keyUsageNames.push('keyEncipherment');

  const retries = reader.integer('Retries', 3);
  if (retries < 0) throw reader.invalid('Retries', 'must not be negative');
  const retryDelaySeconds = reader.integer('RetryDelay', 10);
  if (retryDelaySeconds < 0) throw reader.invalid('RetryDelay', 'must not be negative');

  const fingerprint = reader.data('CAFingerprint');
  let caFingerprint: ScepPayloadSettings['caFingerprint'];
  if (fingerprint) {
    const hash = FINGERPRINT_BY_LENGTH[fingerprint.length];
    if (!hash) throw reader.invalid('CAFingerprint', `${fingerprint.length} bytes is not an MD5, SHA-1 or SHA-256 fingerprint`);
    caFingerprint = { hash, value: fingerprint };
  }

  const subjectAltNames = readSubjectAltName(reader, options.warnings);
  for (const key of MACOS_ONLY) reader.raw(key);
  for (const key of reader.unread()) {
    const hint = key === 'KeyType' ? ' (Apple\'s key is "Key Type"; iOS uses the default "RSA")' : '';
    options.warnings.push(`${options.payload}: key "${key}" is not a SCEP payload key and is ignored${hint}`);
  }
  return {
    url,
    ...(name !== undefined ? { name } : {}),
    subject,
    ...(challenge !== undefined ? { challenge } : {}),
    keyType: 'RSA',
    keySize: keySize as IosRsaKeySize,
    keyUsage,
    keyUsageNames,
    retries,
    retryDelaySeconds,
    ...(caFingerprint ? { caFingerprint } : {}),
    subjectAltNames,
  };
}

/**
 * Subject: `[[["C","US"]],[["O","Apple Inc."]],[["CN","foo"],["UID","x"]]]` — an array of RDNs, each an array
 * of [type, value] pairs. Absent is allowed (nanomdm#81: iOS enrols without one; the CSR subject is then empty,
 * ASSUMPTION); present but shaped otherwise is refused.
 */
export function readSubject(value: PlistValue | undefined, payload: string): DnAttributeInput[][] {
  if (value === undefined) return [];
  const refuse = (reason: string) => new IosProfileError('invalidSubject', { payload, reason });
  if (!Array.isArray(value)) throw refuse(`expected an array of RDNs, found ${describe(value)}`);
  return value.map((rdn, i) => {
    if (!Array.isArray(rdn) || rdn.length === 0) throw refuse(`RDN ${i + 1} must be a non-empty array of [type, value] pairs, found ${describe(rdn)}`);
    return rdn.map((pair, j) => {
      const where = `RDN ${i + 1}, pair ${j + 1}`;
      if (!Array.isArray(pair)) {
        // The classic mistake: [["CN","foo"]] — one level short, so the "pair" is a string.
        throw refuse(`${where} must be a [type, value] array, found ${describe(pair)} (one level of nesting is missing)`);
      }
      if (pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        throw refuse(`${where} must be two strings [type, value], found ${pair.length} element(s)`);
      }
      return { type: pair[0], value: pair[1] };
    });
  });
}

/**
 * The Subject as a DistinguishedName, for the CSR. Apple documents six short names (C, L, ST, O, OU, CN) and
 * dotted OIDs; ASSUMPTION: like Security.framework's SecCertificateRequest, which knows only those six, any
 * other name ("E", "emailAddress") cannot be encoded, so the device fails when it makes the CSR ("Couldn't
 * create certificate signing request"), not when it reads the profile.
 */
export function subjectName(settings: Pick<ScepPayloadSettings, 'subject'>): DistinguishedName {
  for (const rdn of settings.subject) {
    for (const { type } of rdn) {
      if (!SUBJECT_SHORT_NAMES.has(type) && !DOTTED_OID.test(type)) throw new Error(`Subject attribute type "${type}" is not C, L, ST, O, OU, CN or a dotted OID`);
    }
  }
  return DistinguishedName.fromRdns(settings.subject);
}

function readSubjectAltName(reader: PayloadReader, warnings: string[]): GeneralNameEntry[] {
  const dict = reader.dictionary('SubjectAltName');
  if (!dict) return [];
  const out: GeneralNameEntry[] = [];
  for (const [key, value] of Object.entries(dict)) {
    const type = SAN_KEYS[key];
    if (!type) {
      warnings.push(`${reader.payload}: SubjectAltName key "${key}" is not rfc822Name, dNSName, uniformResourceIdentifier or ntPrincipalName and is ignored`);
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (typeof item !== 'string' || item === '') throw reader.invalid('SubjectAltName', `${key} must be a string or an array of strings, found ${describe(item)}`);
      out.push({ type, value: item });
    }
  }
  return out;
}
