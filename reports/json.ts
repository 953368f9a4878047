/**
 * The JSON report: DESIGN.md's result object ({ suites: [{ id, target, passed, failed, skipped, checks: [{ id,
 * status, severity, source, message }] }] }) plus what a reader needs to act on a failure.
 */
import type { RunResult } from '../suites/runner.js';

export function toJsonReport(run: RunResult): object {
  return {
    startedAt: run.startedAt,
    durationMs: Math.round(run.durationMs),
    suites: run.suites.map((suite) => ({
      id: suite.id,
      title: suite.title,
      boundary: suite.boundary,
      target: suite.target,
      passed: suite.passed,
      failed: suite.failed,
      skipped: suite.skipped,
      durationMs: Math.round(suite.durationMs),
      ...(suite.error ? { error: suite.error } : {}),
      checks: suite.checks.map((check) => ({
        id: check.id,
        title: check.title,
        status: check.status,
        severity: check.severity,
        source: check.source,
        message: check.message,
        ...(check.observed !== undefined ? { observed: check.observed } : {}),
        ...(check.expected !== undefined ? { expected: check.expected } : {}),
        ...(check.fix && check.status === 'fail' ? { fix: check.fix } : {}),
        durationMs: round(check.durationMs),
        exchanges: check.exchanges.map((e) => ({ ...e, durationMs: round(e.durationMs) })),
      })),
    })),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
