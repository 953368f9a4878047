/**
 * `mdmca devices --platform ios|android|mixed --count N [--concurrency C] [--json] [--target mdm=URL]`: N
 * emulated devices register with the MDM engine and install what it distributes (simulators/devices/fleet).
 * Embedded by default: every simulator starts in process, and the engine is given a SCEP CA configuration, an
 * identity configuration for all devices and one user per device through its admin API. A progress bar goes to
 * stderr; the summary (per-step p50/p95/p99, wall time, errors) or, with --json, one object to stdout.
 * Exit 0 when every device enrolled, 1 when any failed, 2 for a usage error.
 */
import type { Command } from 'commander';
import { collect, exitCodes, parsePositiveInteger, UsageError } from './common.js';

interface DevicesFlags {
  platform: string;
  count?: string;
  concurrency: string;
  json?: boolean;
  target: string[];
  user?: string;
  password?: string;
  freshKeys?: boolean;
  keySize: string;
  keyCache?: string;
  ber?: boolean;
  delivery: string;
}

export function registerDevicesCommand(program: Command): void {
  program
    .command('devices')
    .description('register and enroll N emulated iOS and Android devices through the MDM engine; per-step latency summary')
    .option('--platform <platform>', 'ios, android or mixed (alternating)', 'mixed')
    .option('--count <n>', 'number of devices (required)')
    .option('--concurrency <n>', 'devices enrolling at once', '32')
    .option('--target <role=url>', 'use a running engine: mdm=URL (its origin or /mdm base) instead of the embedded one', collect, [])
    .option('--user <name>', 'with --target: the user each device registers as; {n} becomes the device number')
    .option('--password <password>', 'with --target: that user\'s password; {n} becomes the device number')
    .option('--fresh-keys', 'make each device key on the device\'s timeline instead of from a pool filled up front')
    .option('--key-size <bits>', 'RSA size of the device keys (embedded: also the engine\'s configured size)', '2048')
    .option('--key-cache <dir>', 'keep the pool\'s device keys in DIR and reuse them next time (test keys only)')
    .option('--ber', 'Android devices send BER indefinite-length pkiMessages, as BouncyCastle-based agents do')
    .option('--delivery <kind>', 'embedded engine: how identities are delivered: scep, pkcs12 or mixed (iOS SCEP, Android PKCS#12)', 'scep')
    .option('--json', 'print one JSON object with the results instead of the table')
    .action(async (flags: DevicesFlags) => devicesCommand(flags));
}

const PLATFORMS = ['ios', 'android', 'mixed'] as const;
const DELIVERIES = ['scep', 'pkcs12', 'mixed'] as const;

export async function devicesCommand(flags: DevicesFlags): Promise<void> {
  if (!PLATFORMS.includes(flags.platform as never)) throw new UsageError(`--platform must be ios, android or mixed, not "${flags.platform}"`);
  if (flags.count === undefined) throw new UsageError('--count is required (the number of devices)');
  const count = parsePositiveInteger(flags.count, '--count');
  const concurrency = parsePositiveInteger(flags.concurrency, '--concurrency');
  const keyBits = Number(flags.keySize);
  if (![1024, 2048, 3072, 4096].includes(keyBits)) throw new UsageError(`--key-size must be 1024, 2048, 3072 or 4096, not "${flags.keySize}"`);
  if (!DELIVERIES.includes(flags.delivery as never)) throw new UsageError(`--delivery must be scep, pkcs12 or mixed, not "${flags.delivery}"`);
  const targetUrl = parseTarget(flags.target);
  if (targetUrl && (!flags.user || flags.password === undefined)) throw new UsageError('--target mdm=URL needs --user and --password (the accounts the devices register with)');
  if (!targetUrl && (flags.user || flags.password !== undefined)) throw new UsageError('--user and --password go with --target mdm=URL; the embedded engine creates its own users');

  const { runFleet } = await import('../simulators/devices/fleet/run.js');
  const { formatFleetSummary } = await import('../simulators/devices/fleet/summary.js');
  const progress = createBar(process.stderr);
  const platform = flags.platform as (typeof PLATFORMS)[number];
  let close: (() => Promise<void>) | undefined;
  let target;
  if (targetUrl) {
    const { urlTarget } = await import('../simulators/devices/fleet/url-target.js');
    target = urlTarget(targetUrl, { user: flags.user!, password: flags.password! });
  } else {
    progress.note('starting the embedded simulators and configuring the engine…');
    const { startEmbeddedFleetTarget } = await import('../simulators/devices/fleet/embedded-target.js');
    const embedded = await startEmbeddedFleetTarget({ count, platform, keySize: keyBits as 1024 | 2048 | 3072 | 4096, delivery: flags.delivery as (typeof DELIVERIES)[number] });
    target = embedded.target;
    close = embedded.close;
  }
  try {
    const result = await runFleet({
      platform,
      count,
      concurrency,
      target,
      keySpec: { type: 'rsa', bits: keyBits as 1024 | 2048 | 3072 | 4096 },
      ...(flags.freshKeys ? { freshKeys: true } : {}),
      ...(flags.keyCache ? { keyCacheDir: flags.keyCache } : {}),
      ...(flags.ber ? { ber: true } : {}),
      onKeyProgress: (ready, total) => progress.update('keys', ready, total, 0),
      onDevice: (done, failed, total) => progress.update('devices', done, total, failed),
    });
    progress.done();
    process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : formatFleetSummary(result));
    process.exitCode = result.failed > 0 ? exitCodes.failed : exitCodes.ok;
  } finally {
    progress.done();
    await close?.();
  }
}

function parseTarget(targets: string[]): string | undefined {
  let url: string | undefined;
  for (const spec of targets) {
    const at = spec.indexOf('=');
    const role = at > 0 ? spec.slice(0, at) : '';
    const value = at > 0 ? spec.slice(at + 1) : '';
    if (role !== 'mdm') throw new UsageError(`--target takes mdm=URL for devices, not "${spec}"`);
    if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new UsageError(`--target mdm=URL needs an http(s) URL, not "${value}"`);
    url = value;
  }
  return url;
}

interface Bar {
  note(text: string): void;
  update(label: string, done: number, total: number, failed: number): void;
  done(): void;
}

/** A progress bar on a terminal (one line rewritten); elsewhere a line every tenth of the way. */
function createBar(stream: NodeJS.WriteStream): Bar {
  const tty = stream.isTTY === true;
  const started = new Map<string, number>();
  let live = false;
  const lastDecile = new Map<string, number>();
  const clear = () => {
    if (tty && live) stream.write('\r\x1b[2K');
    live = false;
  };
  return {
    note(text) {
      clear();
      stream.write(`${text}\n`);
    },
    update(label, done, total, failed) {
      if (!started.has(label)) started.set(label, performance.now());
      const seconds = (performance.now() - started.get(label)!) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const width = 30;
      const filled = Math.round((done / total) * width);
      const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
      const line = `${label.padEnd(7)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${failed ? `  ${failed} failed` : ''}  ${rate.toFixed(1)}/s  ETA ${eta}s`;
      if (tty) {
        stream.write(`\r\x1b[2K${line}`);
        live = true;
        if (done === total) clear();
        return;
      }
      const decile = Math.floor((done / total) * 10);
      if (decile !== lastDecile.get(label) || done === total) {
        lastDecile.set(label, decile);
        stream.write(`${line}\n`);
      }
    },
    done: clear,
  };
}
