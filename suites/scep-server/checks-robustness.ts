/**
 * Bad input: malformed pkiMessages, an unknown operation, an oversize body. RFC 8894 reports errors it can
 * address as CertRep FAILURE (§3.3.2); what it cannot is an HTTP client error (RFC 9110 §15.5), and a 500
 * ("the server encountered an unexpected condition", §15.6.1) is never the right answer to bad input.
 */
import { randomBytes } from 'node:crypto';
import type { ScepHttpResponse } from '../../core/scep/client-transport.js';
import { summarizeReply } from '../../core/scep/client-response.js';
import { bodySnippet } from '../../core/scep/client-errors.js';
import { MessageType } from '../../core/scep/constants.js';
import { buildRequest } from '../../core/scep/messages.js';
import { type CheckDefinition, expectThat } from '../model.js';
import type { ScepSuiteContext } from './context.js';

type ScepCheck = CheckDefinition<ScepSuiteContext>;

/** Bigger than any SCEP message (a 4096-bit PKCSReq is under 10 KiB) and than common limits (1–2 MiB). */
const OVERSIZE_BYTES = 4 * 1024 * 1024 + 1;

interface Probe {
  name: string;
  body: Uint8Array;
}

/** Three broken pkiMessages: not DER at all, a real one cut in half, and a real one with a broken signature. */
async function malformedProbes(ctx: ScepSuiteContext): Promise<Probe[]> {
  const ca = await ctx.caCertificates();
  const { result } = await ctx.postEnrollment();
  const { der } = await buildRequest({
    request: { messageType: MessageType.PKCSReq, csr: result.csr },
    transactionId: randomBytes(16).toString('hex'),
    signer: result.signer,
    recipients: [ca.encryptionCertificate],
  });
  const badSignature = new Uint8Array(der);
  // The SignerInfo's signature is the last field of the message: flip its last byte.
  badSignature[badSignature.byteLength - 1]! ^= 0xff;
  return [
    { name: 'not DER', body: new TextEncoder().encode('mdmca: this is not a pkiMessage') },
    { name: 'truncated pkiMessage', body: der.subarray(0, Math.floor(der.byteLength / 2)) },
    { name: 'pkiMessage with a broken signature', body: badSignature },
  ];
}

const describeResponse = (response: ScepHttpResponse, replyText?: string) =>
  `HTTP ${response.status} ${response.contentType || '(no content type)'}${replyText ? ` ${replyText}` : ''}${
    response.status !== 200 && response.body.byteLength ? ` "${bodySnippet(response.body, 80)}"` : ''
  }`;

export const robustnessChecks: ScepCheck[] = [
  {
    id: 'scep.malformed.no-500',
    title: 'A malformed pkiMessage gets CertRep FAILURE or HTTP 400, never HTTP 500',
    severity: 'error',
    source: 'RFC 8894 §3.3.2; RFC 9110 §15.5.1, §15.6.1',
    fix: 'Answer a pkiMessage you cannot parse with HTTP 400 and a reason, and one you can address (transactionID, senderNonce and signer readable) with a signed CertRep FAILURE (badMessageCheck for a bad signature). A bare 500 tells the client nothing and looks like an outage to monitoring.',
    async run(ctx) {
      const verdicts: string[] = [];
      let ok = true;
      let serverError = false;
      for (const probe of await malformedProbes(ctx)) {
        const response = await ctx.client.transport.send({ operation: 'PKIOperation', method: 'POST', body: probe.body, request: { messageType: `malformed (${probe.name})` } });
        const reply = response.status === 200 ? summarizeReply(response.body, (await ctx.caCertificates()).certificates) : undefined;
        if (reply) response.exchange.response = reply;
        ctx.client.transport.emit(response.exchange);
        const fine = response.status === 400 || (response.status >= 400 && response.status < 500) || (reply?.messageType === 'CertRep' && reply.pkiStatus === 'FAILURE');
        ok &&= fine;
        serverError ||= response.status >= 500;
        const replyText = reply ? `CertRep ${reply.pkiStatus ?? ''} ${reply.failInfo ?? ''}`.trim() : undefined;
        verdicts.push(`${probe.name} → ${describeResponse(response, replyText)}`);
      }
      const message = ok ? 'every malformed pkiMessage was refused cleanly' : serverError ? 'bare HTTP 500 on malformed input' : 'a malformed pkiMessage got neither HTTP 400 nor CertRep FAILURE';
      return expectThat(ok, message, verdicts.join('; '), 'HTTP 400 or CertRep FAILURE for each');
    },
  },
  {
    id: 'scep.http.unknown-operation',
    title: 'An unknown operation gets HTTP 400',
    severity: 'warning',
    source: 'RFC 8894 §4.1; RFC 9110 §15.5.1',
    fix: 'Answer an operation other than GetCACaps, GetCACert, GetNextCACert and PKIOperation with HTTP 400 naming the supported operations.',
    async run(ctx) {
      const response = await ctx.client.transport.send({ operation: 'mdmcaNoSuchOperation', method: 'GET' });
      ctx.client.transport.emit(response.exchange);
      const message = response.status === 400 ? 'refused with 400' : `${response.status >= 500 ? 'bare ' : ''}HTTP ${response.status} on an unknown operation`;
      return expectThat(response.status === 400, message, describeResponse(response), 'HTTP 400');
    },
  },
  {
    id: 'scep.http.oversize',
    title: 'An oversize request body (4 MiB) gets HTTP 413',
    severity: 'notice',
    source: 'RFC 9110 §15.5.14',
    fix: 'Limit PKIOperation bodies (1 MiB is ample) and answer larger ones with 413 Content Too Large before reading them.',
    async run(ctx) {
      const body = new Uint8Array(OVERSIZE_BYTES).fill(0x30);
      const response = await ctx.client.transport.send({ operation: 'PKIOperation', method: 'POST', body, request: { messageType: 'oversize body' } });
      ctx.client.transport.emit(response.exchange);
      const message = response.status === 413 ? 'refused with 413' : `${response.status >= 500 ? 'bare ' : ''}HTTP ${response.status} on a ${OVERSIZE_BYTES}-byte body`;
      return expectThat(response.status === 413, message, describeResponse(response), 'HTTP 413');
    },
  },
];
