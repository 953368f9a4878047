/**
 * Writing .mobileconfig profiles: what tests and stand-in MDMs hand the emulated iPhone. The SCEP content is a
 * plain dictionary so a test can write a wrong one on purpose; subjectToApple() turns a DN into Apple's nested
 * arrays the way an MDM should (short names C, L, ST, O, OU, CN; dotted OIDs for the rest).
 */
import { randomUUID } from 'node:crypto';
import * as plist from 'plist';
import type { PlistValue } from 'plist';
import type { HashName } from '../../../core/pki/algorithms.js';
import { type DnInput, DistinguishedName } from '../../../core/pki/names.js';
import { buildSignedData, type SignerIdentity } from '../../../core/scep/signed-data.js';
import { PAYLOAD_TYPES } from './mobileconfig.js';

const APPLE_SHORT_NAMES: Record<string, string> = {
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
};

/** A DN as Apple's Subject: RDNs in ASN.1 order, each an array of [type, value] pairs. */
export function subjectToApple(dn: DnInput): string[][][] {
  return DistinguishedName.from(dn).rdns.map((rdn) => rdn.map((attribute) => [APPLE_SHORT_NAMES[attribute.type] ?? attribute.type, attribute.value]));
}

export type PayloadInput =
  /** `content` is the SCEP PayloadContent dictionary, written as given. */
  | { type: 'scep'; content: { [key: string]: PlistValue }; displayName?: string; uuid?: string }
  | { type: 'pkcs12'; data: Uint8Array; password?: string; displayName?: string; uuid?: string; fileName?: string }
  | { type: 'root'; certificate: Uint8Array; displayName?: string; uuid?: string; fileName?: string }
  /** Anything else, verbatim (for tests of unknown payload types). */
  | { type: 'raw'; dict: { [key: string]: PlistValue } };

export interface ProfileInput {
  identifier?: string;
  uuid?: string;
  displayName?: string;
  payloads: PayloadInput[];
}

function payloadDict(input: PayloadInput, profileId: string): { [key: string]: PlistValue } {
  if (input.type === 'raw') return input.dict;
  const uuid = input.uuid ?? randomUUID().toUpperCase();
  const type = PAYLOAD_TYPES[input.type];
  const common = {
    PayloadType: type,
    PayloadIdentifier: `${profileId}.${input.type}.${uuid}`,
    PayloadUUID: uuid,
    PayloadVersion: 1,
    PayloadDisplayName: input.displayName ?? { scep: 'SCEP', pkcs12: 'Identity', root: 'Root certificate' }[input.type],
  };
  switch (input.type) {
    case 'scep':
      return { ...common, PayloadContent: input.content };
    case 'pkcs12':
      return {
        ...common,
        PayloadContent: input.data,
        ...(input.password !== undefined ? { Password: input.password } : {}),
        ...(input.fileName ? { PayloadCertificateFileName: input.fileName } : {}),
      };
    case 'root':
      return { ...common, PayloadContent: input.certificate, ...(input.fileName ? { PayloadCertificateFileName: input.fileName } : {}) };
  }
}

/** An unsigned XML .mobileconfig. */
export function buildMobileconfig(input: ProfileInput): string {
  const identifier = input.identifier ?? 'com.mdmca.profile';
  return plist.build({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: identifier,
    PayloadUUID: input.uuid ?? randomUUID().toUpperCase(),
    PayloadDisplayName: input.displayName ?? 'mdmca profile',
    PayloadContent: input.payloads.map((payload) => payloadDict(payload, identifier)),
  });
}

/** A profile signed as `security cms -S` or an MDM signs it: CMS SignedData with the plist as eContent. */
export function signMobileconfig(xml: string, signer: SignerIdentity, digest: HashName = 'sha256'): Promise<Uint8Array> {
  return buildSignedData({ content: new TextEncoder().encode(xml), signer, digest });
}
