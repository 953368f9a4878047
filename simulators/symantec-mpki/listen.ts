/**
 * The web services' own HTTPS listener: mutual TLS with requestCert and rejectUnauthorized, so a client with no
 * certificate, an untrusted or expired one, or a revoked RA (the CRL from tlsTrust()) fails in the handshake with
 * no HTTP response, as the real service does (vendor-apis.md §A.2, §A.8 1). RA changes re-apply the trust with
 * server.setSecureContext. Binds 127.0.0.1 by default.
 */
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createRequestListener } from '../http.js';
import type { SymantecMpki } from './index.js';

export interface SymantecListenOptions {
  key: string;
  /** PEM chain of the server certificate. */
  cert: string;
  host?: string;
  port?: number;
  /** Where server errors after listen() go. Default: console.error. */
  log?: (message: string, error: unknown) => void;
}

export interface SymantecListening {
  /** https origin. */
  url: string;
  close(): Promise<void>;
}

export async function listenSymantecMpki(sim: SymantecMpki, options: SymantecListenOptions): Promise<SymantecListening> {
  await sim.tlsTrustReady();
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((message: string, error: unknown) => console.error(`[symantec-mpki] ${message}:`, error));
  const context = () => {
    const trust = sim.tlsTrust();
    return { key: options.key, cert: options.cert, ca: trust.ca, ...(trust.crl.length ? { crl: trust.crl } : {}) };
  };
  const server = https.createServer({ ...context(), requestCert: true, rejectUnauthorized: true }, createRequestListener(sim.webServiceMounts));
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Swallow handshake failures: they are the expected answer to a bad client certificate.
  server.on('tlsClientError', () => undefined);
  const unsubscribe = sim.onTlsTrustChange(() => server.setSecureContext(context()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A later server error (EMFILE on accept, …) is logged: with no 'error' listener Node would crash the process.
  server.on('error', (error) => log('server error', error));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
