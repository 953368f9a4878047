import { describe, expect, it } from 'vitest';
import { CAPABILITIES, chooseCipher, chooseDigest, chooseMethod, effectiveCaps, formatCaps, hasCap, parseCaps } from './caps.js';

describe('GetCACaps', () => {
  it('reads micromdm’s LF list and step-ca’s CRLF list alike', () => {
    const micromdm = parseCaps('Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation');
    const step = parseCaps('Renewal\r\nSHA-1\r\nSHA-256\r\nAES\r\nDES3\r\nSCEPStandard\r\nPOSTPKIOperation\r\n');
    expect([...micromdm.advertised].sort()).toEqual([...step.advertised].sort());
    expect(micromdm.advertised.size).toBe(7);
    expect(micromdm.unknown).toEqual([]);
  });

  it('compares case-insensitively, keeps unknown words aside, and reads an empty body as no capabilities', () => {
    const caps = parseCaps('aes\r\npostpkioperation\nUpdate\n SubjectAltName \n\n');
    expect([...caps.advertised]).toEqual(['AES', 'POSTPKIOperation']);
    expect(caps.unknown).toEqual(['Update', 'SubjectAltName']);
    expect(parseCaps('').advertised.size).toBe(0);
  });

  it('formats the exact keywords, LF by default', () => {
    expect(formatCaps(['POSTPKIOperation', 'SHA-256', 'AES'])).toBe('POSTPKIOperation\nSHA-256\nAES');
    expect(formatCaps(['AES', 'AES', 'Renewal'], '\r\n')).toBe('AES\r\nRenewal');
    expect(parseCaps(formatCaps(CAPABILITIES)).advertised.size).toBe(CAPABILITIES.length);
  });

  it('lets SCEPStandard imply AES, POSTPKIOperation and SHA-256', () => {
    const caps = parseCaps('SCEPStandard');
    expect(hasCap(caps, 'AES')).toBe(true);
    expect(hasCap(caps, 'POSTPKIOperation')).toBe(true);
    expect(hasCap(caps, 'SHA-256')).toBe(true);
    expect(hasCap(caps, 'DES3')).toBe(false);
    expect([...effectiveCaps(caps)].sort()).toEqual(['AES', 'POSTPKIOperation', 'SCEPStandard', 'SHA-256']);
    expect(chooseCipher(caps)).toBe('aes-128-cbc');
    expect(chooseDigest(caps)).toBe('sha256');
    expect(chooseMethod(caps)).toBe('POST');
  });

  it('negotiates down for older CAs', () => {
    const digicert = parseCaps('POSTPKIOperation\nRenewal\nSHA-512\nSHA-256\nSHA-1');
    expect(chooseCipher(digicert)).toBe('des-cbc');
    expect(chooseDigest(digicert)).toBe('sha256');
    const ndes = parseCaps('DES3\nSHA-1');
    expect(chooseCipher(ndes)).toBe('des-ede3-cbc');
    expect(chooseDigest(ndes)).toBe('sha1');
    expect(chooseMethod(ndes)).toBe('GET');
    expect(chooseDigest(parseCaps('SHA-512'))).toBe('sha512');
    const none = parseCaps('');
    expect([chooseCipher(none), chooseDigest(none), chooseMethod(none)]).toEqual(['des-cbc', 'sha1', 'GET']);
  });
});
