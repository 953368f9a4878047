/**
 * Full checks of a sample of the replies a run received, after the run (so they cost the load generator
 * nothing): the CertRep's signature and nonces, its envelope opened with the requester's key, and the issued
 * certificate's subject against the request's. The per-reply classification (certrep-status.ts) reads only the
 * status attributes; this catches a server that says SUCCESS over garbage.
 */
import { parseCertificate } from '../core/pki/certificate.js';
import { readCaCertificates } from '../core/scep/client-ca-certs.js';
import { PkiStatus } from '../core/scep/constants.js';
import { parseCertRep } from '../core/scep/messages.js';
import type { RequestPool } from './request-pool.js';

export interface ReplySample {
  body: Uint8Array;
  poolIndex: number;
}

/** Keeps the first `first` replies and then one in `every`, up to `max`. */
export class SampleKeeper {
  readonly samples: ReplySample[] = [];
  private seen = 0;
  constructor(
    private readonly first = 8,
    private readonly every = 500,
    private readonly max = 32,
  ) {}

  offer(body: Uint8Array, poolIndex: number): void {
    const n = this.seen++;
    if (this.samples.length >= this.max) return;
    if (n < this.first || n % this.every === 0) this.samples.push({ body: new Uint8Array(body), poolIndex });
  }
}

export interface SampleVerdict {
  checked: number;
  failures: string[];
}

export function verifyCertRepSamples(samples: readonly ReplySample[], pool: RequestPool): SampleVerdict {
  const failures: string[] = [];
  for (const sample of samples) {
    const request = pool.requests[sample.poolIndex];
    const key = request ? pool.keys[request.key] : undefined;
    if (!request || !key) {
      failures.push(`reply to unknown request #${sample.poolIndex}`);
      continue;
    }
    try {
      const reply = parseCertRep(sample.body, {
        expectedRecipientNonce: request.senderNonce,
        expectedTransactionId: request.transactionId,
        decryptWith: { certificate: key.certificate, privateKey: key.privateKey },
        // micromdm 2.1 answers with single DES.
        allowLegacyCiphers: true,
      });
      if (reply.status !== PkiStatus.SUCCESS) {
        failures.push(`${request.transactionId}: pkiStatus ${reply.status} (${reply.failInfoText ?? ''})`);
        continue;
      }
      const issued = reply.certificates[0];
      if (!issued) {
        failures.push(`${request.transactionId}: SUCCESS without a certificate`);
        continue;
      }
      const subject = parseCertificate(issued).subject.toString();
      const expectedCn = /^CN=([^,]+)/.exec(request.subject)?.[1] ?? '';
      if (!subject.includes(expectedCn)) failures.push(`${request.transactionId}: issued for "${subject}", asked for "${request.subject}"`);
    } catch (error) {
      failures.push(`${request.transactionId}: ${(error as Error).message}`);
    }
  }
  return { checked: samples.length, failures };
}

export function verifyCaCertSamples(samples: readonly ReplySample[]): SampleVerdict {
  const failures: string[] = [];
  for (const sample of samples) {
    try {
      readCaCertificates('application/x-x509-ca-ra-cert', sample.body);
    } catch (error) {
      failures.push(`GetCACert reply: ${(error as Error).message}`);
    }
  }
  return { checked: samples.length, failures };
}
