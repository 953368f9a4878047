/**
 * The peer of the benchmark: micromdm's `scepserver` (Debian package scep, 2.1.0) with a fresh RSA-2048 CA in a
 * temporary depot, loaded with the same kind of requests as ours in the same run. `-allowrenew 0` so that
 * nothing it has issued blocks a later subject; the pool gives every request its own subject anyway.
 * (core/scep/client-micromdm.test-support.ts starts it the same way for tests; that file is not in the build.)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

export function micromdmVersion(binary = 'scepserver'): string {
  const probe = spawnSync(binary, ['-version'], { encoding: 'utf8' });
  if (probe.error) throw new PeerUnavailableError(`micromdm ${binary} is not installed (${probe.error.message}); apt-get install scep`);
  return `${probe.stdout}${probe.stderr}`.trim().split('\n')[0] ?? 'unknown';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startMicromdmPeer(options: { challenge: string; binary?: string }): Promise<PeerServer> {
  const binary = options.binary ?? 'scepserver';
  const version = micromdmVersion(binary);
  const dir = mkdtempSync(join(tmpdir(), 'mdmca-bench-peer-'));
  const depot = join(dir, 'depot');
  const init = spawnSync(binary, ['ca', '-init', '-depot', depot, '-keySize', '2048'], { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new PeerUnavailableError(`${binary} ca -init failed: ${init.stderr}${init.stdout}`);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ['-depot', depot, '-port', String(port), '-challenge', options.challenge, '-allowrenew', '0'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  // Keep only the tail: it logs a line per request.
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
  const url = `http://127.0.0.1:${port}/scep`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new PeerUnavailableError(`${binary} exited with ${child.exitCode}: ${output}`);
    }
    try {
      const response = await fetch(`${url}?operation=GetCACaps`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await close();
      throw new PeerUnavailableError(`${binary} did not answer GetCACaps within 10 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { name: 'micromdm scepserver', version, url, pid: child.pid ?? 0, challenge: options.challenge, log: () => output, close };
}
