/**
 * Smoke runs of the vendor issuance scenarios of `mdmca bench` (issue 7): a second and a half of load on our
 * embedded GlobalSign EPKI and Symantec MPKI simulators, in process, asserting that every request completed with
 * an issued certificate (sampled answers checked in full: subject and key) and that the result keeps the
 * contract's shape with one private operation per issuance. Throughput is never asserted here.
 */
import { describe, expect, it } from 'vitest';
import { formatTable } from '../cli/bench.js';
import { runBench } from './run.js';
import { classifyGlobalSign, classifySymantec } from './vendor.js';

const base = { connections: 3, warmupSeconds: 0, durationSeconds: 1.5, boundSeconds: 1, clientKeys: 6, inProcess: true, store: 'memory' as const };

describe('mdmca bench vendor scenarios', () => {
  for (const scenario of ['globalsign-order', 'symantec-rst'] as const) {
    it(`${scenario}: issues certificates for 1.5 s with zero errors`, async () => {
      const { result } = await runBench({ ...base, scenario });
      expect(result.errorsByKind).toEqual({});
      expect(result.errors).toBe(0);
      expect(result.requests).toBeGreaterThan(0);
      expect(result.throughput).toBeGreaterThan(0);
      expect(result.target.sample.checked).toBeGreaterThan(0);
      expect(result.target.sample.failures).toEqual([]);
      expect(result.bound.issuancesPerSecond).toBeCloseTo(result.bound.privateOpsPerSecond, 1);
      expect(result.ratioToBound).toBeGreaterThan(0);
      expect(result.pool.clientKeys).toBe(6);
      expect(formatTable(result)).toContain('CSR issuances/s');
    }, 60_000);
  }

  it('counts business errors and faults by code', () => {
    const bytes = (text: string) => new Uint8Array(Buffer.from(text));
    expect(classifyGlobalSign(503, bytes(''))).toBe('HTTP 503');
    expect(classifyGlobalSign(200, bytes('<OrderResponseHeader><SuccessCode>-1</SuccessCode><Errors><Error><ErrorCode>-9915</ErrorCode></Error></Errors></OrderResponseHeader>'))).toBe(
      'SuccessCode -1 ErrorCode -9915',
    );
    expect(classifyGlobalSign(200, bytes('<SuccessCode>0</SuccessCode><CERT>MII</CERT>'))).toBeUndefined();
    expect(classifySymantec(500, bytes('<soap:Fault><detail><errorcode>-408</errorcode></detail></soap:Fault>'))).toBe('HTTP 500 errorcode -408');
    expect(classifySymantec(200, bytes('<ns:pendingTokenReferenceID>p1</ns:pendingTokenReferenceID>'))).toBe('PENDING');
  });
});
