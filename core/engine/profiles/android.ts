/**
 * The JSON an Android (Mobile@Work-style) agent gets for a configuration (core/engine/http/DEVICE-API.md): SCEP
 * parameters with the subject as RFC 4514, a PKCS#12 (base64) with its password and form, or a CA certificate.
 * The alias is the name the certificate is installed under (DevicePolicyManager.installKeyPair).
 */
import type { DevicePayload } from '../delivery.js';

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export function buildAndroidConfiguration(delivery: DevicePayload): Record<string, unknown> {
  const head = { id: delivery.id, name: delivery.name, version: delivery.version, type: delivery.type, alias: delivery.name };
  switch (delivery.type) {
    case 'scep':
      return {
        ...head,
        scep: {
          url: delivery.url,
          ...(delivery.challenge !== undefined ? { challenge: delivery.challenge } : {}),
          subject: delivery.subject,
          subjectAltNames: delivery.subjectAltNames.map(({ type, value }) => ({ type, value })),
          keyType: 'rsa',
          keySize: delivery.keySize,
        },
      };
    case 'pkcs12':
      return { ...head, pkcs12: base64(delivery.pkcs12), password: delivery.password, form: delivery.form };
    case 'root':
      return { ...head, certificate: base64(delivery.certificate) };
  }
}
