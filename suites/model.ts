/**
 * Conformance checks as data (DESIGN.md, "Examples to follow": zlint). A check has an id, a title, a severity
 * and a source; the vitest files and `mdmca run` execute the same definitions through runner.ts.
 */

export type Severity = 'error' | 'warning' | 'notice';
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** The boundary between two of DESIGN.md's four roles that a suite exercises. */
export type Boundary = 'device-ca' | 'mdm-ca' | 'mdm-device' | 'device-relying-party';

/** One HTTP exchange seen while a check ran: the material of sequence diagrams and latency plots. */
export interface Exchange {
  label: string;
  from: string;
  to: string;
  method: string;
  url: string;
  status: number;
  requestContentType?: string;
  responseContentType?: string;
  requestBytes: number;
  responseBytes: number;
  startedAt: number;
  durationMs: number;
}

export interface CheckOutcome {
  status: CheckStatus;
  message: string;
  observed?: string;
  expected?: string;
}

export interface CheckDefinition<Ctx> {
  id: string;
  title: string;
  severity: Severity;
  /** RFC section or vendor guide and section the rule comes from. */
  source: string;
  /** What to change when the check fails, in the words of the guide or RFC where there are some. */
  fix?: string;
  run(ctx: Ctx): Promise<CheckOutcome>;
}

/** How a suite reaches the role it tests: the embedded simulator, or a real endpoint. */
export type TargetSpec =
  | { role: string; kind: 'simulator' }
  | {
      role: string;
      kind: 'url';
      url: string;
      /** How reports name it, e.g. "simulator scep-ca (http://127.0.0.1:41234/scep)"; default the URL. */
      label?: string;
      /** Admin surface (/__mdmca/<simulator>/) when the target is an mdmca simulator: lets checks steer it. */
      admin?: string;
      /** Secrets resolved from the environment or files; never reported. */
      credentials?: Record<string, string>;
    }
  /** A client under test that mdmca runs as a program (e.g. micromdm's scepclient), for suites that test clients. */
  | { role: string; kind: 'command'; command: string };

export interface SuiteEnvironment {
  /** Records an HTTP exchange for the report. */
  record(exchange: Exchange): void;
}

export interface SuiteDefinition<Ctx> {
  id: string;
  title: string;
  boundary: Boundary;
  /** The role whose target the suite tests (e.g. 'scep-ca'). */
  role: string;
  setup(target: TargetSpec, env: SuiteEnvironment): Promise<Ctx>;
  teardown?(ctx: Ctx): Promise<void>;
  checks: CheckDefinition<Ctx>[];
}

export function pass(message: string, detail: Partial<CheckOutcome> = {}): CheckOutcome {
  return { status: 'pass', message, ...detail };
}

export function fail(message: string, detail: Partial<CheckOutcome> = {}): CheckOutcome {
  return { status: 'fail', message, ...detail };
}

export function skip(message: string): CheckOutcome {
  return { status: 'skip', message };
}

/** Passes when `condition` holds, fails with observed/expected otherwise. */
export function expectThat(
  condition: boolean,
  message: string,
  observed: unknown,
  expected: unknown,
): CheckOutcome {
  const detail = { observed: describe(observed), expected: describe(expected) };
  return condition ? pass(message, detail) : fail(message, detail);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
