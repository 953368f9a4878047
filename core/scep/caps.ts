/**
 * GetCACaps (RFC 8894 §3.5.2, IANA "SCEP CA Capabilities"): the keyword list, and what a client picks from it.
 * The CA MUST write the exact case; clients compare case-insensitively, accept CRLF or LF, ignore unknown words,
 * and read an empty body as "no capabilities".
 */
import type { ContentCipherName } from './ciphers.js';

export const CAPABILITIES = [
  'AES',
  'DES3',
  'GetNextCACert',
  'POSTPKIOperation',
  'Renewal',
  'SHA-1',
  'SHA-256',
  'SHA-512',
  'SCEPStandard',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

export interface CaCaps {
  /** The keywords as advertised (canonical spelling), before SCEPStandard's implications. */
  readonly advertised: ReadonlySet<Capability>;
  /** Words the CA sent that RFC 8894 does not define (e.g. jscep's "Update", "SubjectAltName"); kept for reports. */
  readonly unknown: readonly string[];
}

const BY_LOWER = new Map<string, Capability>(CAPABILITIES.map((cap) => [cap.toLowerCase(), cap]));

/** SCEPStandard implies AES, POSTPKIOperation and SHA-256 (RFC 8894 §3.5.2). */
const IMPLIED_BY_STANDARD: readonly Capability[] = ['AES', 'POSTPKIOperation', 'SHA-256'];

export function parseCaps(body: string): CaCaps {
  const advertised = new Set<Capability>();
  const unknown: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    const word = line.trim();
    if (word === '') continue;
    const cap = BY_LOWER.get(word.toLowerCase());
    if (cap) advertised.add(cap);
    else unknown.push(word);
  }
  return { advertised, unknown };
}

/** The body a CA serves: one keyword per line, in the order given. micromdm uses LF, step-ca CRLF. */
export function formatCaps(caps: Iterable<Capability>, lineEnding: '\n' | '\r\n' = '\n'): string {
  return [...new Set(caps)].join(lineEnding);
}

/** Whether `cap` is in effect, counting what SCEPStandard implies. */
export function hasCap(caps: CaCaps, cap: Capability): boolean {
  if (caps.advertised.has(cap)) return true;
  return caps.advertised.has('SCEPStandard') && IMPLIED_BY_STANDARD.includes(cap);
}

/** Every capability in effect. */
export function effectiveCaps(caps: CaCaps): Set<Capability> {
  return new Set(CAPABILITIES.filter((cap) => hasCap(caps, cap)));
}

/**
 * The content cipher a client should use: AES-128 when offered, else 3DES, else single DES (what a CA without
 * either keyword historically meant). The last two are legacy: ciphers.ts refuses them unless allowed.
 */
export function chooseCipher(caps: CaCaps): ContentCipherName {
  if (hasCap(caps, 'AES')) return 'aes-128-cbc';
  if (hasCap(caps, 'DES3')) return 'des-ede3-cbc';
  return 'des-cbc';
}

export type CapsDigest = 'sha1' | 'sha256' | 'sha512';

/**
 * The message digest: SHA-256 (mandatory to implement) when in effect, else SHA-512, else SHA-1.
 * ASSUMPTION: with no SHA keyword at all we pick SHA-1, not the historic MD5, which RFC 8894 forbids.
 */
export function chooseDigest(caps: CaCaps): CapsDigest {
  if (hasCap(caps, 'SHA-256')) return 'sha256';
  if (hasCap(caps, 'SHA-512')) return 'sha512';
  return 'sha1';
}

/** RFC 8894 §4.1: PKIOperation MUST go by POST when the CA supports it. */
export function chooseMethod(caps: CaCaps): 'POST' | 'GET' {
  return hasCap(caps, 'POSTPKIOperation') ? 'POST' : 'GET';
}
