/**
 * The clients the suite can test: ours (core/scep/client.ts, the `simulator` target) and programs with micromdm
 * scepclient's flags (`command:scepclient`). A driver runs one enrolment and says what the client ended with;
 * the checks judge what it sent from the server's side.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PkiStatus } from '../../core/scep/constants.js';
import { ScepClient } from '../../core/scep/client.js';
import { pemToDer } from '../../core/pki/pem.js';

const run = promisify(execFile);

export interface EnrollAttempt {
  url: string;
  challenge: string;
  commonName: string;
  /** Time the client may take, polls included. */
  timeoutMs: number;
}

export interface EnrollOutcome {
  /** The certificate the client ended up holding, DER. */
  certificate?: Uint8Array;
  /** Why it holds none: the client's own words. */
  error?: string;
}

export interface ClientDriver {
  name: string;
  enroll(attempt: EnrollAttempt): Promise<EnrollOutcome>;
}

export const mdmcaClient: ClientDriver = {
  name: 'mdmca ScepClient',
  async enroll(attempt) {
    const client = new ScepClient({ url: attempt.url, timeoutMs: attempt.timeoutMs });
    try {
      const result = await client.enroll({
        subject: `CN=${attempt.commonName},O=mdmca`,
        challenge: attempt.challenge,
        poll: { intervalMs: 200, maxAttempts: Math.max(1, Math.floor(attempt.timeoutMs / 200)) },
      });
      if (result.status === PkiStatus.SUCCESS && result.certificate) return { certificate: result.certificate };
      return { error: `${result.statusName}${result.failInfoText ? `: ${result.failInfoText}` : ''}` };
    } catch (error) {
      return { error: (error as Error).message };
    }
  },
};

/** A program with micromdm scepclient's flags; it writes csr.pem and self.pem into its cwd, so each run gets a directory. */
export function commandClient(command: string): ClientDriver {
  return {
    name: command,
    async enroll(attempt) {
      const dir = await mkdtemp(join(tmpdir(), 'mdmca-scepclient-'));
      try {
        const args = ['-server-url', attempt.url, '-challenge', attempt.challenge, '-private-key', join(dir, 'key.pem'), '-certificate', join(dir, 'cert.pem'), '-cn', attempt.commonName];
        try {
          await run(command, args, { cwd: dir, timeout: attempt.timeoutMs });
        } catch (error) {
          // scepclient prints its verdict ("PKCSReq (19) request failed, failInfo: badAlg") on stdout, logs on stderr.
          const failure = error as { stdout?: string; stderr?: string; message: string };
          return { error: (failure.stdout?.trim() || failure.stderr?.trim().split('\n').slice(-2).join(' ') || failure.message).slice(0, 500) };
        }
        return { certificate: pemToDer(await readFile(join(dir, 'cert.pem'), 'utf8'), 'CERTIFICATE') };
      } catch (error) {
        return { error: (error as Error).message };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
