/**
 * Where a PKIOperation's time goes inside our server, from the scep-ca simulator's own exchange records
 * (GET /__mdmca/scep-ca/exchanges: the last 200 requests of the worker that answers, each with its parse /
 * policy / issue / reply / total timings). A sample, taken after the measured run, so it costs the run nothing.
 */
import type { TimingTotals } from './bench-server.js';
import { addTimings, emptyTimings } from './bench-server.js';

interface ExchangeList {
  exchanges?: Array<{ operation?: string; timings?: Record<string, number> }>;
}

/** Sums of the timings of the recent PKIOperations, or undefined when the server keeps no such records. */
export async function fetchExchangeTimings(scepUrl: string): Promise<TimingTotals | undefined> {
  try {
    const response = await fetch(new URL('/__mdmca/scep-ca/exchanges', scepUrl), { signal: AbortSignal.timeout(5000) });
    if (response.status !== 200) return undefined;
    const list = (await response.json()) as ExchangeList;
    const totals = emptyTimings();
    for (const exchange of list.exchanges ?? []) {
      if (exchange.operation === 'PKIOperation' && exchange.timings) addTimings(totals, exchange.timings);
    }
    return totals.count > 0 ? totals : undefined;
  } catch {
    return undefined;
  }
}
