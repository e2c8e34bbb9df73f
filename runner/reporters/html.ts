// One self-contained HTML file (inline CSS and script, a CSP that forbids any
// network): the run's summary; filters by outcome, tag and directory; a table
// with one column per kernel profile when the run had several (--kernel all);
// every failure with its checks, source frame, diagnostics and the address
// space at the first failure drawn as SVG. Written once at the end.
import type { CheckResult, FileResult, RunResults } from '../../schema/generated/types.js';
import { addressSpaceSvg, escapeXml as esc } from '../render/picture-svg.js';
import { renderMessage } from '../render/message.js';
import { plain } from '../render/style.js';
import { summaryLine } from '../results.js';
import type { Sink } from './sink.js';
import type { Reporter, ReporterEnv } from './types.js';

const OUTCOMES = ['FAIL', 'ERROR', 'SKIP', 'PASS'] as const;

export function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '.' : file.slice(0, i);
}

function frame(c: CheckResult): string {
  const l = c.location;
  if (l.lineText === undefined) return '';
  const caret = ' '.repeat(Math.max(0, l.column - 1)) + '^'.repeat(Math.max(1, l.length ?? 1));
  return `<pre class="frame"><span class="ln">${l.line} │</span> ${esc(l.lineText)}\n<span class="ln">${' '.repeat(String(l.line).length)} ╵</span> <span class="caret">${caret}</span></pre>`;
}

function failedCheck(c: CheckResult): string {
  const rows = [
    ...(c.counter !== undefined ? [['counter', c.counter + (c.proc && c.proc !== 'main' ? ` (in ${c.proc})` : '')]] : []),
    ...(c.expected !== undefined ? [['expected', c.expected]] : []),
    ...(c.actual !== undefined ? [['actual', c.actual]] : []),
  ].map(([k, v]) => `<tr><th>${k}</th><td class="${k}">${esc(v!)}</td></tr>`).join('');
  const msg = c.message !== undefined && (c.expected === undefined || c.actual === undefined) ? `<p>${esc(c.message)}</p>` : '';
  return `<div class="check fail"><h3>✗ ${esc(c.name)} <span class="at">${esc(`${c.location.file}:${c.location.line}:${c.location.column}`)}</span></h3>${frame(c)}${msg}${rows ? `<table class="cmp">${rows}</table>` : ''}</div>`;
}

function scenario(f: FileResult, i: number): string {
  const tags = f.tags ?? [];
  const checks = f.checks.length;
  const passed = f.checks.filter((c) => c.status === 'pass').length;
  const todo = f.todo !== undefined ? ` <span class="badge SKIP" title="${esc(f.todo)}">TODO</span>` : '';
  const head = `<h2><span class="badge ${f.outcome}">${f.outcome}</span>${todo} ${esc(f.file)}${f.name !== f.file ? ` — ${esc(f.name)}` : ''}</h2>` +
    `<p class="meta">${esc(f.target)} · ${esc(f.kernel)} · ${passed}/${checks} checks passed · ${(f.durationMs).toFixed(1)} ms` +
    `${tags.length ? ` · tags: ${tags.map((t) => `<span class="tag">${esc(t)}</span>`).join(' ')}` : ''}</p>`;
  const body: string[] = [];
  if (f.outcome === 'SKIP') body.push(`<p class="skip">skipped: ${esc(f.skipReason ?? 'skipped')}</p>`);
  for (const m of f.messages) body.push(`<pre class="message ${m.severity}">${esc(renderMessage(m, plain).trimEnd())}</pre>`);
  for (const c of f.checks) if (c.status === 'fail') body.push(failedCheck(c));
  if (f.addressSpace) body.push(`<h3>address space at the first failure</h3>${addressSpaceSvg(f.addressSpace)}`);
  const skipped = f.checks.filter((c) => c.status === 'skip');
  if (skipped.length) body.push(`<ul class="skipped">${skipped.map((c) => `<li>skipped: ${esc(c.name)} (${esc(c.message ?? '')})</li>`).join('')}</ul>`);
  const open = f.outcome === 'FAIL' || f.outcome === 'ERROR';
  return `<section class="scenario" id="s${i}" data-outcome="${f.outcome}" data-dir="${esc(dirOf(f.file))}" data-tags="${esc(tags.join(' ').toLowerCase())}">` +
    `<details${open ? ' open' : ''}><summary>${head}</summary>${body.join('')}</details></section>`;
}

/** One row per file, one column per profile, when the run had more than one (--kernel all, a comma list). */
function matrix(doc: RunResults): string {
  const kernels = [...new Set(doc.files.map((f) => f.kernel))];
  if (kernels.length < 2) return '';
  const rows = new Map<string, Map<string, { f: FileResult; i: number }>>();
  doc.files.forEach((f, i) => {
    if (!rows.has(f.file)) rows.set(f.file, new Map());
    rows.get(f.file)!.set(f.kernel, { f, i });
  });
  const body = [...rows].map(([file, byKernel]) => {
    const any = [...byKernel.values()][0]!.f;
    const outcomes = [...new Set([...byKernel.values()].map((x) => x.f.outcome))].join(' ');
    const cells = kernels.map((k) => {
      const x = byKernel.get(k);
      return x ? `<td class="${x.f.outcome}"><a href="#s${x.i}">${x.f.outcome}</a></td>` : '<td>—</td>';
    }).join('');
    return `<tr class="row" data-outcome="${outcomes}" data-dir="${esc(dirOf(file))}" data-tags="${esc((any.tags ?? []).join(' ').toLowerCase())}"><th>${esc(file)}</th>${cells}</tr>`;
  }).join('');
  return `<table id="matrix"><thead><tr><th>scenario</th>${kernels.map((k) => `<th>${esc(k)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

export function select(id: string, label: string, values: string[]): string {
  return `<label>${label} <select id="${id}"><option value="">all</option>${values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('')}</select></label>`;
}

export const CSS = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#111}h1{margin:0 0 .3em}
.summary span{margin-right:1em}.badge{font:bold 11px monospace;padding:2px 5px;border-radius:3px;color:#fff}
.PASS{background:#2e7d32}.FAIL{background:#c62828}.ERROR{background:#6a1b9a}.SKIP{background:#9e9d24}
td.PASS,td.FAIL,td.ERROR,td.SKIP{text-align:center}td a{color:#fff}
nav{margin:1em 0;padding:.5em;background:#f3f3f3;display:flex;gap:1.2em;flex-wrap:wrap}
section.scenario{border-top:1px solid #ddd}summary{cursor:pointer;list-style:none}summary h2{display:inline;font-size:15px}
.meta{color:#555;margin:.2em 0 .6em}.tag{background:#e3ecf5;padding:0 4px;border-radius:3px}
pre{background:#fafafa;border:1px solid #eee;padding:.5em;overflow:auto}.caret{color:#c62828}.ln{color:#888}
table.cmp th{text-align:left;padding-right:1em}.expected{color:#2e7d32}.actual{color:#c62828}
.at{font-weight:normal;color:#666;font:12px monospace}#matrix{border-collapse:collapse;margin:1em 0}
#matrix td,#matrix th{border:1px solid #ccc;padding:2px 8px}[hidden]{display:none!important}`;

// Filters hide sections and matrix rows; nothing is fetched or rebuilt.
export const SCRIPT = `(function(){
  var boxes=[].slice.call(document.querySelectorAll('input[name=outcome]'));
  var tag=document.getElementById('tag'),dir=document.getElementById('dir'),shown=document.getElementById('shown');
  function apply(){
    var on=boxes.filter(function(b){return b.checked}).map(function(b){return b.value});
    var n=0,items=document.querySelectorAll('.scenario,.row');
    for(var i=0;i<items.length;i++){
      var el=items[i],outs=el.dataset.outcome.split(' '),tags=el.dataset.tags.split(' ');
      var ok=outs.some(function(o){return on.indexOf(o)>=0})&&(!tag||!tag.value||tags.indexOf(tag.value)>=0)&&(!dir.value||el.dataset.dir===dir.value);
      el.hidden=!ok;if(ok&&el.classList.contains('scenario'))n++;
    }
    shown.textContent=n+' of '+document.querySelectorAll('.scenario').length+' results shown';
  }
  boxes.forEach(function(b){b.addEventListener('change',apply)});if(tag)tag.addEventListener('change',apply);dir.addEventListener('change',apply);apply();
})();`;

export function buildHtml(doc: RunResults): string {
  const s = doc.summary;
  const tags = [...new Set(doc.files.flatMap((f) => (f.tags ?? []).map((t) => t.toLowerCase())))].sort();
  const dirs = [...new Set(doc.files.map((f) => dirOf(f.file)))].sort();
  const counts: Record<string, number> = { PASS: 0, FAIL: 0, ERROR: 0, SKIP: 0 };
  for (const f of doc.files) counts[f.outcome]!++;
  const boxes = OUTCOMES.map((o) => `<label><input type="checkbox" name="outcome" value="${o}" checked> ${o} (${counts[o]})</label>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mls report: ${esc(summaryLine(s))}</title><style>${CSS}</style></head><body>
<header><h1>mls report</h1>
<p class="summary" id="summary"><span class="badge PASS">${s.passed} passed</span><span class="badge FAIL">${s.failed} failed</span>` +
`${s.errors ? `<span class="badge ERROR">${s.errors} errors</span>` : ''}<span class="badge SKIP">${s.skipped} skipped</span>` +
`<span>${s.total} results · ${(doc.durationMs / 1000).toFixed(2)} s · ${esc(doc.startedAt)} · mls ${esc(doc.tool.version)} · model ${esc(doc.tool.modelVersion)}</span>` +
`${doc.interrupted ? '<span class="badge ERROR">interrupted: not every scenario ran</span>' : ''}</p></header>
<nav id="filters">${boxes}${select('tag', 'tag', tags)}${select('dir', 'directory', dirs)}<span id="shown"></span></nav>
${matrix(doc)}
<main>${doc.files.map(scenario).join('\n')}</main>
<script>${SCRIPT}</script>
</body></html>
`;
}

export class HtmlReporter implements Reporter {
  readonly printsSummary = false;
  private readonly sink: Sink;
  constructor(env: ReporterEnv) {
    this.sink = env.sink;
  }
  start(): void {}
  file(): void {}
  async end(doc: RunResults): Promise<void> {
    this.sink.write(buildHtml(doc));
    await this.sink.close();
  }
}
