/** The fleet's summary for people: the outcome, then one line per step with its percentiles, then the errors. */
import type { FleetResult } from './run.js';
import { STEP_ORDER } from './run.js';
import type { LatencySummary } from './stats.js';

const STEP_LABELS: Record<string, string> = {
  register: 'register',
  'list-configurations': 'list configurations',
  'fetch-configuration': 'fetch configuration',
  keygen: 'key generation',
  'scep-enroll': 'SCEP enrolment',
  'pkcs12-install': 'PKCS#12 install',
  'root-install': 'root install',
  status: 'status report',
};

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

function row(label: string, s: LatencySummary): string {
  return `${label.padEnd(22)}${String(s.count).padStart(7)}${String(s.failed).padStart(7)}${[s.p50, s.p95, s.p99, s.max].map((v) => ms(v).padStart(9)).join('')}`;
}

/** Text without control characters from a server (error texts come from the target). */
const inert = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');

export function formatFleetSummary(result: FleetResult): string {
  const lines: string[] = [];
  const mix = [result.devices.ios ? `${result.devices.ios} iOS` : '', result.devices.android ? `${result.devices.android} Android` : ''].filter(Boolean).join(' + ');
  lines.push(`${result.count} devices (${mix}) against ${inert(result.target)}, ${result.concurrency} at a time`);
  lines.push(`enrolled ${result.succeeded}, failed ${result.failed}; wall time ${(result.wallMs / 1000).toFixed(2)} s, ${result.devicesPerSecond} devices/s`);
  if (result.keys.mode === 'pool' && result.keys.pool) {
    const p = result.keys.pool;
    lines.push(`device keys: pool of ${p.generated + p.loaded} (${p.generated} generated, ${p.loaded} from cache) filled in ${(p.fillMs / 1000).toFixed(2)} s before the run; ${p.misses} made on the spot`);
  } else {
    lines.push('device keys: made on each device (--fresh-keys)');
  }
  lines.push('');
  lines.push(`${'step (ms)'.padEnd(22)}${'count'.padStart(7)}${'failed'.padStart(7)}${['p50', 'p95', 'p99', 'max'].map((h) => h.padStart(9)).join('')}`);
  for (const step of STEP_ORDER) {
    const summary = result.steps[step];
    if (summary) lines.push(row(STEP_LABELS[step] ?? step, summary));
  }
  lines.push(row('whole device', result.device));
  if (result.errors.length) {
    lines.push('');
    lines.push('errors:');
    for (const error of result.errors.slice(0, 10)) lines.push(`  ${String(error.count).padStart(6)} × ${inert(error.message).slice(0, 200)}`);
    if (result.errors.length > 10) lines.push(`  … and ${result.errors.length - 10} other error texts`);
  }
  return `${lines.join('\n')}\n`;
}
