/**
 * A sequence diagram (inline SVG) of the HTTP exchanges one check recorded: a lifeline per role, a request arrow
 * (method, path, label) and a dashed response arrow (status, decoded summary, size) per exchange, and the timing
 * in the left gutter. Styling comes from the report's stylesheet (classes prefixed `sq-`), so each diagram stays
 * small; text widths are estimated from a monospace font because nothing is measured at generation time.
 */
import type { Exchange } from '../suites/model.js';
import { clip, escapeHtml, formatBytes, formatMs } from './html-escape.js';

/**
 * Decoded summaries a suite may attach to an exchange (e.g. `messageType=PKCSReq`, `pkiStatus=FAILURE
 * failInfo=badRequest`). Not (yet) part of suites/model.ts's Exchange; read when present.
 */
export interface ExchangeSummaries {
  requestSummary?: string;
  responseSummary?: string;
}
export type ReportExchange = Exchange & ExchangeSummaries;

export interface SequenceOptions {
  /** Accessible name of the diagram. */
  title: string;
  /** Exchanges drawn at most; the rest are counted in a note (a polling loop must not make a giant SVG). */
  maxExchanges?: number;
}

const GUTTER = 84;
const HEAD = 40;
const ROW = 34;
const CHAR_WIDTH = 6.7; // 11px monospace
const TOOLTIP_MAX = 300;

export function sequenceDiagram(exchanges: readonly ReportExchange[], options: SequenceOptions): string {
  const shown = exchanges.slice(0, options.maxExchanges ?? 30);
  if (shown.length === 0) return '';
  const roles = rolesOf(shown);
  const texts = shown.map(arrowTexts);
  // Columns widen (within bounds) to fit the longest arrow text; what still does not fit is clipped, in full in the tooltip.
  const longest = Math.max(0, ...texts.flatMap((t) => [t.request.length, t.response.length, t.requestSummary.length]));
  const COLUMN = Math.round(Math.min(440, Math.max(250, longest * CHAR_WIDTH + 24)));
  const x = (role: string) => GUTTER + COLUMN / 2 + roles.indexOf(role) * COLUMN;
  const width = GUTTER + Math.max(roles.length, 2) * COLUMN;
  const omitted = exchanges.length - shown.length;
  const bodyTop = HEAD + 22;
  const height = bodyTop + shown.length * 2 * ROW + (omitted > 0 ? 22 : 0) + 6;
  const t0 = Math.min(...shown.map((e) => e.startedAt));

  const parts: string[] = [];
  for (const role of roles) {
    const cx = x(role);
    parts.push(
      `<line class="sq-life" x1="${cx}" y1="${HEAD}" x2="${cx}" y2="${height - 4}"/>`,
      `<rect class="sq-role" x="${cx - COLUMN / 2 + 24}" y="6" width="${COLUMN - 48}" height="${HEAD - 12}" rx="4"/>`,
      `<text class="sq-role-name" x="${cx}" y="${HEAD / 2 + 5}">${escapeHtml(clip(role, 34))}</text>`,
    );
  }
  shown.forEach((exchange, i) => {
    parts.push(exchangeArrows(exchange, texts[i]!, x(exchange.from), x(exchange.to), COLUMN, bodyTop + i * 2 * ROW, t0));
  });
  if (omitted > 0) {
    parts.push(`<text class="sq-note" x="${GUTTER}" y="${height - 10}">… ${omitted} more exchange${omitted === 1 ? '' : 's'} not drawn</text>`);
  }

  return (
    `<svg class="seq" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"` +
    ` role="img" aria-label="${escapeHtml(options.title)}"><title>${escapeHtml(options.title)}</title>${parts.join('')}</svg>`
  );
}

/** Roles in order of first appearance: the caller (usually the device or the harness) ends up leftmost. */
function rolesOf(exchanges: readonly Exchange[]): string[] {
  const roles: string[] = [];
  for (const e of exchanges) {
    if (!roles.includes(e.from)) roles.push(e.from);
    if (!roles.includes(e.to)) roles.push(e.to);
  }
  return roles;
}

interface ArrowTexts {
  request: string;
  requestSummary: string;
  response: string;
  requestTip: string;
  responseTip: string;
  ok: boolean;
}

function arrowTexts(e: ReportExchange): ArrowTexts {
  const call = `${e.method} ${pathOf(e.url)}`;
  const label = e.label && !call.includes(e.label) ? `${e.label}: ` : '';
  const status = e.status > 0 ? String(e.status) : 'no response';
  const size = formatBytes(e.responseBytes);
  return {
    request: `${label}${call}`,
    requestSummary: e.requestSummary ?? '',
    // The decoded summary (pkiStatus, failInfo) matters more than the content type; both are in the tooltip.
    response: [status, e.responseSummary ?? e.responseContentType, size].filter(Boolean).join(' · '),
    requestTip: clip(
      [`${label}${e.method} ${e.url}`, e.requestSummary, e.requestContentType, formatBytes(e.requestBytes)].filter(Boolean).join(' · '),
      TOOLTIP_MAX,
    ),
    responseTip: clip(
      [status, e.responseSummary, e.responseContentType, size, formatMs(e.durationMs)].filter(Boolean).join(' · '),
      TOOLTIP_MAX,
    ),
    ok: e.status >= 200 && e.status < 400,
  };
}

function exchangeArrows(e: ReportExchange, t: ArrowTexts, x1: number, x2: number, column: number, y: number, t0: number): string {
  const self = x1 === x2;
  const span = self ? column - 40 : Math.abs(x2 - x1);
  const chars = Math.floor((span - 14) / CHAR_WIDTH);
  const mid = self ? x1 + 40 : (x1 + x2) / 2;
  const anchor = self ? ' class="sq-self"' : '';
  const requestText = escapeHtml(clip(t.request, chars));
  const responseText = escapeHtml(clip(t.response, chars));
  const statusClass = t.ok ? 'sq-ok' : 'sq-err';
  const yr = y + ROW;
  const out = [
    `<text class="sq-time" x="6" y="${y + 4}">+${escapeHtml(formatMs(e.startedAt - t0))}</text>`,
    `<text class="sq-time sq-dur" x="6" y="${yr + 4}">${escapeHtml(formatMs(e.durationMs))}</text>`,
    `<rect class="sq-act" x="${x2 - 4}" y="${y}" width="8" height="${ROW}"/>`,
  ];
  const summary = t.requestSummary
    ? `<text class="sq-sum${self ? ' sq-self' : ''}" x="${mid}" y="${y + 13}">${escapeHtml(clip(t.requestSummary, chars))}</text>`
    : '';
  if (self) {
    const loop = x1 + 34;
    out.push(
      `<g class="sq-req"><title>${escapeHtml(t.requestTip)}</title><path d="M${x1 + 4} ${y}H${loop}V${yr - 8}H${x1 + 4}"/>${head(x1 + 4, yr - 8, -1)}` +
        `<text${anchor} x="${mid}" y="${y - 5}">${requestText}</text>${summary}</g>`,
      `<g class="sq-res ${statusClass}"><title>${escapeHtml(t.responseTip)}</title><text${anchor} x="${mid}" y="${yr - 5}">${responseText}</text></g>`,
    );
    return out.join('');
  }
  const dir = Math.sign(x2 - x1);
  out.push(
    `<g class="sq-req"><title>${escapeHtml(t.requestTip)}</title><line x1="${x1}" y1="${y}" x2="${x2 - dir * 4}" y2="${y}"/>` +
      `${head(x2 - dir * 4, y, dir)}<text x="${mid}" y="${y - 5}">${requestText}</text>${summary}</g>`,
    `<g class="sq-res ${statusClass}"><title>${escapeHtml(t.responseTip)}</title><line x1="${x2 - dir * 4}" y1="${yr}" x2="${x1}" y2="${yr}"/>` +
      `${head(x1, yr, -dir)}<text x="${mid}" y="${yr - 5}">${responseText}</text></g>`,
  );
  return out.join('');
}

/** An arrowhead as a polygon (no <marker>: its id would have to be unique across the many inline SVGs). */
function head(tipX: number, y: number, dir: number): string {
  const back = tipX - dir * 9;
  return `<polygon points="${tipX},${y} ${back},${y - 4.5} ${back},${y + 4.5}"/>`;
}

function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}
