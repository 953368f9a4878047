/** Reading and validating .mobileconfig profiles as iOS does: the micromdm fixture, good profiles, and refusals. */
import { MICROMDM_FIXTURES } from '../../../fixtures/shared-fixtures.js';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as plist from 'plist';
import { loadTestPki, type TestPki } from '../../../fixtures/test-pki.js';
import { IOS_ERRORS, IosProfileError } from './errors.js';
import { parseMobileconfig, type ScepPayload } from './mobileconfig.js';
import { buildMobileconfig, signMobileconfig, subjectToApple } from './profile-builder.js';

const FIXTURE = `${MICROMDM_FIXTURES}testca/sceptest.mobileconfig`;
const fixtureMissing = existsSync(FIXTURE) ? undefined : `${FIXTURE} is absent (../shared not mounted)`;
if (fixtureMissing) console.log(`skipping the micromdm mobileconfig fixture: ${fixtureMissing}`);

let pki: TestPki;
beforeAll(async () => {
  pki = await loadTestPki();
});

const scep = (content: Record<string, plist.PlistValue>) => buildMobileconfig({ payloads: [{ type: 'scep', content: { URL: 'http://127.0.0.1:8080/scep', ...content } }] });
const scepSettings = (xml: string) => (parseMobileconfig(xml).payloads[0] as ScepPayload).settings;

/** The IosProfileError a profile fails with. */
function refusal(xml: string | Uint8Array): IosProfileError {
  try {
    parseMobileconfig(xml);
  } catch (error) {
    if (error instanceof IosProfileError) return error;
    throw error;
  }
  throw new Error('the profile was accepted');
}

describe.skipIf(fixtureMissing !== undefined)('the micromdm fixture sceptest.mobileconfig', () => {
  it('parses: a SCEP payload with Apple defaults and a root certificate carried as PEM', () => {
    const profile = parseMobileconfig(readFileSync(FIXTURE));
    expect(profile).toMatchObject({ identifier: 'vvrantchmbp.local.A795EFE8-60CA-47DA-92F3-FE2E435D800F', uuid: '7F0CF6ED-09FF-490E-AD53-89ACB920CD37', displayName: 'scept', version: 1 });
    expect(profile.payloads.map((p) => p.type)).toEqual(['com.apple.security.scep', 'com.apple.security.root']);
    const settings = (profile.payloads[0] as ScepPayload).settings;
    expect(settings).toMatchObject({ url: 'http://localhost:9001/scep', keySize: 1024, keyType: 'RSA', retries: 3, retryDelaySeconds: 10, keyUsage: 0, subject: [], subjectAltNames: [] });
    expect(settings.name).toBeUndefined();
    expect(settings.challenge).toBeUndefined();
    const root = profile.payloads[1]!;
    expect(root.kind).toBe('certificate');
    if (root.kind !== 'certificate') return;
    expect(createHash('sha256').update(root.certificate).digest('hex')).toBe('46c712ea43dae9fcbe309cd52442104d23e196ce56516cdeeca093e443f1c528');
    // "KeyType" is not Apple's key ("Key Type"): iOS ignores it; we say so.
    expect(profile.warnings).toEqual([expect.stringContaining('key "KeyType" is not a SCEP payload key')]);
  });
});

describe('good profiles', () => {
  it('reads every SCEP key Apple documents', () => {
    const fingerprint = createHash('sha256').update(pki.issuingCa.certificate).digest();
    const settings = scepSettings(
      scep({
        Name: 'Device Management Identity Certificate',
        Subject: subjectToApple('CN=alice,OU=Sales,O=Example,C=US'),
        Challenge: 'secret',
        Keysize: 2048,
        'Key Type': 'RSA',
        'Key Usage': 5,
        Retries: 2,
        RetryDelay: 1,
        CAFingerprint: fingerprint,
        SubjectAltName: { rfc822Name: 'alice@example.com', dNSName: ['a.example.com', 'b.example.com'], ntPrincipalName: 'alice@EXAMPLE.COM', uniformResourceIdentifier: 'urn:x' },
      }),
    );
    expect(settings).toMatchObject({
      name: 'Device Management Identity Certificate',
      challenge: 'secret',
      keySize: 2048,
      keyUsage: 5,
      keyUsageNames: ['digitalSignature', 'keyEncipherment'],
      retries: 2,
      retryDelaySeconds: 1,
      caFingerprint: { hash: 'sha256' },
    });
    expect(settings.subject).toEqual([[{ type: 'C', value: 'US' }], [{ type: 'O', value: 'Example' }], [{ type: 'OU', value: 'Sales' }], [{ type: 'CN', value: 'alice' }]]);
    expect(settings.subjectAltNames).toEqual([
      { type: 'email', value: 'alice@example.com' },
      { type: 'dns', value: 'a.example.com' },
      { type: 'dns', value: 'b.example.com' },
      { type: 'upn', value: 'alice@EXAMPLE.COM' },
      { type: 'uri', value: 'urn:x' },
    ]);
  });

  it('accepts dotted OIDs and multi-valued RDNs in Subject', () => {
    const settings = scepSettings(scep({ Subject: [[['CN', 'x'], ['0.9.2342.19200300.100.1.1', 'uid1']], [['1.2.840.113549.1.9.1', 'x@example.com']]] }));
    expect(settings.subject).toHaveLength(2);
    expect(settings.subject[0]).toHaveLength(2);
  });

  it('reads a short name Apple does not document (the device fails later, when it makes the CSR)', () => {
    expect(scepSettings(scep({ Subject: [[['emailAddress', 'a@example.com']]] })).subject).toEqual([[{ type: 'emailAddress', value: 'a@example.com' }]]);
  });

  it('writes emailAddress as a dotted OID when converting a DN (Apple knows only C, L, ST, O, OU, CN)', () => {
    expect(subjectToApple('CN=a,E=a@example.com')).toEqual([[['1.2.840.113549.1.9.1', 'a@example.com']], [['CN', 'a']]]);
  });

  it('reads a PKCS#12 payload and a DER root payload', () => {
    const profile = parseMobileconfig(
      buildMobileconfig({
        payloads: [
          { type: 'pkcs12', data: new Uint8Array([1, 2, 3]), password: 'pw', fileName: 'id.p12' },
          { type: 'root', certificate: pki.root.certificate },
        ],
      }),
    );
    expect(profile.payloads.map((p) => p.kind)).toEqual(['pkcs12', 'certificate']);
  });

  it('reads a CMS-signed profile and names its signer', async () => {
    const xml = scep({ Subject: [[['CN', 'signed']]] });
    const signed = await signMobileconfig(xml, { certificate: pki.identities['scep-ra'].certificate, privateKey: pki.identities['scep-ra'].privateKey });
    const profile = parseMobileconfig(signed);
    expect(profile.signer).toEqual(pki.identities['scep-ra'].certificate);
    expect((profile.payloads[0] as ScepPayload).settings.subject).toEqual([[{ type: 'CN', value: 'signed' }]]);
  });

  it('reads a binary plist', () => {
    const xml = scep({});
    const binary = plist.buildBinary(plist.parse(xml) as plist.PlistValue);
    expect(parseMobileconfig(binary).payloads[0]!.kind).toBe('scep');
  });
});

describe('profiles iOS refuses', () => {
  it('a wrongly nested Subject (one level short), as micromdm#40 saw', () => {
    const error = refusal(scep({ Subject: [['CN', 'foo']] }));
    expect(error.id).toBe('invalidSubject');
    expect(error.message).toBe('The field “Subject” of the “SCEP” payload is invalid: RDN 1, pair 1 must be a [type, value] array, found a string (one level of nesting is missing).');
  });

  it.each([
    ['Subject not an array', { Subject: 'CN=foo' }, 'invalidSubject'],
    ['a pair with one element', { Subject: [[['CN']]] }, 'invalidSubject'],
    ['an empty RDN', { Subject: [[]] }, 'invalidSubject'],
    ['Key Type EC', { 'Key Type': 'ECSECPrimeRandom' }, 'invalidField'],
    ['Keysize 3000', { Keysize: 3000 }, 'invalidField'],
    ['Keysize as a string', { Keysize: '2048' }, 'invalidField'],
    ['Key Usage 2', { 'Key Usage': 2 }, 'invalidField'],
    ['a 10-byte CAFingerprint', { CAFingerprint: new Uint8Array(10) }, 'invalidField'],
    ['a URL that is not http', { URL: 'ftp://example.com/scep' }, 'invalidField'],
    ['an empty SAN value', { SubjectAltName: { dNSName: '' } }, 'invalidField'],
    ['negative Retries', { Retries: -1 }, 'invalidField'],
  ])('%s', (_name, content, id) => {
    expect(refusal(scep(content as Record<string, plist.PlistValue>)).id).toBe(id);
  });

  it('a SCEP payload without URL', () => {
    const xml = buildMobileconfig({ payloads: [{ type: 'scep', content: { Challenge: 'x' } }] });
    const error = refusal(xml);
    expect(error.id).toBe('missingField');
    expect(error.message).toBe('The “SCEP” payload is missing the required field “URL”.');
    expect(error.domain).toBe('MCPayloadErrorDomain');
  });

  it('an unknown payload type', () => {
    const xml = buildMobileconfig({ payloads: [{ type: 'raw', dict: { PayloadType: 'com.example.nope', PayloadIdentifier: 'x', PayloadUUID: 'U1', PayloadVersion: 1 } }] });
    expect(refusal(xml).message).toBe('The payload type “com.example.nope” is not supported.');
  });

  it('a payload without PayloadUUID, and two payloads with the same one', () => {
    expect(refusal(buildMobileconfig({ payloads: [{ type: 'raw', dict: { PayloadType: 'com.apple.security.root', PayloadIdentifier: 'x', PayloadVersion: 1 } }] })).id).toBe('missingField');
    const twice = buildMobileconfig({ payloads: [{ type: 'root', certificate: pki.root.certificate, uuid: 'SAME' }, { type: 'root', certificate: pki.root.certificate, uuid: 'SAME' }] });
    expect(refusal(twice).id).toBe('malformedProfile');
  });

  it('a root payload whose data is not a certificate', () => {
    const xml = buildMobileconfig({ payloads: [{ type: 'root', certificate: new Uint8Array([0x30, 0x03, 1, 2, 3]) }] });
    expect(refusal(xml).id).toBe('certificateInvalid');
  });

  it('documents that are not Configuration profiles', () => {
    expect(refusal('not xml at all <').id).toBe('malformedProfile');
    expect(refusal(plist.build({ PayloadType: 'com.apple.security.scep', PayloadVersion: 1 })).message).toContain('not "Configuration"');
    expect(refusal(plist.build(['a'])).id).toBe('malformedProfile');
    expect(refusal(plist.build({ PayloadType: 'Configuration', PayloadVersion: 2, PayloadIdentifier: 'x', PayloadUUID: 'y' })).id).toBe('invalidField');
    expect(refusal('<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY x "y">]><plist><dict/></plist>').id).toBe('malformedProfile');
  });

  it('a signed profile whose content was altered after signing', async () => {
    const signed = await signMobileconfig(scep({}), { certificate: pki.identities['scep-ra'].certificate, privateKey: pki.identities['scep-ra'].privateKey });
    const text = Buffer.from(signed);
    const at = text.indexOf('127.0.0.1');
    text.write('127.0.0.2', at, 'latin1');
    expect(refusal(new Uint8Array(text)).message).toMatch(/signature cannot be verified/);
  });

  it('keeps every text in one table, each with a source', () => {
    for (const definition of Object.values(IOS_ERRORS)) expect(definition.source.length).toBeGreaterThan(5);
    const assumed = Object.values(IOS_ERRORS).filter((d) => d.source.includes('ASSUMPTION')).length;
    expect(assumed).toBeGreaterThan(0);
  });
});
