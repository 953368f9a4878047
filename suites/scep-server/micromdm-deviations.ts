/**
 * What the scep-server suite finds in micromdm's scepserver 2.1.0 (Debian package scep), checked by
 * micromdm.test.ts and cli/cli.test.ts: single-DES CertReps (RFC 8894 §2.9), no CertPoll, GetCert, GetCRL or
 * GetNextCACert, and a bare HTTP 500 for malformed input, an unknown operation and an oversize body.
 */
export const MICROMDM_DEVIATIONS = [
  'scep.certrep.no-des',
  'scep.getcert',
  'scep.getcrl',
  'scep.certpoll.supported',
  'scep.getnextcacert',
  'scep.malformed.no-500',
  'scep.http.unknown-operation',
  'scep.http.oversize',
].sort();
