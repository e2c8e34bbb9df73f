// `mls compare a b --html file`: the compare report as one self-contained page
// (the run report's styles and filters): a column per profile with the value
// each observed, one row per differing observation, scenarios filterable by
// status and directory.
import type { CompareReport, ComparedScenario } from '../commands/compare.js';
import { CSS, SCRIPT, dirOf, select } from '../reporters/html.js';
import { escapeXml as esc } from './picture-svg.js';

const STATUS = ['differs', 'error', 'skipped', 'same'] as const;
const BADGE: Record<ComparedScenario['status'], string> = { differs: 'FAIL', error: 'ERROR', skipped: 'SKIP', same: 'PASS' };

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'absent');

function scenario(r: CompareReport, s: ComparedScenario): string {
  const rows = s.differences.map((d) => `<tr><td class="at">${esc(`${s.file}:${d.line}`)}</td><td><code>${esc(d.statement)}</code>${d.proc && d.proc !== 'main' ? ` (in ${esc(d.proc)})` : ''}</td>` +
    `<td><code>${esc(d.path)}</code></td><td class="a">${esc(show(d.a))}</td><td class="b">${esc(show(d.b))}</td></tr>`).join('');
  const table = rows ? `<table class="diffs"><thead><tr><th>where</th><th>statement</th><th>observation</th><th>${esc(r.a)}</th><th>${esc(r.b)}</th></tr></thead><tbody>${rows}</tbody></table>` : '';
  return `<section class="scenario" data-outcome="${s.status}" data-dir="${esc(dirOf(s.file))}" data-tags="">` +
    `<details${s.status === 'differs' || s.status === 'error' ? ' open' : ''}><summary><h2><span class="badge ${BADGE[s.status]}">${s.status}</span> ${esc(s.file)}${s.name ? ` — ${esc(s.name)}` : ''}</h2></summary>` +
    `${s.reason ? `<p>${esc(s.reason)}</p>` : ''}${table}</details></section>`;
}

export function compareHtml(r: CompareReport): string {
  const counts: Record<string, number> = { differs: r.summary.differs, error: r.summary.errors, skipped: r.summary.skipped, same: r.summary.same };
  const boxes = STATUS.map((s) => `<label><input type="checkbox" name="outcome" value="${s}" checked> ${s} (${counts[s]})</label>`).join('');
  const dirs = [...new Set(r.scenarios.map((s) => dirOf(s.file)))].sort();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>mls compare ${esc(r.a)} ${esc(r.b)}</title><style>${CSS}
table.diffs{border-collapse:collapse;margin:.4em 0 1em}table.diffs td,table.diffs th{border:1px solid #ddd;padding:2px 8px;text-align:left}</style></head><body>
<header><h1>mls compare: ${esc(r.a)} vs ${esc(r.b)}</h1>
<p class="summary" id="summary">${r.summary.differs} differ, ${r.summary.same} same, ${r.summary.skipped} skipped, ${r.summary.errors} errors</p></header>
<nav id="filters">${boxes}${select('dir', 'directory', dirs)}<span id="shown"></span></nav>
<main>${r.scenarios.map((s) => scenario(r, s)).join('\n')}</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
