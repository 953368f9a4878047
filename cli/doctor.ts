/**
 * `mdmca doctor FILE [--json] [--probe]`: checks an integration configuration (YAML or JSON) against the schema
 * and the failure-scenario catalogue (core/engine/failure-scenarios.ts), and explains each problem with the
 * guide's fix. --probe also runs Test Connection against every CA that has a connector. Exit 0 when clean, 1 when
 * it found problems (errors or warnings), 2 when the file cannot be read or the usage is wrong.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { DoctorReport } from '../core/engine/doctor.js';
import { exitCodes, UsageError } from './common.js';

interface DoctorFlags {
  json?: boolean;
  probe?: boolean;
}

export async function runDoctor(file: string, flags: DoctorFlags): Promise<{ report: DoctorReport; code: number }> {
  // Loaded here, not at the top: registering the command must not slow every other `mdmca` start.
  const { diagnose, DoctorInputError, parseIntegrationConfigText, probe } = await import('../core/engine/doctor.js');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseIntegrationConfigText(text, file);
  } catch (error) {
    if (error instanceof DoctorInputError) throw new UsageError(error.message);
    throw error;
  }
  const report = diagnose(document);
  if (flags.probe && report.valid) {
    const found = await probe(document);
    report.findings.push(...found);
    report.errors += found.filter((f) => f.severity === 'error').length;
    report.warnings += found.filter((f) => f.severity === 'warning').length;
  }
  return { report, code: report.findings.length ? exitCodes.failed : exitCodes.ok };
}

export function formatReport(file: string, report: DoctorReport): string {
  if (report.findings.length === 0) return `${file}: no problems found${report.product ? ` (${report.product})` : ''}\n`;
  const lines = [`${file}: ${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}${report.valid ? '' : ' (schema)'}`];
  for (const f of report.findings) {
    lines.push('', `${f.severity.toUpperCase()} ${f.path || '(document)'}  [${f.scenario}]`, `  ${f.message}`);
    if (f.error) lines.push(`  the user sees: ${f.error}${f.assumption ? ' (ASSUMPTION: exact text not in the guides)' : ''}`);
    if (f.fix) lines.push(`  fix: ${f.fix}`);
    if (f.guide) lines.push(`  guide: ${f.guide}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check an integration configuration (YAML or JSON) and explain known misconfigurations with the guide\'s fix')
    .argument('<file>', 'integration configuration file')
    .option('--json', 'print the report as JSON')
    .option('--probe', 'also run Test Connection against each CA that has a connector')
    .action(async (file: string, flags: DoctorFlags) => {
      const { report, code } = await runDoctor(file, flags);
      process.stdout.write(flags.json ? `${JSON.stringify({ file, ...report }, null, 2)}\n` : formatReport(file, report));
      process.exitCode = code;
    });
}
