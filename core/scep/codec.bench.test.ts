/**
 * The hot path, measured: a CA parses a PKCSReq (verify + decrypt) and builds a SUCCESS CertRep (one RSA-2048
 * certificate, AES-128, SHA-256, RSA-2048 CA). Prints medians over 300 runs and the share of them spent in
 * private-key operations; asserts only that nothing is pathologically slow.
 */
import { constants, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign, verifySignature } from '../pki/algorithms.js';
import { certificateFields } from './cert-fields.js';
import { MessageType, PkiStatus } from './constants.js';
import { buildCertRep, buildRequest, parseRequest } from './messages.js';
import { parsePkiMessage } from './pki-message.js';
import { parseSignedData } from './signed-data.js';
import { makeScepTestPki, type ScepTestPki } from './openssl-pki.test-support.js';

const RUNS = 300;
let pki: ScepTestPki;
let request: Uint8Array;

beforeAll(async () => {
  pki = makeScepTestPki();
  request = (
    await buildRequest({
      request: { messageType: MessageType.PKCSReq, csr: pki.client.csr },
      transactionId: 'bench',
      signer: pki.client,
      recipients: [pki.ca.certificate],
      cipher: 'aes-128-cbc',
      digest: 'sha256',
    })
  ).der;
});
afterAll(() => pki.remove());

async function median(run: () => unknown): Promise<number> {
  for (let i = 0; i < 30; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const ms = (value: number) => `${value.toFixed(3)} ms`;

describe('hot path timings', () => {
  it('parseRequest and buildCertRep', async () => {
    const options = { recipients: [pki.ca] };
    const parsed = parseRequest(request, options);
    const parse = await median(() => parseRequest(request, options));

    const caKey = pki.ca.privateKey;
    const block = new Uint8Array(publicEncrypt({ key: certificateFields(pki.ca.certificate).publicKey, padding: constants.RSA_NO_PADDING }, randomBytes(256).fill(0, 0, 1)));
    const rsaDecrypt = await median(() => privateDecrypt({ key: caKey, padding: constants.RSA_NO_PADDING }, block));
    const message = parsePkiMessage(request);
    const signedAttrs = new Uint8Array(260);
    const signature = await sign(pki.client.privateKey, 'sha256', signedAttrs);
    const verify = await median(() => verifySignature(message.signerPublicKey, { keyType: 'rsa', hash: 'sha256' }, signedAttrs, signature));
    const decodeOnly = await median(() => parseSignedData(request));

    const reply = () =>
      buildCertRep({
        transactionId: parsed.transactionId,
        recipientNonce: parsed.senderNonce,
        status: PkiStatus.SUCCESS,
        certificates: [pki.issued],
        encryptTo: parsed.signerCertificate,
        signer: pki.ca,
        cipher: 'aes-128-cbc',
        digest: 'sha256',
      });
    const build = await median(reply);
    const rsaSign = await median(() => sign(caKey, 'sha256', signedAttrs));
    const clientKey = certificateFields(parsed.signerCertificate).publicKey;
    const rsaEncrypt = await median(() => publicEncrypt({ key: clientKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(16)));

    const rows = [
      ['parseRequest (verify + decrypt), total', ms(parse)],
      ['  RSA-2048 private decrypt (raw)', ms(rsaDecrypt)],
      ['  RSA-2048 verify', ms(verify)],
      ['  ASN.1 decode of the pkiMessage alone', ms(decodeOnly)],
      ['  everything but the private-key operation', ms(parse - rsaDecrypt)],
      ['buildCertRep (SUCCESS, 1 cert), total', ms(build)],
      ['  RSA-2048 sign via algorithms.sign() (pool)', ms(rsaSign)],
      ['  RSA-2048 public encrypt', ms(rsaEncrypt)],
      ['  everything but the private-key operation', ms(build - rsaSign)],
    ];
    console.log(`SCEP codec, medians of ${RUNS} runs\n${rows.map(([name, value]) => `${name!.padEnd(48)} ${value}`).join('\n')}`);
    expect(parse).toBeLessThan(25);
    expect(build).toBeLessThan(25);
  });
});
