/**
 * A fleet: N emulated devices (iOS, Android, or both alternating) registering with an MDM and installing what
 * it distributes, C at a time, each step timed (register, list and fetch configurations, key generation,
 * SCEP enrolment or PKCS#12 install, status report). Device keys come from a KeyPool filled up front unless
 * fresh keys are asked for, so the latencies are the protocol's and not RSA key generation's.
 */
import type { Clock } from '../../../core/clock.js';
import type { KeySpec } from '../../../core/pki/keys.js';
import { AndroidAgent } from '../android/agent.js';
import type { FetchLike } from '../fetch.js';
import { IosDevice } from '../ios/device.js';
import { freshKeys, KeyPool, type KeyPoolStats, type KeySource } from '../key-pool.js';
import { errorText, type StepName, type StepTiming, type SyncResult } from '../mdm-session.js';
import { type LatencySummary, LatencyRecorder } from './stats.js';

export type FleetPlatform = 'ios' | 'android' | 'mixed';

/** Where the fleet enrolls: the engine's device API and one account per device. */
export interface FleetTarget {
  /** The engine's `/mdm` base (or origin). */
  mdmUrl: string;
  /** How reports name the target. */
  label: string;
  fetch?: FetchLike;
  /** The user a device registers as. */
  account(index: number): { username: string; password: string };
}

export interface FleetOptions {
  platform: FleetPlatform;
  count: number;
  /** Devices enrolling at once. Default 32. */
  concurrency?: number;
  target: FleetTarget;
  /** Make every key on the device's timeline instead of from a pool. */
  freshKeys?: boolean;
  /** The key the pool prepares (the engine's configured size). Default RSA-2048. */
  keySpec?: KeySpec;
  /** Keep pool keys here between runs. */
  keyCacheDir?: string;
  /** Android devices send BER pkiMessages. Default false. */
  ber?: boolean;
  clock?: Clock;
  onKeyProgress?: (ready: number, total: number) => void;
  onDevice?: (done: number, failed: number, total: number) => void;
}

export interface FleetDeviceResult {
  index: number;
  platform: 'ios' | 'android';
  ok: boolean;
  deviceId?: string;
  installed: number;
  failed: number;
  error?: string;
  ms: number;
}

export interface FleetResult {
  target: string;
  platform: FleetPlatform;
  count: number;
  concurrency: number;
  devices: { ios: number; android: number };
  succeeded: number;
  failed: number;
  /** Wall time of the enrolment phase (the key pool is filled before it starts). */
  wallMs: number;
  devicesPerSecond: number;
  keys: { mode: 'pool' | 'fresh'; pool?: KeyPoolStats };
  steps: Partial<Record<StepName, LatencySummary>>;
  /** Per-device end-to-end time. */
  device: LatencySummary;
  /** Distinct error texts with their counts, most frequent first. */
  errors: Array<{ message: string; count: number }>;
}

export const STEP_ORDER: readonly StepName[] = ['register', 'list-configurations', 'fetch-configuration', 'keygen', 'scep-enroll', 'pkcs12-install', 'root-install', 'status'];

const platformOf = (platform: FleetPlatform, index: number): 'ios' | 'android' =>
  platform === 'mixed' ? (index % 2 === 0 ? 'ios' : 'android') : platform;

export async function runFleet(options: FleetOptions): Promise<FleetResult> {
  const count = options.count;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 32, count));
  let pool: KeyPool | undefined;
  let keys: KeySource = freshKeys;
  if (!options.freshKeys) {
    pool = await KeyPool.create({
      keys: [{ spec: options.keySpec ?? { type: 'rsa', bits: 2048 }, count }],
      ...(options.keyCacheDir ? { cacheDir: options.keyCacheDir } : {}),
      ...(options.onKeyProgress ? { onKey: options.onKeyProgress } : {}),
    });
    keys = pool.source;
  }

  const recorders = new Map<StepName, LatencyRecorder>();
  const onStep = (timing: StepTiming) => {
    let recorder = recorders.get(timing.step);
    if (!recorder) recorders.set(timing.step, (recorder = new LatencyRecorder()));
    recorder.add(timing.ms, timing.ok);
  };
  const perDevice = new LatencyRecorder();
  const results: FleetDeviceResult[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  options.onDevice?.(0, 0, count);
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const result = await enrollOne(index, platformOf(options.platform, index), options, keys, onStep);
      perDevice.add(result.ms, result.ok);
      results.push(result);
      if (!result.ok) failed++;
      options.onDevice?.(results.length, failed, count);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;

  const errors = new Map<string, number>();
  for (const result of results) {
    if (!result.error) continue;
    const key = groupable(result.error);
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  const steps: FleetResult['steps'] = {};
  for (const step of STEP_ORDER) {
    const recorder = recorders.get(step);
    if (recorder) steps[step] = recorder.summary();
  }
  return {
    target: options.target.label,
    platform: options.platform,
    count,
    concurrency,
    devices: { ios: results.filter((r) => r.platform === 'ios').length, android: results.filter((r) => r.platform === 'android').length },
    succeeded: count - failed,
    failed,
    wallMs: Math.round(wallMs),
    devicesPerSecond: Math.round((count / (wallMs / 1000)) * 10) / 10,
    keys: options.freshKeys ? { mode: 'fresh' } : { mode: 'pool', ...(pool ? { pool: pool.stats } : {}) },
    steps,
    device: perDevice.summary(),
    errors: [...errors].map(([message, n]) => ({ message, count: n })).sort((a, b) => b.count - a.count),
  };
}

/** An error text with per-device identifiers (UUIDs, serials, transaction IDs) blanked, so equal causes group. */
export function groupable(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '…')
    .replace(/\b[0-9a-f]{12,}\b/gi, '…');
}

async function enrollOne(
  index: number,
  platform: 'ios' | 'android',
  options: FleetOptions,
  keys: KeySource,
  onStep: (timing: StepTiming) => void,
): Promise<FleetDeviceResult> {
  const started = performance.now();
  const { username, password } = options.target.account(index);
  const common = {
    keys,
    onStep,
    ...(options.target.fetch ? { fetch: options.target.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  const base = { index, platform };
  try {
    let sync: SyncResult;
    let deviceId: string | undefined;
    if (platform === 'ios') {
      const phone = new IosDevice(common);
      await phone.register(options.target.mdmUrl, username, password);
      sync = await phone.sync();
      deviceId = phone.deviceId;
    } else {
      const phone = new AndroidAgent({ ...common, ber: options.ber ?? false });
      await phone.register(options.target.mdmUrl, username, password);
      sync = await phone.updateConfiguration();
      deviceId = phone.deviceId;
    }
    const firstError = sync.configurations.find((c) => c.outcome === 'failed')?.error;
    const error = firstError ?? (sync.installed === 0 ? 'no configuration was distributed to the device' : undefined);
    return {
      ...base,
      ok: error === undefined,
      ...(deviceId ? { deviceId } : {}),
      installed: sync.installed,
      failed: sync.failed,
      ...(error ? { error } : {}),
      ms: performance.now() - started,
    };
  } catch (error) {
    return { ...base, ok: false, installed: 0, failed: 0, error: errorText(error), ms: performance.now() - started };
  }
}
