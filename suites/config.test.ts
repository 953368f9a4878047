import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseTargetOption, resolveTargets } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'mdmca-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('run configuration', () => {
  it('reports every problem with its path', async () => {
    const path = file('bad.yaml', 'targets:\n  scep-ca:\n    url: ftp://x\n    challenge: plain-text\n  Bad_Role: simulator\nreporters: [pdf]\nextra: 1\n');
    const error = await loadConfig(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    expect(issues).toMatch(/targets\.scep-ca/);
    expect(issues).toMatch(/reporters\.0/);
    expect(issues).toMatch(/extra|Unrecognized/);
    expect((error as ConfigError).issues.length).toBeGreaterThanOrEqual(3);
  });

  it('reads secrets from the environment and files, and never from the file text', async () => {
    file('challenge.txt', 's3cret-from-file\n');
    const path = file('good.yaml', 'targets:\n  scep-ca:\n    url: http://127.0.0.1:9/scep\n    challenge: { file: challenge.txt }\n  other:\n    url: http://127.0.0.1:9/x\n    password: { env: OTHER_PASSWORD }\n');
    const config = await loadConfig(path);
    const targets = await resolveTargets(['scep-ca', 'other'], config, [], { OTHER_PASSWORD: 'pw' });
    expect(targets.get('scep-ca')).toMatchObject({ kind: 'url', credentials: { challenge: 's3cret-from-file' } });
    expect(targets.get('other')).toMatchObject({ credentials: { password: 'pw' } });
    await expect(resolveTargets(['other'], config, [], {})).rejects.toThrow(/targets\.other\.password: environment variable OTHER_PASSWORD is not set/);
  });

  it('gives a client-certificate target its .p12, the .p12 password as a secret and its trusted roots, paths relative to the file', async () => {
    const path = file('mtls.yaml', 'targets:\n  symantec-mpki:\n    url: https://pki-ws.example.test\n    clientP12: ra.p12\n    clientP12Password: { env: RA_PASSWORD }\n    trustedCertificates: roots.pem\n');
    const targets = await resolveTargets(['symantec-mpki'], await loadConfig(path), [], { RA_PASSWORD: 'ra-pw' });
    expect(targets.get('symantec-mpki')).toMatchObject({ kind: 'url', credentials: { clientP12: join(dir, 'ra.p12'), clientP12Password: 'ra-pw', trustedCertificates: join(dir, 'roots.pem') } });
  });

  it('lets --target override the file and defaults the rest to the simulator', async () => {
    const targets = await resolveTargets(['scep-ca', 'x'], undefined, [parseTargetOption('scep-ca=http://127.0.0.1:1/scep')], { MDMCA_SCEP_CA_CHALLENGE: 'c' });
    expect(targets.get('scep-ca')).toMatchObject({ kind: 'url', url: 'http://127.0.0.1:1/scep', credentials: { challenge: 'c' } });
    expect(targets.get('x')).toEqual({ role: 'x', kind: 'simulator' });
    expect(() => parseTargetOption('scep-ca')).toThrow(/ROLE=URL/);
    expect(() => parseTargetOption('scep-ca=ftp://x')).toThrow(/not an http/);
    await expect(resolveTargets(['scep-ca'], undefined, [parseTargetOption('nope=simulator')])).rejects.toThrow(/no selected suite tests the role "nope"/);
  });
});
