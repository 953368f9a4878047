/**
 * Runs suite definitions against a target and produces result data: the one runner behind both `mdmca run`
 * and the vitest files, so a check is defined once.
 */
import type { CheckDefinition, CheckOutcome, Exchange, SuiteDefinition, TargetSpec } from './model.js';

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  severity: CheckDefinition<unknown>['severity'];
  source: string;
  fix?: string;
  durationMs: number;
  exchanges: Exchange[];
}

export interface SuiteResult {
  id: string;
  title: string;
  boundary: string;
  target: string;
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  /** Set when the suite could not start (target unreachable, setup error): every check is then skipped. */
  error?: string;
  setupExchanges: Exchange[];
  checks: CheckResult[];
}

export interface RunResult {
  startedAt: string;
  durationMs: number;
  suites: SuiteResult[];
}

export interface RunOptions {
  checkTimeoutMs?: number;
  onCheck?(suite: SuiteDefinition<unknown>, result: CheckResult): void;
  /** Time limit of a suite's setup (and of its teardown); default 60 s. */
  setupTimeoutMs?: number;
  /** Runs only the checks whose id is listed. */
  only?: string[];
}

export function describeTarget(target: TargetSpec): string {
  if (target.kind === 'simulator') return 'simulator';
  return target.kind === 'command' ? `command ${target.command}` : (target.label ?? target.url);
}

export async function runSuite<Ctx>(
  suite: SuiteDefinition<Ctx>,
  target: TargetSpec,
  options: RunOptions = {},
): Promise<SuiteResult> {
  const started = performance.now();
  let sink: Exchange[] = [];
  const setupExchanges = sink;
  const env = { record: (exchange: Exchange) => sink.push(exchange) };
  const checks = options.only ? suite.checks.filter((c) => options.only?.includes(c.id)) : suite.checks;
  const result: SuiteResult = {
    id: suite.id,
    title: suite.title,
    boundary: suite.boundary,
    target: describeTarget(target),
    passed: 0,
    failed: 0,
    skipped: 0,
    durationMs: 0,
    setupExchanges,
    checks: [],
  };

  let ctx: Ctx | undefined;
  const setupTimeoutMs = options.setupTimeoutMs ?? 60_000;
  try {
    ctx = await withTimeout(suite.setup(target, env), setupTimeoutMs, `setup did not finish within ${setupTimeoutMs} ms`);
  } catch (error) {
    result.error = `setup failed: ${errorText(error)}`;
  }

  for (const check of checks) {
    sink = [];
    const checkStarted = performance.now();
    const outcome: CheckOutcome =
      ctx === undefined
        ? { status: 'skip', message: result.error ?? 'suite did not start' }
        : await runCheck(check, ctx, options.checkTimeoutMs ?? 30_000);
    const checkResult: CheckResult = {
      id: check.id,
      title: check.title,
      severity: check.severity,
      source: check.source,
      ...(check.fix ? { fix: check.fix } : {}),
      ...outcome,
      durationMs: performance.now() - checkStarted,
      exchanges: sink,
    };
    result.checks.push(checkResult);
    if (outcome.status === 'pass') result.passed++;
    else if (outcome.status === 'fail') result.failed++;
    else result.skipped++;
    options.onCheck?.(suite as SuiteDefinition<unknown>, checkResult);
  }

  if (ctx !== undefined && suite.teardown) {
    await withTimeout(suite.teardown(ctx), setupTimeoutMs, 'teardown hung').catch(() => undefined);
  }
  result.durationMs = performance.now() - started;
  return result;
}

/** Runs one check; an exception or a hang is a failure of that check, never of the run. */
export async function runCheck<Ctx>(check: CheckDefinition<Ctx>, ctx: Ctx, timeoutMs: number): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'fail', message: `no outcome after ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([
      check.run(ctx).catch((error: unknown): CheckOutcome => ({ status: 'fail', message: errorText(error) })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `promise`, or a rejection with `message` after `ms`; a setup that hangs must not hang the run. */
async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
