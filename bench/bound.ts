/**
 * The hardware bound of the signing path (DESIGN.md, "The signing path"): `openssl speed -multi <cores> rsa2048`
 * on this machine, in the same run as the load, gives RSA-2048 private-key operations per second over every core.
 * A SCEP issuance costs three of them (open the envelope, sign the certificate, sign the CertRep), a CSR issuance
 * one. Nothing is cached: a bound from another moment (another load on the machine) would make the ratio lie.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface Bound {
  privateOpsPerSecond: number;
  issuancesPerSecond: number;
}

export interface MeasuredBound extends Bound {
  /** Public-key operations per second (informational). */
  verifyOpsPerSecond: number;
  cores: number;
  seconds: number;
  command: string;
  /** The first line of `openssl version`, as speed printed it. */
  openssl?: string;
}

/** Private-key operations per issuance: SCEP (decrypt, sign the certificate, sign the reply) or a plain CSR. */
export const PRIVATE_OPS_PER_ISSUANCE = { scep: 3, csr: 1 } as const;
export type IssuanceKind = keyof typeof PRIVATE_OPS_PER_ISSUANCE;

export class BoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoundError';
  }
}

export function boundFor(privateOpsPerSecond: number, kind: IssuanceKind): Bound {
  return { privateOpsPerSecond, issuancesPerSecond: privateOpsPerSecond / PRIVATE_OPS_PER_ISSUANCE[kind] };
}

/**
 * Reads the rsa2048 row of `openssl speed` output: the human table, whose columns the header names (OpenSSL 3.0:
 * sign verify sign/s verify/s; 3.2 and later add encrypt/decrypt columns), summed over processes by -multi; or,
 * failing that, the machine-readable `+F2:…` lines summed.
 */
export function parseOpensslSpeed(output: string): { signPerSecond: number; verifyPerSecond: number } {
  const lines = output.split('\n');
  const rowIndex = lines.findIndex((line) => /^rsa\s+2048\s+bits\s/.test(line));
  const header = lines.slice(0, Math.max(0, rowIndex)).reverse().find((line) => /\bsign\/s\b/.test(line));
  if (rowIndex !== -1 && header) {
    const columns = header.trim().split(/\s+/);
    const values = lines[rowIndex]!.replace(/^rsa\s+2048\s+bits\s+/, '').trim().split(/\s+/);
    const at = (name: string) => (columns.length === values.length ? Number(values[columns.indexOf(name)]) : Number.NaN);
    const signPerSecond = at('sign/s');
    const verifyPerSecond = at('verify/s');
    if (signPerSecond > 0) return { signPerSecond, verifyPerSecond };
  }
  let sign = 0;
  let verify = 0;
  for (const match of output.matchAll(/\+F2:\d+:2048:([\d.]+):([\d.]+)/g)) {
    sign += Number(match[1]);
    verify += Number(match[2]);
  }
  if (sign > 0) return { signPerSecond: sign, verifyPerSecond: verify };
  throw new BoundError(`no rsa2048 result in the openssl speed output:\n${output.slice(-600)}`);
}

export interface MeasureBoundOptions {
  /** Default: every core (os.availableParallelism()). */
  cores?: number;
  /** Seconds for the sign test (openssl then spends as long on verify). Default 3. */
  seconds?: number;
  kind?: IssuanceKind;
  /** Default 'openssl' on the PATH. */
  openssl?: string;
}

export async function measureBound(options: MeasureBoundOptions = {}): Promise<MeasuredBound> {
  const cores = options.cores ?? availableParallelism();
  const seconds = options.seconds ?? 3;
  const binary = options.openssl ?? 'openssl';
  const args = ['speed', ...(cores > 1 ? ['-multi', String(cores)] : []), '-seconds', String(seconds), 'rsa2048'];
  const output = await run(binary, args, (seconds * 2 + 30) * 1000);
  const { signPerSecond, verifyPerSecond } = parseOpensslSpeed(output);
  const version = /^version:\s*(.+)$/m.exec(output)?.[1]?.trim();
  return {
    ...boundFor(signPerSecond, options.kind ?? 'scep'),
    verifyOpsPerSecond: verifyPerSecond,
    cores,
    seconds,
    command: [binary, ...args].join(' '),
    ...(version ? { openssl: version } : {}),
  };
}

function run(binary: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new BoundError(`cannot run ${binary}: ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new BoundError(`${binary} ${args.join(' ')} exited with ${code}:\n${output.slice(-600)}`));
    });
  });
}
