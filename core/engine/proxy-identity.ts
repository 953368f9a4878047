/**
 * The SCEP proxy's own certificate and key: what devices encrypt their requests to and what signs the engine's
 * CertReps (an RA in RFC 8894 terms). Self-signed, with digitalSignature and keyEncipherment (iOS picks its
 * recipient by keyUsage), made once and kept in the Store so a restart with SQLite keeps it.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import { selfSignedCertificate } from '../pki/ca.js';
import { importPrivateKey, type KeySpec, privateKeyToPem } from '../pki/keys.js';
import type { SignerIdentity } from '../scep/signed-data.js';
import type { EngineState } from './state.js';

/** ASSUMPTION: the guides do not say how the MDM's proxy names itself. */
export const PROXY_RA_SUBJECT = 'CN=mdmca MDM SCEP proxy RA,O=mdmca';

export async function loadProxyIdentity(state: EngineState, clock: Clock, keyFactory: (spec: KeySpec) => Promise<KeyObject>): Promise<SignerIdentity> {
  const saved = state.settings.get('proxy-identity');
  if (saved?.certificate && saved.privateKey) {
    return { certificate: new Uint8Array(Buffer.from(saved.certificate, 'base64')), privateKey: importPrivateKey(saved.privateKey) };
  }
  const privateKey = await keyFactory({ type: 'rsa', bits: 2048 });
  const issued = await selfSignedCertificate({
    subject: PROXY_RA_SUBJECT,
    privateKey,
    clock,
    validityDays: 3650,
    keyUsage: ['digitalSignature', 'keyEncipherment'],
  });
  state.settings.put('proxy-identity', { certificate: Buffer.from(issued.der).toString('base64'), privateKey: privateKeyToPem(privateKey) });
  return { certificate: issued.der, privateKey };
}
