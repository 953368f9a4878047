/**
 * The command-line contract of DESIGN.md, through the built `mdmca` (npm test builds before it runs vitest):
 * exit codes 0/1/2, --json, reports, `serve --json` listening lines, and `run` against micromdm's scepserver.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { micromdmUnavailable, startMicromdm } from '../core/scep/client-micromdm.test-support.js';
import { MICROMDM_DEVIATIONS } from '../suites/scep-server/micromdm-deviations.js';

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const built = existsSync(MAIN);
if (!built) console.log('skipping CLI tests: dist/cli/main.js is missing (npm test builds it first)');

const work = mkdtempSync(join(tmpdir(), 'mdmca-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function mdmca(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env, NO_COLOR: '1' }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!built)('mdmca run', () => {
  it('exits 2 on usage and configuration errors, naming the problem', async () => {
    const unknownOption = await mdmca(['run', '--bogus']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/unknown option '--bogus'/);

    const unknownSuite = await mdmca(['run', '--suite', 'nope']);
    expect(unknownSuite.code).toBe(2);
    expect(unknownSuite.stderr).toMatch(/unknown suite nope; known: scep-server, scep-client, devices, globalsign-epki, symantec-mpki/);

    const config = join(work, 'bad.yaml');
    writeFileSync(config, 'targets:\n  scep-ca: { url: ftp://x }\nreporters: [pdf]\n');
    const badConfig = await mdmca(['run', '--config', config]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/targets\.scep-ca/);
    expect(badConfig.stderr).toMatch(/reporters\.0/);

    const badTarget = await mdmca(['run', '--target', 'scep-ca']);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toMatch(/ROLE=URL/);
  });

  it('runs the SCEP suites against the embedded simulators: exit 0, --json result object, three reports', { timeout: 120_000 }, async () => {
    const out = join(work, 'embedded');
    const ran = await mdmca(['run', '--json', '--out', out]);
    expect(ran.code, ran.stderr).toBe(0);
    const result = JSON.parse(ran.stdout) as { suites: Array<{ id: string; target: string; passed: number; failed: number; skipped: number; checks: Array<{ id: string; status: string; severity: string; source: string; message: string }> }> };
    expect(result.suites.map((suite) => suite.id)).toEqual(['scep-server', 'scep-client', 'devices', 'globalsign-epki', 'symantec-mpki']);
    for (const suite of result.suites) {
      expect(suite.failed, JSON.stringify(suite.checks.filter((c) => c.status !== 'pass'))).toBe(0);
      expect(suite.passed).toBeGreaterThan(5);
      for (const check of suite.checks) expect(Object.keys(check)).toEqual(expect.arrayContaining(['id', 'status', 'severity', 'source', 'message']));
    }
    expect(readFileSync(join(out, 'report.xml'), 'utf8')).toMatch(/<testsuites[^>]* tests="\d+"/);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).suites).toHaveLength(5);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/scep\.enroll\.post/);
  });
});

const micromdm = micromdmUnavailable();
if (micromdm) console.log(`skipping mdmca run against micromdm: ${micromdm}`);

describe.skipIf(!built || micromdm !== undefined)('mdmca run against micromdm scepserver', () => {
  it('exits 1 and names exactly its RFC 8894 deviations in the result and the reports', { timeout: 120_000 }, async () => {
    const server = await startMicromdm({ allowRenew: 0 });
    try {
      const out = join(work, 'micromdm');
      const ran = await mdmca(['run', '--suite', 'scep-server', '--target', `scep-ca=${server.url}`, '--json', '--out', out], { MDMCA_SCEP_CA_CHALLENGE: server.challenge });
      expect(ran.code, ran.stderr).toBe(1);
      const [suite] = (JSON.parse(ran.stdout) as { suites: Array<{ target: string; checks: Array<{ id: string; status: string }> }> }).suites;
      expect(suite!.target).toBe(server.url);
      expect(suite!.checks.filter((check) => check.status === 'fail').map((check) => check.id).sort()).toEqual(MICROMDM_DEVIATIONS);
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      for (const id of MICROMDM_DEVIATIONS) expect(html).toContain(id);
      expect(readFileSync(join(out, 'report.xml'), 'utf8')).toMatch(/failures="8"/);
      // The challenge came from the environment and must not leak into any report.
      for (const file of ['report.xml', 'report.json', 'report.html']) expect(readFileSync(join(out, file), 'utf8')).not.toContain(server.challenge);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!built)('mdmca serve', () => {
  it('prints one JSON line per endpoint, serves SCEP on HTTP and HTTPS, and stops on SIGTERM', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--tls-port', '0', '--json', '--scep-challenge', 'cli-test'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Array<{ event: string; simulator: string; kind: string; url: string }> = [];
    const reader = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
      reader.on('line', (line) => {
        lines.push(JSON.parse(line));
        if (lines.some((entry) => entry.kind === 'admin')) resolve();
      });
    });
    const scep = lines.find((entry) => entry.simulator === 'scep-ca' && entry.kind === 'scep')!;
    expect(scep.event).toBe('listening');
    expect(scep.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scep$/);
    const caps = await fetch(`${scep.url}?operation=GetCACaps`);
    expect(await caps.text()).toMatch(/POSTPKIOperation/);
    const secure = lines.find((entry) => entry.kind === 'scep-https')!;
    expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/scep$/);
    child.removeAllListeners('exit');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
