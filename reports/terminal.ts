/**
 * What people see in a terminal: a progress display while checks run (stderr) and a summary table at the end.
 * Text from a target is made inert before it is printed: a server's error text could carry escape sequences
 * that rewrite the terminal.
 */
import type { CheckStatus } from '../suites/model.js';
import type { CheckResult, RunResult, SuiteResult } from '../suites/runner.js';

export interface TerminalOptions {
  /** ANSI colours; decide with shouldColor(). */
  color?: boolean;
  /** Longest line printed for a failed check (columns). */
  width?: number;
}

const ANSI = { red: 31, green: 32, yellow: 33, gray: 90, bold: 1 } as const;
type Style = keyof typeof ANSI;

/** Colour when writing to a terminal, unless NO_COLOR is set; FORCE_COLOR turns it on anywhere. */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** One line per suite (suite, target, passed, failed, skipped, time), its failed checks under it, a total line. */
export function formatSummaryTable(result: RunResult, options: TerminalOptions = {}): string {
  const paint = painter(options.color === true);
  const width = options.width ?? 120;
  const suiteW = Math.min(32, Math.max(5, ...result.suites.map((s) => plain(s.id).length)));
  const targetW = Math.min(44, Math.max(6, ...result.suites.map((s) => plain(s.target).length)));
  const row = (suite: string, target: string, cells: string[]) =>
    `${pad(suite, suiteW)}  ${pad(target, targetW)}  ${cells.map((c, i) => c.padStart(i === 3 ? 9 : 7)).join(' ')}`;
  const lines = [paint('bold', row('Suite', 'Target', ['Passed', 'Failed', 'Skipped', 'Time']))];
  for (const suite of result.suites) {
    const line = row(clip(plain(suite.id), suiteW), clip(plain(suite.target), targetW), counts(suite));
    lines.push(suite.failed > 0 ? paint('red', line) : suite.error ? paint('yellow', line) : line);
    if (suite.error) lines.push(clip(`  ! ${plain(suite.error)}`, width));
    for (const check of suite.checks.filter((c) => c.status === 'fail')) lines.push(failedLine(check, width, paint));
  }
  const total = result.suites.reduce(
    (t, s) => ({ passed: t.passed + s.passed, failed: t.failed + s.failed, skipped: t.skipped + s.skipped }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  lines.push(paint('gray', '-'.repeat(suiteW + targetW + 4 + 7 * 3 + 9 + 3)));
  const totalLine = row('Total', '', [String(total.passed), String(total.failed), String(total.skipped), seconds(result.durationMs)]);
  const notStarted = result.suites.some((s) => s.error !== undefined);
  lines.push(paint('bold', paint(total.failed > 0 ? 'red' : notStarted ? 'yellow' : 'green', totalLine)));
  return `${lines.join('\n')}\n`;
}

function counts(suite: SuiteResult): string[] {
  return [String(suite.passed), String(suite.failed), String(suite.skipped), seconds(suite.durationMs)];
}

function failedLine(check: CheckResult, width: number, paint: Painter): string {
  const id = plain(check.id);
  const severity = `[${check.severity}]`;
  const room = width - (5 + Array.from(id).length + 1 + severity.length + 1);
  const message = clip(plain(check.message), Math.max(12, room));
  return `  ${paint('red', '✗')} ${paint('bold', id)} ${paint(severityStyle(check.severity), severity)} ${message}`;
}

export interface ProgressState {
  suite: string;
  check: CheckResult;
  /** Checks finished so far, this one included. */
  done: number;
  total?: number;
}

/** One line about a finished check: `[ 3/40] scep-rfc8894 ✓ SCEP-CAPS-001 GetCACaps lists… (1.90 ms)`. */
export function progressLine(state: ProgressState, options: TerminalOptions = {}): string {
  const paint = painter(options.color === true);
  const { check } = state;
  const counter = state.total ? `[${String(state.done).padStart(String(state.total).length)}/${state.total}]` : `[${state.done}]`;
  const prefix = `${counter} ${plain(state.suite)} `;
  const detail = check.status === 'pass' ? plain(check.title) : plain(check.message);
  const suffix = ` (${check.durationMs.toFixed(2)} ms)`;
  const rest = clip(` ${plain(check.id)} ${detail}`, Math.max(8, (options.width ?? 120) - Array.from(prefix).length - 1 - suffix.length));
  // Colour only the mark, so escape codes never count toward the width or get cut in half.
  return `${prefix}${paint(statusStyle(check.status), statusMark(check.status))}${rest}${suffix}`;
}

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** A line naming the suite and its target, before its checks run. */
  suiteStart(suiteId: string, target: string): void;
  /** Matches suites/runner.ts's RunOptions.onCheck. */
  onCheck(suite: { id: string }, result: CheckResult): void;
  /** Clears the live line; call before printing the summary. */
  done(): void;
}

/**
 * A progress display. On a terminal one line is rewritten in place and failed checks stay on screen; elsewhere
 * (CI logs) every check gets its own line.
 */
export function createProgress(stream: ProgressStream, options: TerminalOptions & { total?: number } = {}): Progress {
  let done = 0;
  let live = false;
  const tty = stream.isTTY === true;
  const paint = painter(options.color === true);
  const clear = () => {
    if (tty && live) stream.write('\r\x1b[2K');
    live = false;
  };
  return {
    suiteStart(suiteId, target) {
      clear();
      stream.write(`${paint('bold', `▶ ${plain(suiteId)}`)} against ${plain(target)}\n`);
    },
    onCheck(suite, check) {
      done++;
      const width = tty ? Math.max(20, (stream.columns ?? 80) - 1) : (options.width ?? 160);
      const line = progressLine({ suite: suite.id, check, done, ...(options.total ? { total: options.total } : {}) }, { ...options, width });
      if (!tty) {
        stream.write(`${line}\n`);
        return;
      }
      stream.write(`\r\x1b[2K${line}${check.status === 'fail' ? '\n' : ''}`);
      live = check.status !== 'fail';
    },
    done: clear,
  };
}

type Painter = (style: Style, text: string) => string;

function painter(color: boolean): Painter {
  return color ? (style, text) => `\x1b[${ANSI[style]}m${text}\x1b[0m` : (_style, text) => text;
}

function statusMark(status: CheckStatus): string {
  return status === 'pass' ? '✓' : status === 'fail' ? '✗' : '–';
}

function statusStyle(status: CheckStatus): Style {
  return status === 'pass' ? 'green' : status === 'fail' ? 'red' : 'yellow';
}

function severityStyle(severity: CheckResult['severity']): Style {
  return severity === 'error' ? 'red' : severity === 'warning' ? 'yellow' : 'gray';
}

/** Target text made inert: line breaks and tabs become spaces, other control characters are shown as \xNN. */
export function plain(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - Array.from(text).length));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
