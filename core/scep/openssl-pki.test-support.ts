/**
 * Test material for the SCEP codec tests, made with the openssl CLI so that nothing under test makes its own
 * fixtures: a CA and an RA (RSA-2048), a requester with a self-signed certificate and a CSR, the certificate the
 * CA issues for it, an EC requester and a CRL. Generated once per test file. Imported by tests only.
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pemToDer } from '../pki/pem.js';

export interface TestIdentity {
  certificate: Uint8Array;
  privateKey: KeyObject;
  certPath: string;
  keyPath: string;
}

export interface ScepTestPki {
  dir: string;
  ca: TestIdentity;
  /** Issued by the CA; keyUsage digitalSignature + keyEncipherment, like an NDES RA. */
  ra: TestIdentity;
  /** Self-signed, as a device signs its first PKCSReq. */
  client: TestIdentity & { csr: Uint8Array; csrPath: string };
  /** The client's CSR issued by the CA. */
  issued: Uint8Array;
  /** An EC P-256 requester (self-signed). */
  ecClient: TestIdentity;
  crl: Uint8Array;
  /** Runs openssl in the PKI directory. */
  openssl(args: string[], input?: Uint8Array): { stdout: Buffer; stderr: string };
  /** Writes a file into the PKI directory and returns its path. */
  write(name: string, data: Uint8Array | string): string;
  remove(): void;
}

export function runOpenssl(args: string[], cwd: string, input?: Uint8Array): { stdout: Buffer; stderr: string } {
  const result = spawnSync('openssl', args, { cwd, ...(input ? { input } : {}) });
  if (result.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} exited ${result.status}: ${result.stderr?.toString()}`);
  }
  return { stdout: result.stdout, stderr: result.stderr.toString() };
}

/** Whether this OpenSSL can load the legacy provider (for single DES). */
export function hasLegacyProvider(): boolean {
  return spawnSync('openssl', ['list', '-cipher-algorithms', '-provider', 'legacy']).status === 0;
}

export function makeScepTestPki(): ScepTestPki {
  const dir = mkdtempSync(join(tmpdir(), 'mdmca-scep-'));
  const run = (args: string[], input?: Uint8Array) => runOpenssl(args, dir, input);
  const path = (name: string) => join(dir, name);
  const write = (name: string, data: Uint8Array | string) => {
    writeFileSync(path(name), data);
    return path(name);
  };
  write('ca.ext', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature,keyEncipherment\nsubjectKeyIdentifier=hash\n');
  write('ra.ext', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nsubjectKeyIdentifier=hash\n');
  write('leaf.ext', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  const rsa = ['-newkey', 'rsa:2048', '-nodes'];
  run(['req', '-x509', ...rsa, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/C=US/O=mdmca/CN=mdmca SCEP test CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature,keyEncipherment']);
  run(['req', ...rsa, '-keyout', 'ra.key', '-out', 'ra.csr', '-subj', '/C=US/CN=mdmca SCEP test RA']);
  run(['x509', '-req', '-in', 'ra.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '0x4700000002f5', '-days', '30', '-extfile', 'ra.ext', '-out', 'ra.pem']);
  run(['req', '-x509', ...rsa, '-keyout', 'client.key', '-out', 'client.pem', '-subj', '/CN=device 42/O=mdmca', '-days', '2', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment']);
  write('client.cnf', '[req]\nprompt=no\ndistinguished_name=dn\nattributes=attrs\n[dn]\nCN=device 42\nO=mdmca\n[attrs]\nchallengePassword=secret\n');
  run(['req', '-new', '-key', 'client.key', '-config', 'client.cnf', '-out', 'client.csr']);
  run(['req', '-in', 'client.csr', '-outform', 'DER', '-out', 'client.csr.der']);
  run(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '4242', '-days', '30', '-extfile', 'leaf.ext', '-outform', 'DER', '-out', 'issued.der']);
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec.key', '-out', 'ec.pem', '-subj', '/CN=ec device', '-days', '2']);
  write('index.txt', '');
  write('crlnumber', '01\n');
  write('ca.cnf', `[ca]\ndefault_ca=d\n[d]\ndatabase=${path('index.txt')}\ncrlnumber=${path('crlnumber')}\ndefault_md=sha256\ndefault_crl_days=7\n`);
  run(['ca', '-config', 'ca.cnf', '-gencrl', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-out', 'ca.crl']);
  run(['crl', '-in', 'ca.crl', '-outform', 'DER', '-out', 'ca.crl.der']);

  const identity = (name: string): TestIdentity => ({
    certificate: pemToDer(readFileSync(path(`${name}.pem`), 'utf8'), 'CERTIFICATE'),
    privateKey: createPrivateKey(readFileSync(path(`${name}.key`), 'utf8')),
    certPath: path(`${name}.pem`),
    keyPath: path(`${name}.key`),
  });
  return {
    dir,
    ca: identity('ca'),
    ra: identity('ra'),
    client: { ...identity('client'), csr: new Uint8Array(readFileSync(path('client.csr.der'))), csrPath: path('client.csr.der') },
    issued: new Uint8Array(readFileSync(path('issued.der'))),
    ecClient: identity('ec'),
    crl: new Uint8Array(readFileSync(path('ca.crl.der'))),
    openssl: run,
    write,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
