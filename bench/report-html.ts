/**
 * bench.html: one self-contained page (inline CSS and SVG, no script) with the result table and four plots:
 * throughput against the bound and the peer, completions per second, the latency histogram, and our server's
 * RSS and CPU over the run.
 */
import { escapeHtml } from '../reports/html-escape.js';
import type { BenchPlots, BenchResult } from './result.js';

const W = 640;
const H = 220;
const PAD = { left: 56, right: 16, top: 14, bottom: 34 };
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea'];

const fmt = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function frame(title: string, yLabel: string, yMax: number, xLabels: Array<{ at: number; text: string }>, body: string): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = PAD.top + plotH * (1 - f);
      return `<line class="grid" x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y}" y2="${y}"/><text class="tick" x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${escapeHtml(fmt(yMax * f, yMax * f >= 100 ? 0 : 1))}</text>`;
    })
    .join('');
  const xs = xLabels.map((label) => `<text class="tick" x="${PAD.left + label.at * plotW}" y="${H - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(label.text)}</text>`).join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">${ticks}${xs}<text class="axis" x="12" y="${PAD.top + plotH / 2}" transform="rotate(-90 12 ${PAD.top + plotH / 2})" text-anchor="middle">${escapeHtml(yLabel)}</text>${body}</svg></figure>`;
}

function barChart(result: BenchResult): string {
  const bars: Array<{ name: string; value: number; cls: string }> = [];
  if (result.ratioToBound !== null) bars.push({ name: 'bound', value: result.bound.issuancesPerSecond, cls: 'bound' });
  bars.push({ name: result.target.name, value: result.throughput, cls: 'ours' });
  if (result.peer) bars.push({ name: result.peer.name, value: result.peer.throughput, cls: 'peer' });
  const max = niceMax(Math.max(...bars.map((bar) => bar.value)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / bars.length;
  const body = bars
    .map((bar, i) => {
      const h = (bar.value / max) * plotH;
      const x = PAD.left + i * slot + slot * 0.2;
      return `<g><title>${escapeHtml(`${bar.name}: ${fmt(bar.value)} /s`)}</title><rect class="${bar.cls}" x="${x}" y="${PAD.top + plotH - h}" width="${slot * 0.6}" height="${h}"/><text class="value" x="${x + slot * 0.3}" y="${PAD.top + plotH - h - 4}" text-anchor="middle">${escapeHtml(fmt(bar.value, 0))}</text></g>`;
    })
    .join('');
  const labels = bars.map((bar, i) => ({ at: (i + 0.5) / bars.length, text: bar.name.slice(0, 28) }));
  return frame('Throughput (per second)', 'per second', max, labels, body);
}

function lineChart(title: string, yLabel: string, series: Array<{ name: string; points: Array<[number, number]> }>): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return '';
  const xMax = Math.max(1, ...all.map(([x]) => x));
  const yMax = niceMax(Math.max(...all.map(([, y]) => y)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const body = series
    .map((s, i) => {
      const d = s.points
        .map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${(PAD.left + (x / xMax) * plotW).toFixed(1)},${(PAD.top + plotH * (1 - y / yMax)).toFixed(1)}`)
        .join('');
      return `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"><title>${escapeHtml(s.name)}</title></path>`;
    })
    .join('');
  const labels = [0, 0.5, 1].map((f) => ({ at: f, text: `${fmt(xMax * f, 0)} s` }));
  return frame(title, yLabel, yMax, labels, body) + legend(series.map((s) => s.name));
}

function histogramChart(plots: BenchPlots): string {
  const series = plots.targets.filter((t) => t.histogram.length > 0);
  if (series.length === 0) return '';
  const edges = [...new Set(series.flatMap((t) => t.histogram.map((bin) => bin.upTo)))].sort((a, b) => a - b);
  const shares = series.map((t) => {
    const total = t.histogram.reduce((sum, bin) => sum + bin.count, 0) || 1;
    const byEdge = new Map(t.histogram.map((bin) => [bin.upTo, bin.count / total]));
    return edges.map((edge) => byEdge.get(edge) ?? 0);
  });
  const yMax = niceMax(Math.max(...shares.flat()) * 100);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / edges.length;
  const width = (slot * 0.8) / series.length;
  const body = shares
    .map((values, s) =>
      values
        .map((share, i) => {
          const h = ((share * 100) / yMax) * plotH;
          const x = PAD.left + i * slot + slot * 0.1 + s * width;
          return `<rect x="${x.toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${width.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[s % COLORS.length]}"><title>${escapeHtml(`${series[s]!.name}: ${fmt(share * 100)} % ≤ ${edges[i]} ms`)}</title></rect>`;
        })
        .join(''),
    )
    .join('');
  const step = Math.max(1, Math.ceil(edges.length / 8));
  const labels = edges.flatMap((edge, i) => (i % step === 0 ? [{ at: (i + 0.5) / edges.length, text: `≤${edge < 10 ? edge.toFixed(1) : edge.toFixed(0)}` }] : []));
  return frame('Latency distribution (ms, log bins)', '% of requests', yMax, labels, body) + legend(series.map((t) => t.name));
}

function legend(names: string[]): string {
  return `<p class="legend">${names.map((name, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escapeHtml(name)}</span>`).join('')}</p>`;
}

function row(label: string, values: Array<string | number>): string {
  return `<tr><th>${escapeHtml(label)}</th>${values.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`;
}

export function toBenchHtml(result: BenchResult, plots: BenchPlots): string {
  const columns = [result.target, ...(result.peer ? [result.peer] : [])];
  const table = [
    `<tr><th></th>${columns.map((c) => `<th>${escapeHtml(c.name)}</th>`).join('')}</tr>`,
    row('throughput /s', columns.map((c) => fmt(c.throughput))),
    row('ratio to bound', columns.map((c) => (c.ratioToBound === null ? '–' : `${fmt(c.ratioToBound * 100)} %`))),
    row('requests', columns.map((c) => c.requests)),
    row('errors', columns.map((c) => c.errors)),
    row('p50 ms', columns.map((c) => fmt(c.latency.p50, 2))),
    row('p95 ms', columns.map((c) => fmt(c.latency.p95, 2))),
    row('p99 ms', columns.map((c) => fmt(c.latency.p99, 2))),
    row('max ms', columns.map((c) => fmt(c.latency.max, 2))),
    row('server CPU %', columns.map((c) => fmt(c.server?.cpuPercent))),
    row('server RSS start → end MiB', columns.map((c) => (c.server ? `${fmt(c.server.rssStartMiB)} → ${fmt(c.server.rssEndMiB)}` : '–'))),
  ].join('');
  const errors = columns.flatMap((c) => Object.entries(c.errorsByKind).map(([kind, count]) => [`${c.name}: ${kind}`, count] as const));
  const resources = plots.targets.filter((t) => t.resources?.length);
  const m = result.machine;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mdmca bench: ${escapeHtml(result.scenario)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:760px;color:#111}
table{border-collapse:collapse;margin:12px 0}th,td{border:1px solid #ddd;padding:4px 10px;text-align:right}th:first-child{text-align:left}
figure{margin:18px 0}figcaption{font-weight:600;margin-bottom:4px}
.grid{stroke:#eee}.tick,.value,.axis{font-size:11px;fill:#444}
rect.bound{fill:#9ca3af}rect.ours{fill:${COLORS[0]}}rect.peer{fill:${COLORS[1]}}
.legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
code{background:#f3f4f6;padding:1px 4px}
</style></head><body>
<h1>mdmca bench — ${escapeHtml(result.scenario)}</h1>
<p>${escapeHtml(result.startedAt)} · ${result.connections} connections · ${fmt(result.durationSeconds)} s measured · bound ${fmt(result.bound.privateOpsPerSecond, 0)} RSA-2048 signatures/s = ${fmt(result.bound.issuancesPerSecond, 0)} SCEP issuances/s (<code>${escapeHtml(result.boundMeasurement.command)}</code>)</p>
<p>${escapeHtml(m.cpuModel)} · ${m.cores} cores · Node ${escapeHtml(m.node)} · OpenSSL ${escapeHtml(m.openssl)} · load average ${m.loadAverage} at start</p>
<table>${table}</table>
${result.target.timings ? `<p>Inside our server, per PKIOperation (last ${result.target.timings.requests}): parse ${fmt(result.target.timings.parse, 2)} ms, policy ${fmt(result.target.timings.policy, 2)} ms (of which issuing ${fmt(result.target.timings.issue, 2)} ms), reply ${fmt(result.target.timings.reply, 2)} ms, total ${fmt(result.target.timings.total, 2)} ms.</p>` : ''}
${errors.length ? `<h2>Errors</h2><table>${errors.map(([kind, count]) => row(kind, [count])).join('')}</table>` : ''}
${result.notes.length ? `<ul>${result.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>` : ''}
${barChart(result)}
${lineChart('Completed requests per second', 'per second', plots.targets.map((t) => ({ name: t.name, points: t.timeline.map((s) => [s.second, s.ok] as [number, number]) })))}
${histogramChart(plots)}
${resources.length ? lineChart('Server RSS (MiB)', 'MiB', resources.map((t) => ({ name: t.name, points: t.resources!.map((s) => [s.second, s.rssMiB] as [number, number]) }))) : ''}
${resources.length ? lineChart('Server CPU (% of one core)', '%', resources.map((t) => ({ name: t.name, points: t.resources!.map((s) => [s.second, s.cpuPercent] as [number, number]) }))) : ''}
<p>${escapeHtml(result.pool.note)}.</p>
</body></html>
`;
}
