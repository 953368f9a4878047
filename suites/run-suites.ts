/**
 * Runs a selection of suites against their targets: embedded simulators are started once (on ephemeral loopback
 * ports) for every role left on `simulator`, and each suite then sees a URL target with the simulator's admin
 * surface, exactly as it would see an `mdmca serve` in another process. `mdmca run` and library users call this.
 */
import { startEmbeddedSimulators, type EmbeddedSimulators } from '../simulators/embedded.js';
import type { TargetSpec } from './model.js';
import { SUITES, type RegisteredSuite } from './registry.js';
import { runSuite, type CheckResult, type RunResult, type SuiteResult } from './runner.js';

export interface RunSuitesOptions {
  /** Suite ids; all registered suites when empty. */
  suites?: readonly string[];
  /** Target per role; roles not named run against the embedded simulator. */
  targets?: ReadonlyMap<string, TargetSpec>;
  checkTimeoutMs?: number;
  onSuiteStart?(suite: RegisteredSuite, target: TargetSpec): void;
  onCheck?(suiteId: string, result: CheckResult): void;
  onSuiteEnd?(result: SuiteResult): void;
  /** Already running simulators to use instead of starting them (tests share one set). */
  simulators?: EmbeddedSimulators;
}

export class UnknownSuiteError extends Error {
  constructor(readonly ids: string[]) {
    super(`unknown suite${ids.length > 1 ? 's' : ''} ${ids.join(', ')}; known: ${SUITES.map((entry) => entry.suite.id).join(', ')}`);
    this.name = 'UnknownSuiteError';
  }
}

export function selectSuites(ids: readonly string[] = []): RegisteredSuite[] {
  if (ids.length === 0) return [...SUITES];
  const unknown = ids.filter((id) => !SUITES.some((entry) => entry.suite.id === id));
  if (unknown.length) throw new UnknownSuiteError(unknown);
  return SUITES.filter((entry) => ids.includes(entry.suite.id));
}

export async function runSuites(options: RunSuitesOptions = {}): Promise<RunResult> {
  const selected = selectSuites(options.suites);
  const startedAt = new Date();
  const started = performance.now();
  const onSimulator = (entry: RegisteredSuite) => entry.embedded && (options.targets?.get(entry.suite.role)?.kind ?? 'simulator') === 'simulator';
  const needsSimulators = selected.some(onSimulator);
  const simulators = options.simulators ?? (needsSimulators ? await startEmbeddedSimulators() : undefined);
  const suites: SuiteResult[] = [];
  try {
    for (const entry of selected) {
      const configured = options.targets?.get(entry.suite.role) ?? { role: entry.suite.role, kind: 'simulator' };
      const target = onSimulator(entry) && simulators ? embeddedTarget(entry, entry.embedded!, simulators) : configured;
      options.onSuiteStart?.(entry, target);
      const result = await runSuite(entry.suite, target, {
        ...(options.checkTimeoutMs !== undefined && { checkTimeoutMs: options.checkTimeoutMs }),
        onCheck: (_suite, check) => options.onCheck?.(entry.suite.id, check),
      });
      suites.push(result);
      options.onSuiteEnd?.(result);
    }
  } finally {
    if (!options.simulators) await simulators?.close();
  }
  return { startedAt: startedAt.toISOString(), durationMs: performance.now() - started, suites };
}

function embeddedTarget(entry: RegisteredSuite, embedded: { simulator: string; endpoint: string }, simulators: EmbeddedSimulators): TargetSpec {
  const { url, credentials } = simulators.endpoint(embedded.simulator, embedded.endpoint);
  const admin = simulators.url(embedded.simulator, 'admin');
  return {
    role: entry.suite.role,
    kind: 'url',
    url,
    admin,
    label: `simulator ${embedded.simulator} (${url})`,
    ...(credentials && { credentials }),
  };
}
