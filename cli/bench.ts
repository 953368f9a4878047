/**
 * `mdmca bench`: load a SCEP endpoint (ours, started here, or --target) and report throughput, latency
 * percentiles and errors against the hardware bound measured in the same run, and against micromdm's scepserver
 * with --peer. Writes bench.json and bench.html to --out. Exit 0 when the target answered every request
 * correctly, 1 when any request failed, 2 for a usage error.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { type BenchResult, isVendorScenario, type Scenario, SCENARIOS } from '../bench/result.js';
import type { BenchOptions } from '../bench/run.js';
import { exitCodes, parsePositiveInteger, UsageError } from './common.js';

export interface BenchFlags {
  target?: string;
  scenario: string;
  connections: string;
  duration?: string;
  requests?: string;
  warmup: string;
  challenge?: string;
  peer?: boolean;
  workers?: string;
  server: string;
  store: string;
  signing?: string;
  boundSeconds: string;
  clientKeys: string;
  cpuProf?: string;
  out: string;
  json?: boolean;
}

export function registerBenchCommand(program: Command): Command {
  return program
    .command('bench')
    .description('load a SCEP endpoint (or our GlobalSign / Symantec simulators) and compare it with the RSA-2048 bound of this machine (and micromdm with --peer)')
    .option('--target <url>', 'SCEP URL to load (default: start our SCEP CA here)')
    .addOption(new Option('--scenario <name>', 'what to send').choices([...SCENARIOS]).default('scep-pkcsreq'))
    .option('--connections <n>', 'concurrent keep-alive connections', '32')
    .option('--duration <seconds>', 'measured seconds (default 10)')
    .option('--requests <n>', 'measure this many requests instead of a duration')
    .option('--warmup <seconds>', 'seconds of unmeasured load first (0 for none)', '2')
    .option('--challenge <value>', 'challengePassword in every CSR (default: the embedded simulator\'s)')
    .option('--peer', 'also run micromdm scepserver under the same load')
    .option('--workers <n>', 'our server\'s processes (node:cluster workers; default: the cores)')
    .addOption(new Option('--server <kind>', 'our server: the embedded simulators, or the bare SCEP handler').choices(['embedded', 'bare']).default('embedded'))
    .addOption(new Option('--store <kind>', 'our server\'s state').choices(['sqlite', 'memory']).default('sqlite'))
    .addOption(new Option('--signing <mode>', 'where our server signs: libuv\'s pool, or inline (default: inline with several workers)').choices(['pool', 'inline']))
    .option('--bound-seconds <n>', 'seconds of openssl speed per operation', '3')
    .option('--client-keys <n>', 'RSA-2048 client keys the requests are spread over', '32')
    .option('--cpu-prof <dir>', 'write V8 CPU profiles of our server processes to DIR')
    .option('--out <dir>', 'directory for bench.json and bench.html', 'reports/out')
    .option('--json', 'print the result object on stdout instead of the table')
    .action(benchCommand);
}

export function parseBenchFlags(flags: BenchFlags): BenchOptions {
  if (flags.duration !== undefined && flags.requests !== undefined) throw new UsageError('give --duration or --requests, not both');
  const nonNegative = (value: string, flag: string) => {
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0) throw new UsageError(`${flag} must be a number of seconds ≥ 0, not "${value}"`);
    return number;
  };
  if (flags.target !== undefined) {
    let url: URL;
    try {
      url = new URL(flags.target);
    } catch {
      throw new UsageError(`--target must be a URL, not "${flags.target}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--target must be an http or https URL');
    if (flags.workers !== undefined || flags.cpuProf !== undefined || flags.signing !== undefined) {
      throw new UsageError('--workers, --signing and --cpu-prof apply to our server, not to --target');
    }
  }
  if (isVendorScenario(flags.scenario)) {
    // The vendor scenarios load our embedded simulators: there is no vendor peer to compare with.
    if (flags.peer) throw new UsageError(`--peer applies to the SCEP scenarios, not to ${flags.scenario}`);
    if (flags.target !== undefined) throw new UsageError(`--target applies to the SCEP scenarios, not to ${flags.scenario}`);
    if (flags.server === 'bare') throw new UsageError(`${flags.scenario} needs --server embedded (the bare server is SCEP only)`);
  }
  const duration = flags.duration !== undefined ? nonNegative(flags.duration, '--duration') : undefined;
  if (duration === 0) throw new UsageError('--duration must be more than 0');
  return {
    scenario: flags.scenario as Scenario,
    ...(flags.target !== undefined ? { target: flags.target.replace(/\?.*$/, '') } : {}),
    connections: parsePositiveInteger(flags.connections, '--connections'),
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    ...(flags.requests !== undefined ? { requests: parsePositiveInteger(flags.requests, '--requests') } : {}),
    warmupSeconds: nonNegative(flags.warmup, '--warmup'),
    ...(flags.challenge !== undefined ? { challenge: flags.challenge } : {}),
    peer: flags.peer === true,
    ...(flags.workers !== undefined ? { workers: parsePositiveInteger(flags.workers, '--workers') } : {}),
    server: flags.server as 'embedded' | 'bare',
    store: flags.store as 'sqlite' | 'memory',
    ...(flags.signing !== undefined ? { signing: flags.signing as 'pool' | 'inline' } : {}),
    boundSeconds: parsePositiveInteger(flags.boundSeconds, '--bound-seconds'),
    clientKeys: parsePositiveInteger(flags.clientKeys, '--client-keys'),
    ...(flags.cpuProf !== undefined ? { cpuProfileDir: resolve(flags.cpuProf) } : {}),
  };
}

export async function benchCommand(flags: BenchFlags): Promise<void> {
  const options = parseBenchFlags(flags);
  // Loaded when the command runs (autocannon and the pool builder), so other commands start fast.
  const [{ runBench }, { toBenchHtml }] = await Promise.all([import('../bench/run.js'), import('../bench/report-html.js')]);
  const { result, plots } = await runBench({ ...options, log: (line) => process.stderr.write(`mdmca bench: ${line}\n`) });
  const out = resolve(flags.out);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'bench.json'), `${JSON.stringify({ ...result, plots }, null, 2)}\n`);
  await writeFile(join(out, 'bench.html'), toBenchHtml(result, plots));
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${formatTable(result)}\nwrote ${join(out, 'bench.json')} and bench.html\n`);
  process.exitCode = result.errors > 0 ? exitCodes.failed : exitCodes.ok;
}

function timingLine(t: NonNullable<BenchResult['target']['timings']>): string {
  return `inside our server, per PKIOperation (last ${t.requests}): parse ${num(t.parse, 2)} ms, policy ${num(t.policy, 2)} ms (issue ${num(t.issue, 2)} ms), reply ${num(t.reply, 2)} ms, total ${num(t.total, 2)} ms`;
}

const num = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? '–' : value.toFixed(digits));

/** The human summary: one column per target, the bound, the machine and the run length. */
export function formatTable(result: BenchResult): string {
  const columns = [result.target, ...(result.peer ? [result.peer] : [])];
  const rows: Array<[string, ...string[]]> = [
    ['', ...columns.map((c) => c.name)],
    ['throughput /s', ...columns.map((c) => num(c.throughput))],
    ['ratio to bound', ...columns.map((c) => (c.ratioToBound === null ? '–' : `${num(c.ratioToBound * 100)} %`))],
    ['requests', ...columns.map((c) => String(c.requests))],
    ['errors', ...columns.map((c) => String(c.errors))],
    ['p50 ms', ...columns.map((c) => num(c.latency.p50, 2))],
    ['p95 ms', ...columns.map((c) => num(c.latency.p95, 2))],
    ['p99 ms', ...columns.map((c) => num(c.latency.p99, 2))],
    ['max ms', ...columns.map((c) => num(c.latency.max, 2))],
    ['server CPU %', ...columns.map((c) => num(c.server?.cpuPercent))],
    ['server RSS MiB', ...columns.map((c) => (c.server ? `${num(c.server.rssStartMiB)} → ${num(c.server.rssEndMiB)} (peak ${num(c.server.rssPeakMiB)})` : '–'))],
    ['RSS growth once warm MiB', ...columns.map((c) => num(c.server?.rssSteadyGrowthMiB))],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  const m = result.machine;
  const errors = columns.flatMap((c) => Object.entries(c.errorsByKind).map(([kind, count]) => `  ${c.name}: ${count} × ${kind}`));
  return [
    `${result.scenario}, ${result.connections} connections, ${num(result.durationSeconds)} s measured (run took ${num(result.totalSeconds, 0)} s)`,
    `bound: ${num(result.bound.privateOpsPerSecond, 0)} RSA-2048 signatures/s = ${num(result.bound.issuancesPerSecond, 0)} ${isVendorScenario(result.scenario) ? 'CSR' : 'SCEP'} issuances/s (${result.boundMeasurement.command})`,
    ...lines,
    ...(result.ratioToPeer !== undefined && result.ratioToPeer !== null ? [`ours / peer: ${num(result.ratioToPeer)}×`] : []),
    ...(result.target.timings ? [timingLine(result.target.timings)] : []),
    ...(errors.length ? ['errors:', ...errors] : []),
    ...result.notes.map((note) => `note: ${note}`),
    `machine: ${m.cpuModel}, ${m.cores} cores, Node ${m.node}, OpenSSL ${m.openssl}, load average ${m.loadAverage} at start`,
  ].join('\n');
}
