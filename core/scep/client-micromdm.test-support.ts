/**
 * A live micromdm `scepserver` (Debian package scep, 2.1.0) for interop tests: a fresh depot in a temp dir,
 * `scepserver ca -init`, then the server on a free loopback port, ready once GetCACaps answers. Imported by
 * tests only. Tests skip with the printed reason when the binary is absent.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MicromdmServer {
  /** http://127.0.0.1:PORT/scep */
  url: string;
  challenge: string;
  depot: string;
  /** The depot's CA certificate (PEM file). */
  caPemPath: string;
  caPem: string;
  /** What the server logged so far (for failure messages). */
  log(): string;
  close(): Promise<void>;
}

/** Why micromdm tests cannot run here, or undefined when they can. */
export function micromdmUnavailable(): string | undefined {
  const probe = spawnSync('scepserver', ['-version'], { encoding: 'utf8' });
  if (probe.error) return `micromdm scepserver not installed (${probe.error.message}); apt-get install scep`;
  return undefined;
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

async function waitUntilAnswering(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`scepserver exited with ${child.exitCode}: ${log()}`);
    try {
      const response = await fetch(`${url}?operation=GetCACaps`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`scepserver did not answer GetCACaps within 10 s: ${log()}`);
}

/**
 * Starts scepserver. `allowRenew` is its -allowrenew (days before expiry when a DN may be issued again);
 * 0 lets RenewalReq and repeated subjects through, which conformance runs need.
 */
export async function startMicromdm(options: { challenge?: string; allowRenew?: number; keySize?: number } = {}): Promise<MicromdmServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mdmca-micromdm-'));
  const depot = join(dir, 'depot');
  const challenge = options.challenge ?? 'micromdm-challenge';
  const init = spawnSync('scepserver', ['ca', '-init', '-depot', depot, '-keySize', String(options.keySize ?? 2048)], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`scepserver ca -init failed: ${init.stderr}${init.stdout}`);
  let output = '';
  const log = () => output.slice(-4000);
  // The port is free when picked but could be taken before scepserver binds it: try again with another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = ['-depot', depot, '-port', String(port), '-challenge', challenge, '-allowrenew', String(options.allowRenew ?? 0)];
    const child = spawn('scepserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = `http://127.0.0.1:${port}/scep`;
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    };
    const close = async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await waitUntilAnswering(url, child, log);
    } catch (error) {
      const exitedByItself = child.exitCode !== null; // e.g. the port was taken after all
      await stop();
      if (attempt < 3 && exitedByItself) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const caPemPath = join(depot, 'ca.pem');
    return { url, challenge, depot, caPemPath, caPem: readFileSync(caPemPath, 'utf8'), log, close };
  }
}
