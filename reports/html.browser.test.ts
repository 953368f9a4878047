/**
 * The HTML report in a real browser (Debian's chromium through playwright-core): it renders, shows the counts and
 * every fix, draws its SVGs, loads nothing over the network, runs no injected script, logs no error.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRun } from './html-fixture.test-support.js';
import { toHtmlReport } from './html.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');
const available = existsSync(CHROMIUM);
if (!available) console.log(`skipping the HTML report browser test: ${CHROMIUM} is not installed (apt-get install chromium)`);

describe.skipIf(!available)('HTML report in chromium', () => {
  const run = sampleRun();
  const failures = run.suites.flatMap((s) => s.checks.filter((c) => c.status === 'fail'));
  let browser: Browser;
  let page: Page;
  let dir: string;
  const requests: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mdmca-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, toHtmlReport(run, { title: 'mdmca browser test', generatedAt: new Date('2025-07-07T15:40:00Z') }));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has its title, language and summary counts', async () => {
    expect(await page.title()).toBe('mdmca browser test');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    const count = (name: string) => page.locator(`[data-count="${name}"]`).innerText();
    expect(await count('passed')).toBe('5');
    expect(await count('failed')).toBe('4');
    expect(await count('skipped')).toBe('2');
    await expect(page.locator('.verdict').innerText()).resolves.toContain('FAILED: 4 of 11 checks failed');
    expect(await page.locator('table.checks').count()).toBe(3);
    expect(await page.locator('table.checks th[scope="col"]').count()).toBe(21);
  });

  it('shows every failure with its observed and expected values and its fix', async () => {
    for (const check of failures) {
      const article = page.locator('article.failure', { hasText: check.id });
      await expect(article.count()).resolves.toBe(1);
      expect(await article.locator('.fix').isVisible()).toBe(true);
      expect(await article.locator('.fix').innerText()).toBe(check.fix);
      // Control characters are shown, not dropped: ESC appears as \x1b.
      expect(await article.locator('pre').first().innerText()).toBe(check.observed?.replace('\u001b', '\\x1b'));
    }
  });

  it('shows hostile target text as text and never runs it', async () => {
    const malformed = page.locator('article.failure', { hasText: 'SCEP-MALFORMED-001' });
    expect(await malformed.locator('pre').first().innerText()).toContain('<script>window.__pwned=1</script>');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('main script, main img').count()).toBe(0);
  });

  it('renders the sequence diagrams and latency plots with nonzero size', async () => {
    const diagrams = page.locator('article.failure svg.seq');
    expect(await diagrams.count()).toBe(failures.length);
    for (const svg of await diagrams.all()) {
      const box = await svg.boundingBox();
      expect(box?.width).toBeGreaterThan(200);
      expect(box?.height).toBeGreaterThan(60);
      expect(await svg.locator('.sq-req line').count()).toBeGreaterThan(0);
    }
    const arrows = await page.locator('article.failure', { hasText: 'SCEP-PENDING-001' }).locator('svg.seq text').allTextContents();
    expect(arrows.join('\n')).toContain('pkiStatus=FAILURE failInfo=badCertId');
    const plots = page.locator('svg.lt');
    expect(await plots.count()).toBeGreaterThanOrEqual(5);
    for (const svg of await plots.all()) {
      const box = await svg.boundingBox();
      expect(box?.width).toBeGreaterThan(200);
      expect(box?.height).toBeGreaterThan(20);
    }
  });

  it('hides passing checks when asked to show only failures', async () => {
    const passRow = page.locator('tr.st-pass', { hasText: 'SCEP-CAPS-001' });
    expect(await passRow.isVisible()).toBe(true);
    await page.check('#only-failures');
    expect(await passRow.isVisible()).toBe(false);
    expect(await page.locator('tr.st-fail', { hasText: 'SCEP-CIPHER-001' }).isVisible()).toBe(true);
    // The summary table keeps every suite.
    expect(await page.locator('table.totals tbody tr', { hasText: 'OpenTrust' }).isVisible()).toBe(true);
    await page.uncheck('#only-failures');
  });

  it('loads nothing but itself and logs no error; saves a screenshot', async () => {
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'html-report.png'), fullPage: true });
    expect(requests.filter((url) => /^https?:/i.test(url))).toEqual([]);
    expect(requests.every((url) => url.startsWith('file:'))).toBe(true);
    expect(consoleErrors).toEqual([]);
  });
});
