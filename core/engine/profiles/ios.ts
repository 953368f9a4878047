/**
 * The .mobileconfig an iOS device gets for a configuration (core/engine/http/DEVICE-API.md; Apple's payload keys,
 * ../shared/reference/anchors-scep-mdm.md §6): an unsigned XML plist of PayloadType Configuration holding
 * com.apple.security.root (the CA certificate) and either com.apple.security.scep or com.apple.security.pkcs12.
 */
import { randomUUID } from 'node:crypto';
import * as plist from 'plist';
import type { PlistValue } from 'plist';
import type { GeneralNameEntry } from '../../pki/general-names.js';
import { attributeShortName, DistinguishedName } from '../../pki/names.js';
import type { DevicePayload } from '../delivery.js';

export const MOBILECONFIG_CONTENT_TYPE = 'application/x-apple-aspen-config';
const IDENTIFIER_PREFIX = 'com.mdmca.mdm';

type Dict = { [key: string]: PlistValue };

/** Apple's Subject: one array per RDN, in ASN.1 order, of [type, value] pairs: [[["O","x"]],[["CN","y"]]]. */
export function appleSubject(subject: string): PlistValue[] {
  return DistinguishedName.parse(subject).rdns.map((rdn) => rdn.map((attribute) => [appleAttributeName(attribute.type), attribute.value]));
}

/** The names Apple documents for Subject; anything else (emailAddress, UID, DC, …) goes as a dotted OID. */
const APPLE_SUBJECT_NAMES = new Set(['C', 'L', 'ST', 'O', 'OU', 'CN']);

function appleAttributeName(oid: string): string {
  const short = attributeShortName(oid);
  return short !== undefined && APPLE_SUBJECT_NAMES.has(short) ? short : oid;
}

const SAN_KEYS: Partial<Record<GeneralNameEntry['type'], string>> = {
  email: 'rfc822Name',
  dns: 'dNSName',
  upn: 'ntPrincipalName',
  uri: 'uniformResourceIdentifier',
};

export function appleSubjectAltName(names: readonly GeneralNameEntry[]): Dict | undefined {
  const grouped = new Map<string, string[]>();
  for (const name of names) {
    const key = SAN_KEYS[name.type];
    if (key) grouped.set(key, [...(grouped.get(key) ?? []), name.value]);
  }
  if (grouped.size === 0) return undefined;
  return Object.fromEntries([...grouped].map(([key, values]) => [key, values.length === 1 ? values[0]! : values]));
}

function payload(type: string, id: string, suffix: string, displayName: string, content: Dict): Dict {
  return {
    PayloadType: type,
    PayloadVersion: 1,
    PayloadIdentifier: `${IDENTIFIER_PREFIX}.${id}.${suffix}`,
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: displayName,
    ...content,
  };
}

export function buildMobileconfig(delivery: DevicePayload): string {
  const content: Dict[] = [];
  const root = delivery.type === 'root' ? delivery.certificate : delivery.caCertificates[delivery.caCertificates.length - 1];
  if (root) {
    content.push(payload('com.apple.security.root', delivery.id, 'root', 'CA certificate', { PayloadContent: Buffer.from(root), PayloadCertificateFileName: 'ca.cer' }));
  }
  if (delivery.type === 'scep') {
    const scep: Dict = {
      URL: delivery.url,
      Name: delivery.caIdentifier,
      Subject: appleSubject(delivery.subject),
      ...(delivery.challenge !== undefined ? { Challenge: delivery.challenge } : {}),
      Keysize: delivery.keySize,
      'Key Type': 'RSA',
      'Key Usage': 5,
      Retries: 3,
      RetryDelay: 10,
    };
    const san = appleSubjectAltName(delivery.subjectAltNames);
    if (san) scep.SubjectAltName = san;
    content.push(payload('com.apple.security.scep', delivery.id, 'scep', delivery.name, { PayloadContent: scep }));
  } else if (delivery.type === 'pkcs12') {
    content.push(
      payload('com.apple.security.pkcs12', delivery.id, 'pkcs12', delivery.name, {
        PayloadContent: Buffer.from(delivery.pkcs12),
        Password: delivery.password,
        PayloadCertificateFileName: 'identity.p12',
      }),
    );
  }
  return plist.build({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: `${IDENTIFIER_PREFIX}.${delivery.id}`,
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: delivery.name,
    PayloadDescription: `mdmca MDM configuration "${delivery.name}", version ${delivery.version}`,
    PayloadContent: content,
  });
}
