/**
 * The peer of the benchmark: micromdm's `scepserver` (Debian package scep, 2.1.0) with a fresh RSA-2048 CA in a
 * temporary depot, loaded with the same kind of requests as ours in the same run. `-allowrenew 0` so that
 * nothing it has issued blocks a later subject; the pool gives every request its own subject anyway.
 */
import { startMicromdm } from '../fixtures/micromdm-scepserver.js';

export interface PeerServer {
  name: string;
  version: string;
  /** http://127.0.0.1:PORT/scep */
  url: string;
  pid: number;
  challenge: string;
  log(): string;
  close(): Promise<void>;
}

export class PeerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeerUnavailableError';
  }
}

/** micromdm scepserver with a fresh RSA-2048 CA, started by the launcher the interop tests use. */
export async function startMicromdmPeer(options: { challenge: string; binary?: string }): Promise<PeerServer> {
  try {
    const server = await startMicromdm({ challenge: options.challenge, allowRenew: 0, keySize: 2048, ...(options.binary && { binary: options.binary }) });
    return { name: 'micromdm scepserver', version: server.version, url: server.url, pid: server.pid, challenge: server.challenge, log: server.log, close: server.close };
  } catch (error) {
    throw new PeerUnavailableError((error as Error).message);
  }
}
