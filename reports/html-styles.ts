/**
 * The report's one stylesheet, inlined into the page. The inline SVGs (sequence diagrams `sq-*`, latency plots
 * `lt-*`) carry classes only, so their styling lives here once. System fonts only: the report loads nothing.
 */
export const REPORT_CSS = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#d5d9e2;--bg:#fff;--panel:#f6f7f9;--pass:#1f7a3a;--fail:#b42318;--skip:#8a6d00;
--pass-bg:#e8f5ec;--fail-bg:#fdecea;--skip-bg:#fff7d6;--accent:#2451b7;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 20px}
header{padding-top:18px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:20px 0 6px}h4{font-size:14px;margin:0 0 6px}
h2 small,h4 small{font-weight:400;color:var(--muted);font-size:13px}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
pre{white-space:pre-wrap;word-break:break-word;margin:0;background:var(--panel);padding:6px 8px;border-radius:4px;border:1px solid var(--line)}
a{color:var(--accent)}
.verdict{display:inline-block;font-weight:700;padding:4px 10px;border-radius:4px;margin:0 0 10px}
.verdict.pass{background:var(--pass-bg);color:var(--pass)}.verdict.fail{background:var(--fail-bg);color:var(--fail)}
.verdict.warn{background:var(--skip-bg);color:var(--skip)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
table{border-collapse:collapse;width:100%;margin:6px 0 10px}
caption{text-align:left;color:var(--muted);padding:2px 0 6px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600}tbody th{background:transparent}table.checks tbody th{white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tfoot td{font-weight:700}
td.msg{max-width:420px;word-break:break-word}
.status{font-weight:700;white-space:nowrap}
tr.st-pass .status{color:var(--pass)}tr.st-fail{background:var(--fail-bg)}tr.st-fail .status{color:var(--fail)}
tr.st-skip .status{color:var(--skip)}
.sev{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;border:1px solid currentColor}
.sev-error{color:var(--fail)}.sev-warning{color:var(--skip)}.sev-notice{color:var(--muted)}
.n-fail{color:var(--fail);font-weight:700}
.alert{background:var(--fail-bg);border-left:4px solid var(--fail);padding:8px 12px;margin:8px 0}
.assumptions{background:var(--skip-bg);border-left:4px solid var(--skip);padding:6px 12px 6px 28px}
article.failure{border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:4px;padding:10px 14px;margin:12px 0}
article.failure dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:6px 14px;margin:0 0 8px}
article.failure dt{color:var(--muted);font-weight:600}article.failure dd{margin:0}
.fix{background:var(--pass-bg);border-radius:4px;padding:4px 8px}
figure{margin:8px 0;overflow-x:auto}figcaption{color:var(--muted);font-size:12px}
details{margin:4px 0}details>summary{cursor:pointer}
.filter{display:inline-block;margin:10px 0;color:var(--muted)}
body:has(#only-failures:checked) table.checks tr.st-pass,body:has(#only-failures:checked) table.checks tr.st-skip,
body:has(#only-failures:checked) .passing{display:none}
svg{max-width:100%;height:auto;display:block}
.sq-life{stroke:#9aa3b5;stroke-dasharray:4 4}
.sq-role{fill:#eef2fb;stroke:#7d8fbf}.sq-role-name{font:600 12px system-ui,sans-serif;text-anchor:middle;fill:var(--fg)}
.sq-act{fill:#dfe5f3;stroke:#9aa3b5;stroke-width:.5}
.sq-req line,.sq-req path,.sq-res line{stroke:#33415c;stroke-width:1.3;fill:none}.sq-req polygon,.sq-res polygon{fill:#33415c}
.sq-res line{stroke-dasharray:5 3}
.sq-req text,.sq-res text{font:11px ui-monospace,"DejaVu Sans Mono",monospace;fill:var(--fg);text-anchor:middle}
.sq-req .sq-sum{font-size:10px;fill:var(--muted)}.sq-req .sq-self,.sq-res .sq-self{text-anchor:start}
.sq-res.sq-err line{stroke:var(--fail)}.sq-res.sq-err polygon{fill:var(--fail)}.sq-res.sq-err text{fill:var(--fail)}
.sq-res.sq-ok text{fill:var(--pass)}
.sq-time{font:10px ui-monospace,"DejaVu Sans Mono",monospace;fill:var(--muted)}.sq-dur{font-weight:700}
.sq-note{font:italic 11px system-ui,sans-serif;fill:var(--muted)}
.lt-grid{stroke:#e6e9ef}.lt-axis{stroke:#9aa3b5}
.lt-tick{font:10px system-ui,sans-serif;fill:var(--muted);text-anchor:middle}
.lt-label{font:11px ui-monospace,"DejaVu Sans Mono",monospace;fill:var(--fg);text-anchor:end}
.lt-value{font:10px system-ui,sans-serif;fill:var(--muted)}
.lt-pass{fill:#52a56b}.lt-fail{fill:#d0463b}.lt-skip{fill:#d9b84a}.lt-bin{fill:#5b7bd5}
.lt-ok{fill:#2451b7;fill-opacity:.55}.lt-err{fill:#d0463b;fill-opacity:.75}.lt-median{stroke:#6b7385;stroke-width:2}
.plots{display:flex;flex-wrap:wrap;gap:8px 24px}
footer{color:var(--muted);font-size:12px;padding:24px 20px}
@media print{.filter{display:none}details{display:block}}
`;
