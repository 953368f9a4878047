/**
 * Latency plots (inline SVG) for the HTML report: a bar per check (its duration, coloured by status), a strip per
 * kind of exchange (one dot per exchange), and a histogram of durations. Styling comes from the report's
 * stylesheet (classes prefixed `lt-`); every value is also in a tooltip and, in the report, in a table.
 */
import type { CheckStatus, Exchange } from '../suites/model.js';
import { clip, escapeHtml, formatMs } from './html-escape.js';
import { durationScale, tickLabel, type Scale } from './svg-scale.js';

const WIDTH = 720;
const LABEL_W = 210;
const PLOT_W = 420;
const AXIS_H = 26;

export interface CheckDuration {
  id: string;
  status: CheckStatus;
  durationMs: number;
}

/** One horizontal bar per check. */
export function checkDurationChart(checks: readonly CheckDuration[], title: string): string {
  if (checks.length === 0) return '';
  const row = 16;
  const scale = durationScale(checks.map((c) => c.durationMs));
  const plotTop = 6;
  const plotBottom = plotTop + checks.length * row;
  const parts = [axis(scale, LABEL_W, plotTop, plotBottom)];
  checks.forEach((check, i) => {
    const y = plotTop + i * row;
    const w = Math.max(1.5, scale.at(check.durationMs) * PLOT_W);
    parts.push(
      `<g><title>${escapeHtml(`${check.id} · ${check.status} · ${formatMs(check.durationMs)}`)}</title>` +
        `<text class="lt-label" x="${LABEL_W - 8}" y="${y + 12}">${escapeHtml(clip(check.id, 30))}</text>` +
        `<rect class="lt-${check.status}" x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 5}"/>` +
        `<text class="lt-value" x="${(LABEL_W + w + 5).toFixed(1)}" y="${y + 12}">${escapeHtml(formatMs(check.durationMs))}</text></g>`,
    );
  });
  return svg(title, plotBottom + AXIS_H, parts);
}

/** One row per kind of exchange (its label, else method and path), one dot per exchange, a tick at the median. */
export function exchangeStripChart(exchanges: readonly Exchange[], title: string, maxRows = 12): string {
  if (exchanges.length === 0) return '';
  const row = 22;
  const groups = groupExchanges(exchanges, maxRows);
  const scale = durationScale(exchanges.map((e) => e.durationMs));
  const plotTop = 6;
  const plotBottom = plotTop + groups.length * row;
  const parts = [axis(scale, LABEL_W, plotTop, plotBottom)];
  groups.forEach(([name, members], i) => {
    const cy = plotTop + i * row + row / 2;
    const sorted = members.map((e) => e.durationMs).sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
    const mx = (LABEL_W + scale.at(median) * PLOT_W).toFixed(1);
    parts.push(
      `<text class="lt-label" x="${LABEL_W - 8}" y="${cy + 4}">${escapeHtml(clip(name, 30))} (${members.length})</text>`,
      // The median first, so the dots stay on top of it.
      `<line class="lt-median" x1="${mx}" y1="${cy - 8}" x2="${mx}" y2="${cy + 8}"><title>median ${escapeHtml(formatMs(median))}</title></line>`,
    );
    members.forEach((e, j) => {
      const cx = LABEL_W + scale.at(e.durationMs) * PLOT_W;
      const jitter = ((j % 5) - 2) * 1.6; // deterministic spread so equal durations stay visible
      const cls = e.status >= 200 && e.status < 400 ? 'lt-ok' : 'lt-err';
      parts.push(
        `<circle class="${cls}" cx="${cx.toFixed(1)}" cy="${(cy + jitter).toFixed(1)}" r="3.2">` +
          `<title>${escapeHtml(`${name} · ${e.status || 'no response'} · ${formatMs(e.durationMs)}`)}</title></circle>`,
      );
    });
  });
  return svg(title, plotBottom + AXIS_H, parts);
}

/** A histogram of durations: bins of equal width on the (linear or logarithmic) axis. */
export function durationHistogram(values: readonly number[], title: string, bins = 24): string {
  if (values.length === 0) return '';
  const scale = durationScale(values);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(scale.at(v) * bins))]! += 1;
  const peak = Math.max(...counts);
  const left = 60;
  const plotW = WIDTH - left - 30;
  const plotTop = 10;
  const plotH = 120;
  const plotBottom = plotTop + plotH;
  const parts = [
    axis(scale, left, plotTop, plotBottom, plotW),
    `<text class="lt-label" x="${left - 8}" y="${plotTop + 8}">${peak}</text>`,
    `<text class="lt-label" x="${left - 8}" y="${plotBottom}">0</text>`,
  ];
  const bw = plotW / bins;
  counts.forEach((count, i) => {
    if (count === 0) return;
    const h = Math.max(1.5, (count / peak) * plotH);
    const range = `${formatMs(scale.invert(i / bins))} – ${formatMs(scale.invert((i + 1) / bins))}`;
    parts.push(
      `<rect class="lt-bin" x="${(left + i * bw + 1).toFixed(1)}" y="${(plotBottom - h).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}">` +
        `<title>${escapeHtml(`${count} in ${range}`)}</title></rect>`,
    );
  });
  return svg(title, plotBottom + AXIS_H, parts);
}

function groupExchanges(exchanges: readonly Exchange[], maxRows: number): [string, Exchange[]][] {
  const groups = new Map<string, Exchange[]>();
  for (const e of exchanges) {
    const key = e.label || `${e.method} ${pathOnly(e.url)}`;
    const members = groups.get(key);
    if (members) members.push(e);
    else groups.set(key, [e]);
  }
  const rows = [...groups.entries()];
  if (rows.length <= maxRows) return rows;
  const kept = rows.slice(0, maxRows - 1);
  return [...kept, ['other', rows.slice(maxRows - 1).flatMap(([, members]) => members)]];
}

function axis(scale: Scale, x0: number, top: number, bottom: number, width = PLOT_W): string {
  const ticks = scale.ticks.map((t) => {
    const x = (x0 + scale.at(t) * width).toFixed(1);
    return `<line class="lt-grid" x1="${x}" y1="${top}" x2="${x}" y2="${bottom}"/><text class="lt-tick" x="${x}" y="${bottom + 14}">${tickLabel(t)}</text>`;
  });
  const kind = scale.kind === 'log' ? `<text class="lt-tick" x="${x0 + width + 14}" y="${bottom + 14}">log</text>` : '';
  return `${ticks.join('')}<line class="lt-axis" x1="${x0}" y1="${bottom}" x2="${x0 + width}" y2="${bottom}"/>${kind}`;
}

function svg(title: string, height: number, parts: string[]): string {
  return (
    `<svg class="lt" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}"` +
    ` role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${parts.join('')}</svg>`
  );
}

function pathOnly(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
