import { describe, expect, it } from 'vitest';
import { sequenceDiagram, type ReportExchange } from './svg-sequence.js';

const base = (over: Partial<ReportExchange> = {}): ReportExchange => ({
  label: 'GetCACaps',
  from: 'device',
  to: 'scep-ca',
  method: 'GET',
  url: 'http://127.0.0.1:8080/scep?operation=GetCACaps',
  status: 200,
  requestBytes: 0,
  responseBytes: 38,
  responseContentType: 'text/plain',
  startedAt: 1000,
  durationMs: 2.5,
  ...over,
});

const count = (svg: string, pattern: RegExp) => svg.match(pattern)?.length ?? 0;

describe('sequenceDiagram', () => {
  it('draws a lifeline per role in order of appearance and two arrows per exchange', () => {
    const svg = sequenceDiagram(
      [
        base({ from: 'device', to: 'mdm', label: 'Enroll', method: 'POST', url: 'http://127.0.0.1:8080/mdm/enroll' }),
        base({ from: 'mdm', to: 'ca', label: 'PKCSReq', method: 'POST', url: 'http://127.0.0.1:8080/scep?operation=PKIOperation', startedAt: 1003, responseSummary: 'pkiStatus=SUCCESS' }),
      ],
      { title: 'Enrollment' },
    );
    expect([...svg.matchAll(/class="sq-role-name"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['device', 'mdm', 'ca']);
    expect(count(svg, /<g class="sq-req">/g)).toBe(2);
    expect(count(svg, /<g class="sq-res sq-ok">/g)).toBe(2);
    expect(svg).toContain('Enroll: POST /mdm/enroll');
    expect(svg).toContain('PKCSReq: POST /scep?operation=PKIOperation');
    expect(svg).toContain('200 · pkiStatus=SUCCESS · 38 B');
    // Timing: the offset from the first exchange and each duration.
    expect(svg).toContain('>+0.00 ms<');
    expect(svg).toContain('>+3.00 ms<');
    expect(svg).toContain('class="sq-time sq-dur" x="6" y="100">2.50 ms<');
    expect(svg).toMatch(/^<svg class="seq" viewBox="0 0 \d+ \d+" width="\d+" height="\d+" role="img" aria-label="Enrollment"><title>Enrollment<\/title>/);
  });

  it('does not repeat a label the path already says, and shows decoded summaries', () => {
    const svg = sequenceDiagram([base({ requestSummary: 'messageType=PKCSReq', responseSummary: 'pkiStatus=FAILURE failInfo=badRequest' })], { title: 't' });
    expect(svg).toContain('>GET /scep?operation=GetCACaps<');
    expect(svg).toContain('class="sq-sum" x=');
    expect(svg).toContain('>messageType=PKCSReq<');
    expect(svg).toContain('200 · pkiStatus=FAILURE failInfo=badRequest · 38 B');
  });

  it('marks error statuses and missing responses', () => {
    const svg = sequenceDiagram([base({ status: 500 }), base({ status: 0, startedAt: 1010 })], { title: 't' });
    expect(count(svg, /sq-res sq-err/g)).toBe(2);
    expect(svg).toContain('>no response · text/plain · 38 B<');
  });

  it('clips long text on the arrow and keeps it (bounded) in the tooltip', () => {
    const message = 'A'.repeat(5000);
    const svg = sequenceDiagram([base({ method: 'GET', url: `http://h/scep?operation=PKIOperation&message=${message}` })], { title: 't' });
    const arrow = /<g class="sq-req">.*?<text[^>]*>([^<]*)<\/text>/.exec(svg)?.[1] ?? '';
    expect(arrow.endsWith('…')).toBe(true);
    expect(arrow.length).toBeLessThan(80);
    const tip = /<g class="sq-req"><title>([^<]*)<\/title>/.exec(svg)?.[1] ?? '';
    expect(tip.startsWith('GetCACaps: GET http://h/scep?operation=PKIOperation&amp;message=AAAA')).toBe(true);
    expect(tip.length).toBeLessThan(400);
    expect(svg.length).toBeLessThan(3000);
  });

  it('draws at most maxExchanges and counts the rest', () => {
    const many = Array.from({ length: 50 }, (_, i) => base({ startedAt: 1000 + i * 5 }));
    const svg = sequenceDiagram(many, { title: 'polling', maxExchanges: 10 });
    expect(count(svg, /<g class="sq-req">/g)).toBe(10);
    expect(svg).toContain('… 40 more exchanges not drawn');
  });

  it('draws a call to itself as a loop, and nothing at all for no exchanges', () => {
    const svg = sequenceDiagram([base({ from: 'mdm', to: 'mdm' })], { title: 't' });
    expect(count(svg, /class="sq-role-name"/g)).toBe(1);
    expect(svg).toMatch(/<g class="sq-req"><title>[^<]*<\/title><path d="M/);
    expect(sequenceDiagram([], { title: 't' })).toBe('');
  });

  it('escapes roles, labels, URLs and summaries', () => {
    const evil = '<script>x</script>"\'&';
    const svg = sequenceDiagram([base({ from: evil, to: evil + '2', label: evil, url: evil, method: evil, responseSummary: evil, requestSummary: evil })], { title: evil });
    expect(svg).not.toContain('<script');
    expect(svg).not.toMatch(/="[^"]*"[^ />]/); // no attribute value broken out of its quotes
    expect(svg).toContain('&lt;script&gt;x&lt;/script&gt;&quot;&#39;&amp;');
  });
});
