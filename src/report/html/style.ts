/** The page's only stylesheet (inline; the page loads nothing). Colours: see the legends. */
export const STYLE = `
:root { color-scheme:light dark; --fg:#1f2328; --muted:#656d76; --line:#d8dee4; --bg:#fff; --panel:#f6f8fa; --up:#b42318; --down:#1a7f37;
  --reused:#b9bec5; --recompressed:#c9b8dc; --within:#f2cf85; --grown:#d9534f; --shrunk:#3f9d5a; --new:#3b7dd8;
  --bad-bg:#fdecea; --bad-line:#f1b5b0; --bad-fg:#8a1c1c; --good-bg:#e9f6ec; --good-line:#a9d9b5; --good-fg:#155d2b;
  --warn-bg:#fbeccb; --warn-fg:#7a4b00; --add-bg:#dbe8fb; --add-fg:#174a96; --rm-bg:#f7dcdc; --same-bg:#eceff2; --mark:#fff1c2; }
/* Dark mode follows the reader's system setting; data colours (layers, treemap) stay, the frame turns. */
@media (prefers-color-scheme: dark) {
  :root { --fg:#e6edf3; --muted:#9da7b3; --line:#30363d; --bg:#0d1117; --panel:#161b22; --up:#ff7b72; --down:#56d364;
    --bad-bg:#3b1618; --bad-line:#8e2a2a; --bad-fg:#ffb4ae; --good-bg:#12301c; --good-line:#2f6f3f; --good-fg:#a6e9b5;
    --warn-bg:#3d2e0a; --warn-fg:#f2cc60; --add-bg:#132d52; --add-fg:#a5c8ff; --rm-bg:#3b1618; --same-bg:#262c34; --mark:#4a3b0a; }
}
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif; color:var(--fg); background:var(--bg); }
/* Long names (refs, paths, digests) break anywhere outside tables; a table keeps its columns and scrolls. */
main { max-width:1200px; margin:0 auto; padding:24px 28px 48px; overflow-wrap:anywhere; }
header.top { border-bottom:1px solid var(--line); padding-bottom:16px; margin-bottom:8px; }
h1 { font-size:22px; margin:0 0 10px; font-weight:650; }
h2 { font-size:18px; margin:32px 0 10px; padding-bottom:6px; border-bottom:1px solid var(--line); }
h3 { font-size:16px; margin:0 0 4px; }
h4 { font-size:14px; margin:16px 0 6px; color:var(--muted); font-weight:600; }
code, .path, .ref, .instruction, .goversion { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace; font-size:12.5px; }
.refs { display:grid; grid-template-columns:auto 1fr; gap:2px 12px; margin:0; }
.refs dt { color:var(--muted); }
.refs dd { margin:0; overflow-wrap:anywhere; }
.summary { font-size:16px; margin:14px 0 4px; }
.summary strong.up, .delta.up { color:var(--up); }
.summary strong.down, .delta.down { color:var(--down); }
.muted { color:var(--muted); }
.counts { color:var(--muted); margin:0; }
.check { border-radius:8px; padding:10px 14px; margin:12px 0 0; border:1px solid; }
.check.failed { background:var(--bad-bg); border-color:var(--bad-line); color:var(--bad-fg); }
.check.passed { background:var(--good-bg); border-color:var(--good-line); color:var(--good-fg); }
.check ul { margin:6px 0 0; padding-left:18px; color:var(--fg); }
.sev-error { background:var(--rm-bg); color:var(--bad-fg); } .sev-warning { background:var(--warn-bg); color:var(--warn-fg); }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin:12px 0 4px; }
.card { flex:1 1 200px; border:1px solid var(--line); border-radius:8px; padding:10px 14px; background:var(--panel); min-width:0; }
.card-label { font-size:12px; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
.card-value { font-size:24px; font-weight:650; font-variant-numeric:tabular-nums; margin:2px 0; }
.card-value.up { color:var(--up); } .card-value.down { color:var(--down); }
.card-detail { font-size:12.5px; color:var(--muted); overflow-wrap:anywhere; }
.legend { list-style:none; padding:0; margin:6px 0 12px; display:flex; flex-wrap:wrap; gap:4px 16px; font-size:12.5px; color:var(--muted); }
.legend li { display:flex; align-items:center; gap:6px; }
svg.defs { position:absolute; }
svg.overview { width:100%; height:auto; display:block; margin:8px 0 4px; }
.bar-label, .bar-total { font-size:13px; fill:var(--muted); }
.seg { stroke:var(--bg); stroke-width:1; }
.band { opacity:.28; }
.tone-reused { fill:var(--reused); background:var(--reused); }
.tone-recompressed { fill:var(--recompressed); background:var(--recompressed); }
.tone-within { fill:var(--within); background:var(--within); }
.tone-grown { fill:var(--grown); background:var(--grown); color:#fff; }
.tone-shrunk { fill:var(--shrunk); background:var(--shrunk); color:#fff; }
.tone-new { fill:var(--new); background:var(--new); color:#fff; }
.tone-removed { fill:url(#hatch); background:repeating-linear-gradient(45deg,#f3e1e1 0 3px,#e7a6a4 3px 6px); }
polygon.tone-removed { fill:none; }
/* A table wider than the screen scrolls in its own box; the page never scrolls sideways. */
.table-wrap { max-width:100%; overflow-x:auto; margin:8px 0 16px; overflow-wrap:normal; }
table { border-collapse:collapse; width:100%; margin:0; }
th.num { text-align:right; }
td.path { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace; font-size:12.5px; }
.section-line { margin:4px 0; overflow-wrap:anywhere; }
caption { text-align:left; color:var(--muted); font-size:12.5px; padding:0 0 4px; }
th, td { padding:5px 8px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
th { background:var(--panel); font-weight:600; font-size:12.5px; white-space:nowrap; }
table.sortable.js th:not(.nosort) { cursor:pointer; user-select:none; }
table.sortable.js th:not(.nosort)::after { content:" ↕"; color:#aab; font-size:11px; }
table.sortable.js th[aria-sort="ascending"]::after { content:" ↑"; color:var(--fg); }
table.sortable.js th[aria-sort="descending"]::after { content:" ↓"; color:var(--fg); }
td.num { text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; }
td.num small, td.delta small { display:block; color:var(--muted); font-size:11.5px; }
td.instruction { max-width:440px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
td.path { overflow-wrap:break-word; word-break:normal; }
.value { overflow-wrap:anywhere; font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace; font-size:12px; }
.setting-side { display:grid; grid-template-columns:2.5em 1fr; }
td.bars { width:160px; }
tr.tone-row-removed td.instruction { text-decoration:line-through; color:var(--muted); }
tr.tone-row-reused td, tr.tone-row-recompressed td { color:var(--muted); }
td small.evidence, td small.was { display:block; color:var(--muted); font-size:11.5px; }
table.compact td, table.compact th { padding:3px 6px; font-size:12.5px; }
ul.evidence { margin:4px 0 0; padding-left:18px; color:var(--muted); font-size:12.5px; overflow-wrap:anywhere; }
.badge { display:inline-block; padding:1px 7px; border-radius:10px; font-size:11.5px; white-space:nowrap; font-family:system-ui,sans-serif; }
.badge.tone-removed { color:#8a1c1c; }
.badge.tone-within, .badge.tone-reused, .badge.tone-recompressed { color:#1f2328; }
.bin-added, .mod-added { background:var(--add-bg); color:var(--add-fg); }
.bin-removed, .mod-removed { background:var(--rm-bg); color:var(--bad-fg); }
.bin-changed, .mod-upgraded, .mod-downgraded, .mod-replaced { background:var(--warn-bg); color:var(--warn-fg); }
.bin-unchanged { background:var(--same-bg); color:var(--muted); }
.changed-value { background:var(--mark); border-radius:3px; padding:0 3px; }
section.binary { border:1px solid var(--line); border-radius:8px; padding:16px 18px; margin:18px 0; }
.sizes { margin:0 0 8px; font-size:15px; }
.facts { display:grid; grid-template-columns:auto 1fr; gap:2px 12px; margin:0 0 8px; font-size:13px; }
.facts dt { color:var(--muted); }
.facts dd { margin:0; }
svg.treemap { width:100%; height:auto; display:block; border-radius:4px; }
/* One treemap drawing per width band (treemap-svg.ts): SVG text scales with the drawing. */
svg.treemap.tm-narrow, svg.treemap.tm-medium { display:none; }
@media (max-width:640px) { svg.treemap.tm-wide { display:none; } svg.treemap.tm-narrow { display:block; } }
@media (min-width:641px) and (max-width:1000px) { svg.treemap.tm-wide { display:none; } svg.treemap.tm-medium { display:block; } }
.tm-cell rect { stroke:var(--bg); stroke-width:1; }
.tm-label { font-size:11px; pointer-events:none; fill:#1f2328; }
.tm-detail { fill-opacity:.8; }
.tm-grow-3-text, .tm-shrink-3-text, .tm-new-text { fill:#fff; }
.tm-grow-1 { fill:#f8d3cf; background:#f8d3cf; } .tm-grow-2 { fill:#f0a49b; background:#f0a49b; } .tm-grow-3 { fill:#de6a5e; background:#de6a5e; }
.tm-new { fill:#b42a20; background:#b42a20; }
.tm-shrink-1 { fill:#d3ecd9; background:#d3ecd9; } .tm-shrink-2 { fill:#8fcd9f; background:#8fcd9f; } .tm-shrink-3 { fill:#2d8748; background:#2d8748; }
.tm-same { fill:#dfe3e8; background:#dfe3e8; } .tm-neutral { fill:#b7cde9; background:#b7cde9; }
.columns { display:grid; grid-template-columns:1fr 1fr; gap:0 24px; }
@media (max-width:900px) { .columns { grid-template-columns:1fr; } }
details > summary { cursor:pointer; color:var(--muted); margin:4px 0; }
.toolbar { font-size:13px; color:var(--muted); margin:4px 0; }
h3 { margin-top:20px; }
/* Phones: less padding, the long instruction column narrower, small figures. */
@media (max-width:640px) {
  main { padding:14px 12px 32px; }
  h1 { font-size:18px; overflow-wrap:anywhere; }
  .card { flex-basis:140px; }
  .card-value { font-size:20px; }
  td.instruction { max-width:55vw; }
  th, td { padding:4px 6px; }
}
footer { margin-top:40px; color:var(--muted); font-size:12px; border-top:1px solid var(--line); padding-top:10px; }
`;
