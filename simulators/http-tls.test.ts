/** HTTPS, and client-certificate authentication in the TLS handshake (Symantec, OpenTrust, ActiveSync). */
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from './http.js';
import { probeMounts, recordingLogger } from './probe-handler.test-support.js';
import { request, type TestRequest } from './test-client.test-support.js';
import { makeTestPki, type TestPki } from './tls-pki.test-support.js';

let pki: TestPki;
const logger = recordingLogger();
beforeAll(async () => {
  pki = await makeTestPki();
});
afterAll(() => pki?.dispose());

async function peerOver(server: Listening, client: Omit<TestRequest, 'ca'> = {}) {
  const response = await request(`${server.httpsUrl}/sim/peer`, { ...client, ca: pki.caCert });
  return JSON.parse(response.body.toString());
}

describe('HTTPS without client certificates', () => {
  let server: Listening;
  beforeAll(async () => {
    server = await listen({ mounts: probeMounts, logger, tls: { port: 0, key: pki.serverKey, cert: pki.serverCert } });
  });
  afterAll(() => server.close());

  it('serves HTTP and HTTPS side by side, and marks the peer as TLS', async () => {
    expect(server.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.httpsUrl).not.toBe(server.httpUrl.replace('http:', 'https:'));
    expect(await peerOver(server)).toEqual({ address: '127.0.0.1', tls: true, subject: null, authorized: false });
  });
});

describe('HTTPS requiring a trusted client certificate', () => {
  let server: Listening;
  beforeAll(async () => {
    server = await listen({
      mounts: probeMounts,
      logger,
      tls: { port: 0, key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: true },
    });
  });
  afterAll(() => server.close());

  /** Connects and sends nothing: whatever ends the connection is the TLS layer's doing, not a handler's. */
  function handshake(client: { key?: string; cert?: string }): Promise<string> {
    const url = new URL(server.httpsUrl!);
    return new Promise((resolve) => {
      const socket = tls.connect({ host: url.hostname, port: Number(url.port), ca: pki.caCert, ...client });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(`error: ${error.code ?? ''} ${error.message}`));
      socket.on('close', () => resolve('closed'));
      socket.on('data', () => resolve('data'));
      setTimeout(() => {
        resolve('still open');
        socket.destroy();
      }, 300);
    });
  }

  it('refuses, in the handshake, a client without a certificate', async () => {
    expect(await handshake({})).toMatch(/certificate required/);
    await expect(request(`${server.httpsUrl}/sim/peer`, { ca: pki.caCert })).rejects.toThrow(/certificate required/);
  });

  it('refuses, in the handshake, a client whose certificate comes from an untrusted CA', async () => {
    // Node's TLS server destroys an unauthorized connection right after the handshake, before any request.
    expect(await handshake({ key: pki.untrustedKey, cert: pki.untrustedCert })).toMatch(/^(closed|error: ECONNRESET)/);
    expect(await handshake({ key: pki.clientKey, cert: pki.clientCert })).toBe('still open');
    await expect(peerOver(server, { key: pki.untrustedKey, cert: pki.untrustedCert })).rejects.toThrow();
  });

  it('passes the verified client certificate to the handler', async () => {
    expect(await peerOver(server, { key: pki.clientKey, cert: pki.clientCert })).toEqual({
      address: '127.0.0.1',
      tls: true,
      subject: 'CN=device-1',
      authorized: true,
    });
  });

  it('still serves plain HTTP on its own port', async () => {
    expect((await request(`${server.httpUrl}/sim/binary`)).status).toBe(200);
  });
});

describe('HTTPS asking for, but not requiring, a client certificate', () => {
  let server: Listening;
  beforeAll(async () => {
    server = await listen({
      mounts: probeMounts,
      logger,
      tls: { port: 0, key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: false },
    });
  });
  afterAll(() => server.close());

  it('lets the handler see an unverified certificate and decide', async () => {
    expect(await peerOver(server, { key: pki.untrustedKey, cert: pki.untrustedCert })).toMatchObject({
      subject: 'CN=intruder',
      authorized: false,
    });
    expect(await peerOver(server, { key: pki.clientKey, cert: pki.clientCert })).toMatchObject({ subject: 'CN=device-1', authorized: true });
    expect(await peerOver(server)).toMatchObject({ subject: null, authorized: false });
  });
});
