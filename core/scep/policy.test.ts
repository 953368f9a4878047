/** Each enrolment policy link, through the server: challenge, one-time challenges, CSR hook, approval, renewal. */
import { beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../clock.js';
import { parseCertificate } from '../pki/certificate.js';
import { certificateFields } from './cert-fields.js';
import { FailInfo, MessageType, PkiStatus } from './constants.js';
import { MemoryScepDepot } from './depot.js';
import { composePolicies, csrPolicy, type EnrollmentContext, manualApproval, minimumKeySize, pending, reject } from './policy.js';
import { challengePolicy, OneTimeChallenges, staticChallenge } from './policy-challenge.js';
import { createScepServer, type ScepServerOptions } from './server.js';
import {
  csrFor,
  makeRequester,
  makeServerTestPki,
  pkcsReq,
  readReply,
  renewalReq,
  type Requester,
  send,
  type ServerTestPki,
} from './server.test-support.js';

let pki: ServerTestPki;
beforeAll(async () => {
  pki = await makeServerTestPki();
});

const caDer = () => pki.ca.certificateDer;
const server = (options: Partial<ScepServerOptions> = {}) => createScepServer({ ca: pki.ca, ...options });
let n = 0;
const enroll = async (handler: ReturnType<typeof server>, requester: Requester, options: { challenge?: string; transactionId?: string } = {}) =>
  readReply(
    await send(handler, {
      request: pkcsReq(await csrFor(requester, options.challenge !== undefined ? { challenge: options.challenge } : {})),
      signer: requester,
      recipients: [caDer()],
      transactionId: options.transactionId ?? `policy-${n++}`,
    }),
    requester,
  );

describe('composePolicies', () => {
  it('runs links in order around the terminal, and a link may answer without calling next', async () => {
    const seen: string[] = [];
    const chain = composePolicies(
      [
        async (_c, next) => (seen.push('a'), next()),
        async (_c, next) => (seen.push('b'), (await next(), await next())),
      ],
      async () => (seen.push('sign'), pending('x')),
    );
    expect(await chain({} as EnrollmentContext)).toEqual({ kind: 'pending', reason: 'x' });
    expect(seen).toEqual(['a', 'b', 'sign']);
    const short = composePolicies([async () => reject(FailInfo.badRequest, 'no')], async () => pending());
    expect(await short({} as EnrollmentContext)).toEqual({ kind: 'rejected', failInfo: FailInfo.badRequest, text: 'no' });
  });
});

describe('static challenge', () => {
  it('accepts the secret; refuses a wrong or missing one with FAILURE badRequest and a clear text', async () => {
    const handler = server({ policies: [staticChallenge('s3cret')] });
    expect((await enroll(handler, pki.alice, { challenge: 's3cret' })).status).toBe(PkiStatus.SUCCESS);
    const wrong = await enroll(handler, pki.alice, { challenge: 'guess' });
    expect(wrong).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badRequest, failInfoText: 'the challengePassword is incorrect' });
    const missing = await enroll(handler, pki.alice);
    expect(missing).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badRequest });
    expect(missing.failInfoText).toMatch(/no challengePassword/);
  });

  it('follows a getter, and is skipped when not required', async () => {
    let secret: string | undefined = 'one';
    let required = true;
    const handler = server({ policies: [challengePolicy({ secret: () => secret, required: () => required })] });
    expect((await enroll(handler, pki.alice, { challenge: 'one' })).status).toBe(PkiStatus.SUCCESS);
    secret = 'two';
    expect((await enroll(handler, pki.alice, { challenge: 'one' })).status).toBe(PkiStatus.FAILURE);
    required = false;
    expect((await enroll(handler, pki.alice)).status).toBe(PkiStatus.SUCCESS);
  });
});

describe('one-time challenges', () => {
  it('are single use, expire by the clock, and come back when a later link rejects the request', async () => {
    const clock = new FixedClock(pki.clock.now());
    const challenges = new OneTimeChallenges(clock);
    let refuse = false;
    const handler = server({
      clock,
      policies: [challengePolicy({ oneTime: challenges }), csrPolicy(() => (refuse ? reject(FailInfo.badRequest, 'refused by hook') : 'allow'))],
    });

    const first = challenges.issue(60);
    expect(first.challenge).toMatch(/^[0-9A-F]{32}$/);
    expect(first.expiresAt.getTime()).toBe(clock.now().getTime() + 60_000);
    expect((await enroll(handler, pki.alice, { challenge: first.challenge })).status).toBe(PkiStatus.SUCCESS);
    const reused = await enroll(handler, pki.alice, { challenge: first.challenge });
    expect(reused).toMatchObject({ status: PkiStatus.FAILURE, failInfoText: 'the challengePassword is unknown or was already used' });

    const second = challenges.issue(60);
    refuse = true;
    expect((await enroll(handler, pki.alice, { challenge: second.challenge })).failInfoText).toBe('refused by hook');
    refuse = false;
    expect((await enroll(handler, pki.alice, { challenge: second.challenge })).status).toBe(PkiStatus.SUCCESS);

    const third = challenges.issue(60);
    clock.advance(61_000);
    const expired = await enroll(handler, pki.alice, { challenge: third.challenge });
    expect(expired.status).toBe(PkiStatus.FAILURE);
    expect(expired.failInfoText).toMatch(/expired at/);
  });

  it('work beside a static challenge', async () => {
    const challenges = new OneTimeChallenges(pki.clock);
    const handler = server({ policies: [challengePolicy({ secret: 'static', oneTime: challenges })] });
    expect((await enroll(handler, pki.alice, { challenge: 'static' })).status).toBe(PkiStatus.SUCCESS);
    expect((await enroll(handler, pki.alice, { challenge: challenges.issue().challenge })).status).toBe(PkiStatus.SUCCESS);
    expect((await enroll(handler, pki.alice, { challenge: 'nope' })).failInfoText).toBe('the challengePassword is incorrect');
  });
});

describe('CSR hook', () => {
  it('allows, rejects with its failInfo and text, or puts the request PENDING', async () => {
    const handler = server({
      policies: [
        csrPolicy((csr) => {
          const cn = csr.subject.toString();
          if (cn.includes('CN=blocked')) return reject(FailInfo.badRequest, 'subject is blocked');
          if (cn.includes('CN=later')) return pending('review');
          return 'allow';
        }),
      ],
    });
    const run = async (cn: string) =>
      readReply(await send(handler, { request: pkcsReq(await csrFor(pki.alice, { cn })), signer: pki.alice, recipients: [caDer()], transactionId: `hook-${cn}` }), pki.alice);
    expect((await run('fine')).status).toBe(PkiStatus.SUCCESS);
    expect(await run('blocked')).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badRequest, failInfoText: 'subject is blocked' });
    expect((await run('later')).status).toBe(PkiStatus.PENDING);
  });

  it('minimumKeySize refuses small RSA keys', async () => {
    const handler = server({ policies: [minimumKeySize(3072)] });
    const reply = await enroll(handler, pki.alice);
    expect(reply.failInfoText).toMatch(/2048 bits is below the minimum of 3072/);
  });
});

describe('manual approval and CertPoll', () => {
  const poll = async (handler: ReturnType<typeof server>, requester: Requester, transactionId: string) =>
    readReply(
      await send(handler, {
        request: { messageType: MessageType.CertPoll, issuer: certificateFields(caDer()).subject, subject: certificateFields(requester.certificate).subject },
        signer: requester,
        recipients: [caDer()],
        transactionId,
      }),
      requester,
    );

  it('PENDING until approved, then SUCCESS with the certificate; a repeated PKCSReq is PENDING too', async () => {
    const depot = new MemoryScepDepot();
    const handler = server({ depot, policies: [staticChallenge('pw'), manualApproval()] });
    expect((await enroll(handler, pki.alice, { challenge: 'pw', transactionId: 'manual-1' })).status).toBe(PkiStatus.PENDING);
    expect(depot.transactions.get('manual-1')).toMatchObject({ status: 'pending', reason: 'awaiting manual approval' });
    expect((await poll(handler, pki.alice, 'manual-1')).status).toBe(PkiStatus.PENDING);
    expect((await enroll(handler, pki.alice, { challenge: 'pw', transactionId: 'manual-1' })).status).toBe(PkiStatus.PENDING);
    // Only the requester's key may poll.
    expect((await poll(handler, pki.bob, 'manual-1')).failInfo).toBe(FailInfo.badCertId);

    const approved = await handler.service.approve('manual-1');
    expect(approved.status).toBe('issued');
    const reply = await poll(handler, pki.alice, 'manual-1');
    expect(reply.status).toBe(PkiStatus.SUCCESS);
    expect(parseCertificate(reply.certificates[0]!).serialHex).toBe(approved.serialHex);
    await expect(handler.service.approve('manual-1')).rejects.toThrow(/issued, not pending/);
    await expect(handler.service.approve('nope')).rejects.toThrow(/no transaction/);
  });

  it('a rejected request polls as FAILURE badRequest with the operator text', async () => {
    const handler = server({ policies: [manualApproval()] });
    expect((await enroll(handler, pki.bob, { transactionId: 'manual-2' })).status).toBe(PkiStatus.PENDING);
    await handler.service.reject('manual-2', 'not on the list');
    expect(await poll(handler, pki.bob, 'manual-2')).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badRequest, failInfoText: 'not on the list' });
  });

  it('can be switched off at run time', async () => {
    let manual = false;
    const handler = server({ policies: [manualApproval({ enabled: () => manual })] });
    expect((await enroll(handler, pki.alice)).status).toBe(PkiStatus.SUCCESS);
    manual = true;
    expect((await enroll(handler, pki.alice)).status).toBe(PkiStatus.PENDING);
  });
});

describe('renewal', () => {
  /** Enrols `requester` and returns it re-dressed with the issued certificate as its signer. */
  async function enrolled(handler: ReturnType<typeof server>, requester: Requester): Promise<Requester> {
    const reply = await enroll(handler, requester, { challenge: 'pw' });
    expect(reply.status).toBe(PkiStatus.SUCCESS);
    return { ...requester, certificate: reply.certificates[0]! };
  }
  const renew = async (handler: ReturnType<typeof server>, signer: Requester, newKey: Requester, kind: 'renewal' | 'pkcs' = 'renewal') => {
    const csr = await csrFor(newKey, { cn: 'renewed' });
    return readReply(
      await send(handler, { request: kind === 'renewal' ? renewalReq(csr) : pkcsReq(csr), signer, recipients: [caDer()], transactionId: `renew-${n++}` }),
      signer,
    );
  };

  it('RenewalReq or PKCSReq signed by an issued certificate needs no challenge', async () => {
    const depot = new MemoryScepDepot();
    const exchanges: string[] = [];
    const handler = server({ depot, policies: [staticChallenge('pw')], onExchange: (e) => e.authenticatedBy && exchanges.push(e.authenticatedBy) });
    const device = await enrolled(handler, pki.alice);
    const fresh = await makeRequester(pki.clock, 'new key');
    const byRenewalReq = await renew(handler, device, fresh, 'renewal');
    expect(byRenewalReq.status).toBe(PkiStatus.SUCCESS);
    expect(parseCertificate(byRenewalReq.certificates[0]!).subject.toString()).toBe('CN=renewed,O=mdmca');
    expect((await renew(handler, device, fresh, 'pkcs')).status).toBe(PkiStatus.SUCCESS);
    expect(exchanges).toEqual(['challenge', 'renewal', 'renewal']);
    const renewedTx = [...depot.transactions.values()].filter((t) => t.renewalOf);
    expect(renewedTx).toHaveLength(2);
  });

  it('refuses an expired or not-yet-valid signer with badTime, a revoked one with badCertId', async () => {
    const clock = new FixedClock(pki.clock.now());
    const depot = new MemoryScepDepot();
    const handler = server({ clock, depot, policies: [staticChallenge('pw')], profile: { validityDays: 30 } });
    const device = await enrolled(handler, pki.alice);
    clock.advance(31 * 86_400_000);
    const expired = await renew(handler, device, pki.alice);
    expect(expired).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badTime });
    expect(expired.failInfoText).toMatch(/expired at/);
    clock.set(new Date(pki.clock.now().getTime() - 86_400_000));
    expect((await renew(handler, device, pki.alice)).failInfoText).toMatch(/not valid before/);
    clock.set(pki.clock.now());
    depot.revoked.add(parseCertificate(device.certificate).serialHex);
    expect(await renew(handler, device, pki.alice)).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badCertId });
  });

  it('refuses a RenewalReq signed by a self-signed or foreign certificate with badCertId', async () => {
    const handler = server({ policies: [staticChallenge('pw')] });
    const selfSigned = await renew(handler, pki.alice, pki.alice);
    expect(selfSigned).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badCertId });
    // Signed by a certificate the root (not this CA) issued.
    const foreign = await pki.root.issue({ subject: 'CN=foreign', publicKey: pki.bob.publicKey });
    const reply = await renew(handler, { ...pki.bob, certificate: foreign.der }, pki.bob);
    expect(reply).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badCertId });
    expect(reply.failInfoText).toMatch(/did not issue/);
  });

  it('a PKCSReq signed by a foreign certificate is an initial enrolment and needs the challenge', async () => {
    const handler = server({ policies: [staticChallenge('pw')] });
    const foreign = await pki.root.issue({ subject: 'CN=foreign', publicKey: pki.bob.publicKey });
    const reply = await renew(handler, { ...pki.bob, certificate: foreign.der }, pki.bob, 'pkcs');
    expect(reply.failInfoText).toMatch(/no challengePassword/);
  });
});
