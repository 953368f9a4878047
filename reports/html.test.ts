import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../suites/runner.js';
import { HOSTILE, largeRun, sampleRun } from './html-fixture.test-support.js';
import { clip, escapeHtml, formatBytes, formatMs } from './html-escape.js';
import { sourceLink, toHtmlReport } from './html.js';

/** Every element the report itself writes; an escaping bug shows up as a tag outside this list. */
const OWN_TAGS = new Set(
  ('html head meta title style body header h1 h2 h3 h4 p main section dl dt dd span code table caption thead tbody tfoot ' +
    'tr th td a small label input footer ul li div strong article pre figure figcaption details summary time ' +
    'svg line rect text g path polygon circle').split(' '),
);

function tagsOf(html: string): Set<string> {
  return new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase()));
}

describe('escapeHtml and friends', () => {
  it('escapes markup and quote characters and shows control characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml('a\u0000b\u001bc\td\ne')).toBe('a\\x00b\\x1bc\td\ne');
    expect(escapeHtml(42)).toBe('42');
  });

  it('clips by code points and formats durations and sizes', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
    expect(clip('😀😀😀', 2)).toBe('😀…');
    expect([0.423, 12.34, 456.7, 1234, 125_000].map(formatMs)).toEqual(['0.42 ms', '12.3 ms', '457 ms', '1.23 s', '2 min 5 s']);
    expect([512, 3_500, 2_000_000].map(formatBytes)).toEqual(['512 B', '3.4 KiB', '1.9 MiB']);
  });

  it('links RFC citations to the RFC Editor and leaves other sources as text', () => {
    expect(sourceLink('RFC 8894 §3.5.2')).toBe('<a href="https://www.rfc-editor.org/rfc/rfc8894.html#section-3.5.2" rel="noreferrer">RFC 8894 §3.5.2</a>');
    expect(sourceLink('RFC 5280, section 4.2.1.3')).toContain('rfc5280.html#section-4.2.1.3');
    expect(sourceLink('RFC 2986')).toContain('href="https://www.rfc-editor.org/rfc/rfc2986.html"');
    expect(sourceLink('GlobalSign EPKI API guide §6')).toBe('GlobalSign EPKI API guide §6');
    expect(sourceLink('RFC 8894 §3 <b>"x"</b>')).toContain('RFC 8894 §3 &lt;b&gt;&quot;x&quot;&lt;/b&gt;</a>');
  });
});

describe('toHtmlReport', () => {
  const run = sampleRun();
  const html = toHtmlReport(run, { title: 'Run <1>', generatedAt: new Date('2025-07-07T15:40:00Z'), assumptions: ['ASSUMPTION: run-wide'] });

  it('is an accessible, self-contained document', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<title>Run &lt;1&gt;</title>');
    expect(html).toContain('<h1>Run &lt;1&gt;</h1>');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'`);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(/@import|url\(|@font-face/i.test(style)).toBe(false);
    const tags = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
    expect(tags.filter((tag) => /^<(script|link|iframe|object|embed|img|image|use)\b|\s(src|srcset|xlink:href)=/i.test(tag))).toEqual([]);
    // The only absolute URLs are the RFC links and the targets' own addresses, shown as text.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.every((h) => h.startsWith('#') || h.startsWith('https://www.rfc-editor.org/rfc/'))).toBe(true);
    expect(html.match(/<th scope="col"/g)?.length).toBeGreaterThanOrEqual(3 * 7);
    expect([...tagsOf(html)].filter((t) => !OWN_TAGS.has(t))).toEqual([]);
  });

  it('never lets target text through unescaped', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('\u001b');
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;&amp;amp;\\x1b[31m');
  });

  it('summarises the run: counts, targets, times, assumptions', () => {
    expect(html).toContain('<span data-count="passed">5</span> passed, <span data-count="failed">4</span> failed, <span data-count="skipped">2</span> skipped');
    expect(html).toContain('FAILED: 4 of 11 checks failed');
    expect(html).toContain('<time datetime="2025-07-07T15:33:20.000Z">2025-07-07 15:33:20 UTC</time>');
    expect(html).toContain('Report generated');
    for (const target of ['http://127.0.0.1:8080/scep', 'simulator', 'https://ca.example.test/connector/mdm.cgi']) expect(html).toContain(`<code>${target}</code>`);
    expect(html).toContain('ASSUMPTION: the CA advertises AES when it supports it <small class="mono">(scep-rfc8894)</small>');
    expect(html).toContain('<li>ASSUMPTION: run-wide</li>');
    expect(html).toContain('The suite could not start.');
    expect(toHtmlReport(run)).not.toContain('Report generated');
  });

  it('expands every failure with observed, expected, source, fix and a sequence diagram', () => {
    const articles = html.split('<article class="failure"').slice(1);
    const failures = run.suites.flatMap((s) => s.checks.filter((c) => c.status === 'fail'));
    expect(articles).toHaveLength(failures.length);
    failures.forEach((check, i) => {
      const article = articles[i]!;
      expect(article).toContain(escapeHtml(check.id));
      expect(article).toContain(`<dt>Observed</dt><dd><pre>${escapeHtml(check.observed)}</pre>`);
      expect(article).toContain(`<dt>Expected</dt><dd><pre>${escapeHtml(check.expected)}</pre>`);
      expect(article).toContain(`<dd class="fix">${escapeHtml(check.fix)}</dd>`);
      expect(article).toContain(escapeHtml(check.source));
      expect(article).toContain('<svg class="seq"');
    });
    // Passing checks with exchanges get a collapsed diagram; the suite's setup exchanges too.
    expect(html.match(/<details class="passing"/g)).toHaveLength(4 + 2);
  });

  it('says PASSED or INCOMPLETE when nothing failed', () => {
    const passing: RunResult = { ...run, suites: [run.suites[0]!].map((s) => ({ ...s, failed: 0, checks: s.checks.filter((c) => c.status !== 'fail') })) };
    expect(toHtmlReport(passing)).toContain('<p class="verdict pass">PASSED: 3 of 4 checks passed</p>');
    const down: RunResult = { ...run, suites: [run.suites[2]!] };
    expect(toHtmlReport(down)).toContain('INCOMPLETE: 1 suite could not start');
    expect(toHtmlReport({ startedAt: 'not a date', durationMs: 0, suites: [] })).toContain('not a date');
  });

  it('escapes whatever a target or a check puts in any field (property, fixed seed)', () => {
    const nasty = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', "' onmouseover='x", '</title><script>x</script>', '</svg></figure><b>', '&lt;', '\u0000\u001b[2J'),
    );
    fc.assert(
      fc.property(fc.array(nasty, { minLength: 12, maxLength: 12 }), (t) => {
        const base = sampleRun();
        const suite = base.suites[0]!;
        const check = suite.checks[3]!;
        const exchange = { ...check.exchanges[0]!, label: t[0]!, url: t[1]!, from: t[2]!, to: t[3]!, method: t[4]!, responseSummary: t[5]!, responseContentType: t[6]! };
        const hostile: RunResult = {
          ...base,
          startedAt: t[7]!,
          suites: [{ ...suite, id: t[8]!, title: t[9]!, target: t[10]!, error: t[11]!, checks: [{ ...check, message: t[0]!, observed: t[1]!, expected: t[2]!, source: t[3]!, fix: t[4]!, title: t[5]!, id: t[6]!, exchanges: [exchange] }] }],
        };
        const out = toHtmlReport(hostile, { title: t[8]!, assumptions: [t[9]!] });
        expect([...tagsOf(out)].filter((tag) => !OWN_TAGS.has(tag))).toEqual([]);
        // Inside the report's own tags, with quoted values removed, no event-handler attribute may appear.
        const attributes = [...out.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0].replace(/"[^"]*"/g, '""'));
        expect(attributes.filter((tag) => /\son[a-z]+=|'/i.test(tag))).toEqual([]);
        expect(out).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      }),
      { seed: 20250707, numRuns: 150 },
    );
  });

  it('renders a report of 100 checks with 300 exchanges well under 100 ms', () => {
    const big = largeRun(4, 25);
    toHtmlReport(big); // warm-up: JIT
    const times: number[] = [];
    let size = 0;
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      size = toHtmlReport(big).length;
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(
      `HTML report, 100 checks / 300 exchanges: min ${times[0]!.toFixed(1)} ms, median ${times[3]!.toFixed(1)} ms of 7, ${(size / 1024).toFixed(0)} KiB`,
    );
    // The fastest run is the report's own cost; the others include whatever else shares the two cores.
    expect(times[0]).toBeLessThan(100);
  });
});
