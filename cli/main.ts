#!/usr/bin/env node
/**
 * The `mdmca` command (DESIGN.md, command-line contract): thin — it parses flags and calls suites/, simulators/,
 * bench/ and reports/. Exit codes: 0 success, 1 a check or benchmark failed, 2 a usage or configuration error.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError, exitCodes, collect } from './common.js';
import { registerBenchCommand } from './bench.js';
import { registerDevicesCommand } from './devices.js';
import { registerDoctorCommand } from './doctor.js';

const program = new Command('mdmca')
  .description('Conformance test harness for certificate enrollment between MDM systems and certificate authorities')
  .version(process.env.npm_package_version ?? '0.1.0')
  .exitOverride()
  .showHelpAfterError('(run mdmca --help for the commands and their options)');

program
  .command('serve')
  .description('serve every simulator on one HTTP and one HTTPS port (plus Symantec\'s mutual-TLS port) until interrupted')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--port <port>', 'HTTP port', '8080')
  .option('--tls-port <port>', 'HTTPS port', '8443')
  .option('--pki-ws-port <port>', 'HTTPS port of the Symantec MPKI web services (mutual TLS with the RA certificate)', '8444')
  .option('--data <dir>', 'keep state in SQLite under DIR (survives restarts); memory when absent')
  .option('--scep-challenge <value>', 'static challenge of the SCEP CA simulator')
  .option('--json', 'print one JSON line per listening endpoint, then structured logs')
  // Commands load their modules when they run, so --help and usage errors answer at once.
  .action(async (flags) => (await import('./serve.js')).serveCommand(flags));

program
  .command('run')
  .description('run conformance suites against the embedded simulators or real targets and write reports')
  .option('--suite <id>', 'a suite to run (repeatable; default: all)', collect, [])
  .option('--target <role=url>', 'test a real endpoint for ROLE instead of the simulator (repeatable)', collect, [])
  .option('--config <file>', 'YAML or JSON run configuration (targets, credentials, suites, reporters)')
  .option('--reporter <list>', 'comma-separated: junit,json,html', 'junit,json,html')
  .option('--out <dir>', 'directory for the reports', 'reports/out')
  .option('--list', 'list the suites and their checks, run nothing')
  .addOption(new Option('--check-timeout <ms>', 'time limit of one check').default('30000'))
  .option('--json', 'print the result object on stdout instead of the table')
  .action(async (flags) => (await import('./run.js')).runCommand(flags));

registerBenchCommand(program);
registerDevicesCommand(program);
registerDoctorCommand(program);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; every parsing problem is a usage error.
      process.exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`mdmca: ${error.message}\n`);
      process.exitCode = exitCodes.usage;
      return;
    }
    process.stderr.write(`mdmca: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = exitCodes.usage;
  }
}

await main();
