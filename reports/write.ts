/** Writes the chosen reports of a run into one directory: report.xml (JUnit), report.json, report.html. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Reporter } from '../suites/config.js';
import type { RunResult } from '../suites/runner.js';
import { toHtmlReport } from './html.js';
import { toJsonReport } from './json.js';
import { toJunitXml } from './junit.js';

const FILES: Record<Reporter, { name: string; render(result: RunResult): string }> = {
  junit: { name: 'report.xml', render: toJunitXml },
  json: { name: 'report.json', render: (result) => `${JSON.stringify(toJsonReport(result), null, 2)}\n` },
  html: { name: 'report.html', render: (result) => toHtmlReport(result) },
};

/** Returns the absolute paths written, by reporter. */
export async function writeReports(result: RunResult, reporters: readonly Reporter[], outDir: string): Promise<Partial<Record<Reporter, string>>> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const written: Partial<Record<Reporter, string>> = {};
  for (const reporter of new Set(reporters)) {
    const { name, render } = FILES[reporter];
    const path = join(dir, name);
    await writeFile(path, render(result));
    written[reporter] = path;
  }
  return written;
}
