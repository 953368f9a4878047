/** JUnit XML for CI systems: one testsuite per suite and target, one testcase per check. */
import { XMLBuilder } from 'fast-xml-parser';
import type { CheckResult, RunResult, SuiteResult } from '../suites/runner.js';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  suppressEmptyNode: true,
});

export function toJunitXml(run: RunResult): string {
  const total = (key: 'passed' | 'failed' | 'skipped') => run.suites.reduce((n, s) => n + s[key], 0);
  const document = {
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    testsuites: {
      '@name': 'mdmca',
      '@tests': total('passed') + total('failed') + total('skipped'),
      '@failures': total('failed'),
      '@skipped': total('skipped'),
      '@time': seconds(run.durationMs),
      testsuite: run.suites.map(suiteElement),
    },
  };
  return builder.build(document) as string;
}

function suiteElement(suite: SuiteResult): object {
  return {
    '@name': `${suite.id} (${suite.target})`,
    '@tests': suite.checks.length,
    '@failures': suite.failed,
    '@errors': 0,
    '@skipped': suite.skipped,
    '@time': seconds(suite.durationMs),
    properties: {
      property: [
        { '@name': 'target', '@value': suite.target },
        { '@name': 'boundary', '@value': suite.boundary },
        ...(suite.error ? [{ '@name': 'error', '@value': suite.error }] : []),
      ],
    },
    testcase: suite.checks.map((check) => caseElement(suite, check)),
  };
}

function caseElement(suite: SuiteResult, check: CheckResult): object {
  const element: Record<string, unknown> = {
    '@classname': suite.id,
    '@name': `${check.id}: ${check.title}`,
    '@time': seconds(check.durationMs),
  };
  if (check.status === 'fail') {
    const lines = [
      check.message,
      check.observed !== undefined ? `observed: ${check.observed}` : '',
      check.expected !== undefined ? `expected: ${check.expected}` : '',
      `source: ${check.source}`,
      check.fix ? `fix: ${check.fix}` : '',
    ].filter(Boolean);
    element.failure = { '@message': check.message, '@type': check.severity, '#text': lines.join('\n') };
  } else if (check.status === 'skip') {
    element.skipped = { '@message': check.message };
  }
  return element;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
