/**
 * A throw-away TLS PKI made with the `openssl` CLI, for tests that need real HTTPS and client certificates:
 * a CA, a server certificate for 127.0.0.1/localhost, a client certificate the CA issued, and a client
 * certificate from another CA (untrusted). EC P-256, so generation takes a few tens of milliseconds.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  caCert: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  /** Issued by a CA the server does not trust. */
  untrustedKey: string;
  untrustedCert: string;
  /** Deletes the working directory. */
  dispose(): Promise<void>;
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'mdmca-pki-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

  const selfSignedCa = (name: string, cn: string) =>
    openssl('req', '-x509', ...ec, '-keyout', at(`${name}.key`), '-out', at(`${name}.crt`), '-subj', `/CN=${cn}`, '-days', '2',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');

  const issue = async (name: string, cn: string, ca: string, extensions: string) => {
    await openssl('req', ...ec, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${cn}`);
    await writeFile(at(`${name}.ext`), extensions);
    await openssl('x509', '-req', '-in', at(`${name}.csr`), '-CA', at(`${ca}.crt`), '-CAkey', at(`${ca}.key`),
      '-set_serial', `0x${Math.floor(Math.random() * 2 ** 40).toString(16)}`, '-days', '2', '-extfile', at(`${name}.ext`), '-out', at(`${name}.crt`));
  };

  try {
    await Promise.all([selfSignedCa('ca', 'mdmca test CA'), selfSignedCa('other-ca', 'untrusted test CA')]);
    await Promise.all([
      issue('server', '127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'),
      issue('client', 'device-1', 'ca', 'extendedKeyUsage=clientAuth\n'),
      issue('untrusted', 'intruder', 'other-ca', 'extendedKeyUsage=clientAuth\n'),
    ]);
    const read = (name: string) => readFile(at(name), 'utf8');
    const [caCert, serverKey, serverCert, clientKey, clientCert, untrustedKey, untrustedCert] = await Promise.all(
      ['ca.crt', 'server.key', 'server.crt', 'client.key', 'client.crt', 'untrusted.key', 'untrusted.crt'].map(read),
    );
    return {
      caCert: caCert!,
      serverKey: serverKey!,
      serverCert: serverCert!,
      clientKey: clientKey!,
      clientCert: clientCert!,
      untrustedKey: untrustedKey!,
      untrustedCert: untrustedCert!,
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
