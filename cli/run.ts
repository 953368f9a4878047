/**
 * `mdmca run`: selects suites, resolves each role's target (config file, then --target, else the embedded
 * simulator), shows progress on stderr, writes the reports, prints the summary (or --json on stdout) and exits
 * 0 when every check passed, 1 when one failed, 2 on a usage or configuration error.
 */
import { toJsonReport } from '../reports/json.js';
import { createProgress, formatSummaryTable, shouldColor } from '../reports/terminal.js';
import { writeReports } from '../reports/write.js';
import { REPORTERS, loadConfig, parseTargetOption, resolveTargets, type Reporter } from '../suites/config.js';
import { describeTarget } from '../suites/runner.js';
import { runSuites, selectSuites } from '../suites/run-suites.js';
import { UsageError, exitCodes, parsePositiveInteger } from './common.js';

interface RunFlags {
  suite: string[];
  target: string[];
  config?: string;
  reporter: string;
  out: string;
  list?: boolean;
  checkTimeout: string;
  json?: boolean;
}

export async function runCommand(flags: RunFlags): Promise<void> {
  const config = flags.config ? await loadConfig(flags.config).catch(usage) : undefined;
  const suiteIds = flags.suite.length ? flags.suite : (config?.suites ?? []);
  const selected = (() => {
    try {
      return selectSuites(suiteIds);
    } catch (error) {
      return usage(error);
    }
  })();
  if (flags.list) {
    for (const { suite } of selected) {
      process.stdout.write(`${suite.id} — ${suite.title} (${suite.boundary}, role ${suite.role})\n`);
      for (const check of suite.checks) process.stdout.write(`  ${check.id.padEnd(36)} ${check.severity.padEnd(8)} ${check.source}\n`);
    }
    return;
  }
  const reporters = parseReporters(flags.reporter === 'junit,json,html' && config?.reporters ? config.reporters.join(',') : flags.reporter);
  const overrides = flags.target.map((value) => {
    try {
      return parseTargetOption(value);
    } catch (error) {
      return usage(error);
    }
  });
  const roles = [...new Set(selected.map((entry) => entry.suite.role))];
  const targets = await resolveTargets(roles, config, overrides).catch(usage);
  const checkTimeoutMs = parsePositiveInteger(flags.checkTimeout, '--check-timeout');
  const progress = createProgress(process.stderr, {
    color: shouldColor(process.stderr),
    total: selected.reduce((sum, entry) => sum + entry.suite.checks.length, 0),
  });

  const result = await runSuites({
    suites: selected.map((entry) => entry.suite.id),
    targets,
    checkTimeoutMs,
    onSuiteStart: (entry, target) => progress.suiteStart(entry.suite.id, describeTarget(target)),
    onCheck: (suiteId, check) => progress.onCheck({ id: suiteId }, check),
  });
  progress.done();
  const outDir = flags.out === 'reports/out' && config?.out ? config.out : flags.out;
  const written = await writeReports(result, reporters, outDir);

  if (flags.json) {
    // DESIGN.md's result object; the JSON report is a superset of it.
    process.stdout.write(`${JSON.stringify(toJsonReport(result))}\n`);
  } else {
    process.stdout.write(formatSummaryTable(result, { color: shouldColor(process.stdout) }));
    for (const [reporter, path] of Object.entries(written)) process.stdout.write(`${reporter.padEnd(6)} ${path}\n`);
  }
  const failed = result.suites.some((suite) => suite.failed > 0 || suite.error !== undefined);
  process.exitCode = failed ? exitCodes.failed : exitCodes.ok;
}

function parseReporters(list: string): Reporter[] {
  const names = list.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(REPORTERS as readonly string[]).includes(name));
  if (unknown.length) throw new UsageError(`--reporter: unknown ${unknown.join(', ')} (choose from ${REPORTERS.join(', ')})`);
  return names as Reporter[];
}

/** Configuration, suite-selection and flag problems all end as exit code 2. */
function usage(error: unknown): never {
  throw new UsageError(error instanceof Error ? error.message : String(error));
}
