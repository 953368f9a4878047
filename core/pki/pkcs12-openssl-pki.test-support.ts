/**
 * Test material for the PKCS#12 tests, made with the openssl CLI so that nothing under test makes its own
 * fixtures: a root CA, an intermediate CA and a leaf (RSA-2048 or EC P-256). Imported by tests only.
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pemToDer } from './pem.js';

export interface TestPki {
  dir: string;
  leafKey: KeyObject;
  leaf: Uint8Array;
  /** intermediate, then root */
  chain: Uint8Array[];
  /** PEM files for openssl: the leaf key, the leaf, and the chain */
  files: { key: string; cert: string; chain: string };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mdmca-p12-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs openssl in `cwd`; returns stdout and stderr (where `pkcs12 -info` prints the algorithms). Throws when it fails. */
export function openssl(args: string[], cwd: string): { stdout: string; stderr: string } {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

export function makeTestPki(keyType: 'rsa' | 'ec'): TestPki {
  const dir = tempDir();
  const run = (args: string[]) => openssl(args, dir);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const leafKey = keyType === 'rsa' ? ['-newkey', 'rsa:2048'] : ec;
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  run(['req', '-x509', ...ec, '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/CN=mdmca test root', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE']);
  run(['req', ...ec, '-nodes', '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=mdmca test intermediate']);
  run(['x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '2', '-days', '2', '-extfile', 'ca.ext', '-out', 'int.pem']);
  run(['req', ...leafKey, '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=device 42/O=mdmca']);
  run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'int.pem', '-CAkey', 'int.key', '-set_serial', '3', '-days', '2', '-extfile', 'leaf.ext', '-out', 'leaf.pem']);
  const pem = (name: string) => readFileSync(join(dir, name), 'utf8');
  writeFileSync(join(dir, 'chain.pem'), pem('int.pem') + pem('root.pem'));
  return {
    dir,
    leafKey: createPrivateKey(pem('leaf.key')),
    leaf: pemToDer(pem('leaf.pem'), 'CERTIFICATE'),
    chain: [pemToDer(pem('int.pem'), 'CERTIFICATE'), pemToDer(pem('root.pem'), 'CERTIFICATE')],
    files: { key: join(dir, 'leaf.key'), cert: join(dir, 'leaf.pem'), chain: join(dir, 'chain.pem') },
  };
}
