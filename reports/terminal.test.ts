import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../suites/runner.js';
import { HOSTILE, sampleRun } from './html-fixture.test-support.js';
import { createProgress, formatSummaryTable, plain, progressLine, shouldColor } from './terminal.js';

const ANSI = /\x1b\[[0-9;]*m/g;
const check = (over: Partial<CheckResult> = {}): CheckResult => ({
  id: 'SCEP-CAPS-001',
  title: 'GetCACaps lists the capabilities',
  severity: 'error',
  source: 'RFC 8894 §3.5.2',
  status: 'pass',
  message: 'ok',
  durationMs: 1.234,
  exchanges: [],
  ...over,
});

describe('formatSummaryTable', () => {
  const run = sampleRun();

  it('prints a line per suite, its failed checks under it, and a total', () => {
    const lines = formatSummaryTable(run).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Suite\s+Target\s+Passed\s+Failed\s+Skipped\s+Time$/);
    expect(lines[1]).toMatch(/^scep-rfc8894\s+http:\/\/127\.0\.0\.1:8080\/scep\s+3\s+3\s+1\s+0\.10 s$/);
    expect(lines[2]).toBe('  ✗ SCEP-CIPHER-001 [error] CertRep is encrypted with single DES');
    expect(lines[3]).toBe('  ✗ SCEP-PENDING-001 [warning] no PENDING state: request granted or rejected at once');
    expect(lines[4]).toMatch(/^  ✗ SCEP-MALFORMED-001 \[error\] HTTP 500: <script>/);
    expect(lines[5]).toMatch(/^globalsign-epki\s+simulator\s+2\s+1\s+0\s+0\.09 s$/);
    expect(lines[6]).toBe('  ✗ EPKI-LICENSE-001 [error] licence error was reported as a generic failure');
    expect(lines[7]).toMatch(/^opentrust-cms\s+https:\/\/ca\.example\.test\/connector\/mdm\.cgi\s+0\s+0\s+1\s+0\.01 s$/);
    expect(lines[8]).toBe('  ! setup failed: connect ECONNREFUSED 127.0.0.1:9443');
    expect(lines[9]).toMatch(/^-+$/);
    expect(lines[10]).toMatch(/^Total\s+5\s+4\s+2\s+0\.20 s$/);
    // Columns line up: every suite row ends at the same column as the header.
    expect(new Set([lines[0], lines[1], lines[5], lines[7], lines[10]].map((l) => l!.length)).size).toBe(1);
  });

  it('neutralises control characters from the target and keeps lines within the width', () => {
    const full = formatSummaryTable(run, { width: 300 });
    expect(full).not.toContain('\u001b');
    expect(full).toContain('&amp;\\x1b[31m');
    const out = formatSummaryTable(run, { width: 60 });
    for (const line of out.split('\n').filter((l) => l.startsWith('  '))) expect(Array.from(line).length).toBeLessThanOrEqual(60);
    expect(HOSTILE).toContain('\u001b');
  });

  it('colours only when asked, and the text under the colours is the same', () => {
    const plainOut = formatSummaryTable(run);
    const colored = formatSummaryTable(run, { color: true });
    expect(plainOut).not.toMatch(ANSI);
    expect(colored).toMatch(/\x1b\[31m/);
    expect(colored.replace(ANSI, '')).toBe(plainOut);
    const green = formatSummaryTable({ ...run, suites: [run.suites[1]!].map((s) => ({ ...s, failed: 0, checks: [] })) }, { color: true });
    expect(green.trimEnd().split('\n').at(-1)).toMatch(/\x1b\[32m/);
  });
});

describe('progress', () => {
  it('formats one line per check with counter, mark, id and time', () => {
    expect(progressLine({ suite: 'scep', check: check(), done: 3, total: 40 })).toBe('[ 3/40] scep ✓ SCEP-CAPS-001 GetCACaps lists the capabilities (1.23 ms)');
    expect(progressLine({ suite: 'scep', check: check({ status: 'fail', message: `bad\n${HOSTILE}` }), done: 1 }, { width: 300 })).toMatch(/^\[1\] scep ✗ SCEP-CAPS-001 bad <script>.*\\x1b\[31m \(1\.23 ms\)$/);
    const long = progressLine({ suite: 'scep', check: check({ title: 'x'.repeat(500) }), done: 1, total: 9 }, { width: 60 });
    expect(Array.from(long).length).toBeLessThanOrEqual(60);
    expect(long.endsWith('… (1.23 ms)')).toBe(true);
    expect(progressLine({ suite: 's', check: check({ status: 'skip' }), done: 1 }, { color: true })).toContain('\x1b[33m–\x1b[0m');
  });

  it('rewrites one line on a terminal and keeps failures; writes a line per check elsewhere', () => {
    const tty: string[] = [];
    const live = createProgress({ write: (s: string) => tty.push(s), isTTY: true, columns: 50 }, { total: 3 });
    live.suiteStart('scep-rfc8894', 'http://127.0.0.1:8080/scep');
    live.onCheck({ id: 'scep-rfc8894' }, check());
    live.onCheck({ id: 'scep-rfc8894' }, check({ status: 'fail', message: 'boom' }));
    live.onCheck({ id: 'scep-rfc8894' }, check());
    live.done();
    expect(tty[0]).toBe('▶ scep-rfc8894 against http://127.0.0.1:8080/scep\n');
    expect(tty[1]!.startsWith('\r\x1b[2K[1/3]')).toBe(true);
    expect(tty[1]!.endsWith('\n')).toBe(false);
    expect(tty[2]!.endsWith('boom (1.23 ms)\n')).toBe(true);
    expect(tty[4]).toBe('\r\x1b[2K');
    for (const chunk of tty) expect(Array.from(chunk.replace('\r\x1b[2K', '').replace('\n', '')).length).toBeLessThanOrEqual(49);

    const log: string[] = [];
    const ci = createProgress({ write: (s: string) => log.push(s) });
    ci.onCheck({ id: 'scep' }, check());
    ci.onCheck({ id: 'scep' }, check({ status: 'fail', message: 'boom' }));
    ci.done();
    expect(log).toEqual(['[1] scep ✓ SCEP-CAPS-001 GetCACaps lists the capabilities (1.23 ms)\n', '[2] scep ✗ SCEP-CAPS-001 boom (1.23 ms)\n']);
  });

  it('decides colour from the stream and NO_COLOR / FORCE_COLOR', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({}, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(true);
    expect(plain('a\r\nb\tc\u0007\u009b')).toBe('a b c\\x07\\x9b');
  });
});
