/**
 * Reading a .mobileconfig as iOS does: an XML (or binary) plist of PayloadType "Configuration", possibly wrapped
 * in a CMS SignedData (a signed profile: the plist is the eContent). Every payload is checked before anything is
 * installed, so a bad profile fails as a whole with iOS's error (errors.ts). Understood payloads:
 * com.apple.security.scep, com.apple.security.pkcs12 and the certificate payloads com.apple.security.root,
 * .pem and .pkcs1; any other type is refused (ASSUMPTION: iOS refuses a payload type it does not know).
 */
import { XMLValidator } from 'fast-xml-parser';
import * as plist from 'plist';
import type { PlistValue } from 'plist';
import { parseCertificate } from '../../../core/pki/certificate.js';
import { parseSignedData, verifySignedData } from '../../../core/scep/signed-data.js';
import { IosProfileError } from './errors.js';
import { describe, isDict, PayloadReader, type PlistDict } from './payload-reader.js';
import { readScepPayloadContent, type ScepPayloadSettings } from './scep-payload.js';

export const PAYLOAD_TYPES = {
  scep: 'com.apple.security.scep',
  pkcs12: 'com.apple.security.pkcs12',
  root: 'com.apple.security.root',
  pem: 'com.apple.security.pem',
  pkcs1: 'com.apple.security.pkcs1',
} as const;

/** ASSUMPTION: iOS's own limit is not published; 4 MiB holds any certificate profile. */
export const MAX_PROFILE_BYTES = 4 * 1024 * 1024;

interface PayloadBase {
  type: string;
  identifier: string;
  uuid: string;
  displayName?: string;
  version: number;
}
export interface ScepPayload extends PayloadBase {
  kind: 'scep';
  settings: ScepPayloadSettings;
}
export interface Pkcs12Payload extends PayloadBase {
  kind: 'pkcs12';
  data: Uint8Array;
  password?: string;
  fileName?: string;
}
export interface CertificatePayload extends PayloadBase {
  kind: 'certificate';
  /** DER (PEM content is converted). */
  certificate: Uint8Array;
  fileName?: string;
}
export type Payload = ScepPayload | Pkcs12Payload | CertificatePayload;

export interface Mobileconfig {
  identifier: string;
  uuid: string;
  displayName?: string;
  version: number;
  removalDisallowed: boolean;
  payloads: Payload[];
  /** Present for a CMS-signed profile: the signer's certificate (verified signature; trust is not judged). */
  signer?: Uint8Array;
  /** Keys iOS ignores and other oddities worth a line in a report. */
  warnings: string[];
}

/** Parses and validates a profile. Throws IosProfileError with iOS's text. */
export function parseMobileconfig(input: Uint8Array | string): Mobileconfig {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  if (bytes.byteLength > MAX_PROFILE_BYTES) throw malformed(`it is larger than ${MAX_PROFILE_BYTES} bytes`);
  let signer: Uint8Array | undefined;
  let body = bytes;
  if (bytes[0] === 0x30) ({ body, signer } = unwrapSigned(bytes));
  const root = readPlist(body);
  if (!isDict(root)) throw malformed(`the top level is ${describe(root)}, not a dictionary`);
  const warnings: string[] = [];
  const top = new PayloadReader(root, 'Configuration');
  const type = top.requiredString('PayloadType');
  if (type !== 'Configuration') throw malformed(`PayloadType is "${type}", not "Configuration"`);
  const version = top.integer('PayloadVersion');
  if (version === undefined) throw top.missing('PayloadVersion');
  if (version !== 1) throw top.invalid('PayloadVersion', `${version} is not 1`);
  const identifier = top.requiredString('PayloadIdentifier');
  const uuid = top.requiredString('PayloadUUID');
  const displayName = top.string('PayloadDisplayName');
  const removalDisallowed = top.boolean('PayloadRemovalDisallowed') ?? false;
  const content = top.array('PayloadContent') ?? [];
  for (const key of ['PayloadDescription', 'PayloadOrganization', 'PayloadScope', 'PayloadDate', 'DurationUntilRemoval', 'RemovalDate', 'ConsentText', 'HasRemovalPasscode', 'TargetDeviceType']) top.raw(key);
  for (const key of top.unread()) warnings.push(`profile: key "${key}" is not a Configuration key and is ignored`);
  const payloads = content.map((item, index) => readPayload(item, index, warnings));
  const seen = new Set<string>();
  for (const payload of payloads) {
    if (seen.has(payload.uuid)) throw malformed(`two payloads share the PayloadUUID ${payload.uuid}`);
    seen.add(payload.uuid);
  }
  return {
    identifier,
    uuid,
    ...(displayName !== undefined ? { displayName } : {}),
    version,
    removalDisallowed,
    payloads,
    ...(signer ? { signer } : {}),
    warnings,
  };
}

function malformed(reason: string, cause?: unknown): IosProfileError {
  return new IosProfileError('malformedProfile', { reason }, cause === undefined ? {} : { cause });
}

/** A signed profile: the SignedData must verify, and its eContent is the plist. */
function unwrapSigned(bytes: Uint8Array): { body: Uint8Array; signer: Uint8Array } {
  try {
    const signed = parseSignedData(bytes, 'signed profile');
    if (!signed.content) throw new Error('the SignedData carries no content');
    const verified = verifySignedData(signed);
    return { body: signed.content, signer: verified.certificate };
  } catch (error) {
    throw malformed(`the profile signature cannot be verified: ${(error as Error).message}`, error);
  }
}

function readPlist(body: Uint8Array): PlistValue {
  const head = Buffer.from(body.subarray(0, 8)).toString('latin1');
  try {
    if (head === 'bplist00') return plist.parseBinary(body);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    // Validate first: the plist library logs xmldom's complaints to the console and returns odd values.
    const valid = XMLValidator.validate(text);
    if (valid !== true) throw new Error(`not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
    if (/<!ENTITY/i.test(text)) throw new Error('entity declarations are not allowed');
    return plist.parse(text);
  } catch (error) {
    throw malformed(`it is not a property list: ${(error as Error).message}`, error);
  }
}

function readPayload(item: PlistValue, index: number, warnings: string[]): Payload {
  if (!isDict(item)) throw malformed(`payload ${index + 1} is ${describe(item)}, not a dictionary`);
  const label = typeof item.PayloadDisplayName === 'string' ? item.PayloadDisplayName : typeof item.PayloadType === 'string' ? item.PayloadType : `payload ${index + 1}`;
  const reader = new PayloadReader(item, label);
  const type = reader.requiredString('PayloadType');
  const identifier = reader.requiredString('PayloadIdentifier');
  const uuid = reader.requiredString('PayloadUUID');
  const version = reader.number('PayloadVersion');
  if (version === undefined) throw reader.missing('PayloadVersion');
  const displayName = reader.string('PayloadDisplayName');
  reader.raw('PayloadDescription');
  reader.raw('PayloadOrganization');
  const base: PayloadBase = { type, identifier, uuid, version, ...(displayName !== undefined ? { displayName } : {}) };
  let payload: Payload;
  switch (type) {
    case PAYLOAD_TYPES.scep: {
      const content = reader.dictionary('PayloadContent');
      if (!content) throw reader.missing('PayloadContent');
      payload = { ...base, kind: 'scep', settings: readScepPayloadContent(content, { payload: label, warnings }) };
      break;
    }
    case PAYLOAD_TYPES.pkcs12: {
      const data = reader.data('PayloadContent');
      if (!data) throw reader.missing('PayloadContent');
      const password = reader.string('Password');
      const fileName = reader.string('PayloadCertificateFileName');
      reader.raw('AllowAllAppsAccess');
      reader.raw('KeyIsExtractable');
      payload = { ...base, kind: 'pkcs12', data, ...(password !== undefined ? { password } : {}), ...(fileName !== undefined ? { fileName } : {}) };
      break;
    }
    case PAYLOAD_TYPES.root:
    case PAYLOAD_TYPES.pem:
    case PAYLOAD_TYPES.pkcs1: {
      const data = reader.data('PayloadContent');
      if (!data) throw reader.missing('PayloadContent');
      const fileName = reader.string('PayloadCertificateFileName');
      payload = { ...base, kind: 'certificate', certificate: certificateDer(data, label), ...(fileName !== undefined ? { fileName } : {}) };
      break;
    }
    default:
      throw new IosProfileError('unsupportedPayload', { type, payload: label });
  }
  for (const key of reader.unread()) warnings.push(`${label}: key "${key}" is not a ${type} key and is ignored`);
  return payload;
}

/** Certificate payload data: DER, or PEM text (what the micromdm fixture carries). */
function certificateDer(data: Uint8Array, payload: string): Uint8Array {
  const text = Buffer.from(data.subarray(0, 64)).toString('latin1');
  try {
    return parseCertificate(text.includes('-----BEGIN') ? Buffer.from(data).toString('latin1') : data).der;
  } catch (error) {
    throw new IosProfileError('certificateInvalid', { payload, reason: (error as Error).message }, { cause: error });
  }
}

export type { PlistDict };
