// JUnit XML (Ant/Surefire dialect, as Jenkins, GitLab and GitHub test-report
// actions read it), built natively rather than converted from TAP: one
// testsuite per scenario run, one testcase per check. A failure carries its
// message as an attribute and expected/actual/source frame/picture as its body
// (CI UIs show the body, not system-out); a skip carries its reason; testcase
// names are unique within a suite (CI UIs merge equal names), so each is the
// check's text plus its line (and column when a line has two checks alike).
import type { CheckResult, FileResult, RunResults } from '../../schema/generated/types.js';
import { renderMessage } from '../render/message.js';
import { plain } from '../render/style.js';
import type { Sink } from './sink.js';
import type { Reporter, ReporterEnv } from './types.js';
import { element } from './xml.js';

function sourceFrame(c: CheckResult): string[] {
  const l = c.location;
  if (l.lineText === undefined) return [];
  return [`${String(l.line).padStart(4)} | ${l.lineText}`, `     | ${' '.repeat(Math.max(0, l.column - 1))}${'^'.repeat(Math.max(1, l.length ?? 1))}`];
}

/** The failure body: where, what was compared, the source line with a caret, the address-space picture. */
export function failureBody(c: CheckResult, picture: string | undefined): string {
  return [
    `${c.location.file}:${c.location.line}:${c.location.column}`,
    ...(c.counter !== undefined ? [`counter:  ${c.counter}${c.proc && c.proc !== 'main' ? ` (in ${c.proc})` : ''}`] : []),
    ...(c.expected !== undefined ? [`expected: ${c.expected}`] : []),
    ...(c.actual !== undefined ? [`actual:   ${c.actual}`] : []),
    ...(c.message !== undefined && (c.expected === undefined || c.actual === undefined) ? [c.message] : []),
    ...sourceFrame(c),
    ...(picture !== undefined ? ['', 'address space at the first failure:', picture] : []),
  ].join('\n');
}

/** `name (line N)`, then `, col C`, then a counter, until unique in the suite. */
function uniqueNamer(): (base: string, line: number | undefined, column: number | undefined) => string {
  const seen = new Set<string>();
  return (base, line, column) => {
    const candidates = line === undefined ? [base] : [`${base} (line ${line})`, ...(column !== undefined ? [`${base} (line ${line}, col ${column})`] : [])];
    let name = candidates.find((c) => !seen.has(c));
    for (let k = 2; name === undefined; k++) if (!seen.has(`${candidates[0]} #${k}`)) name = `${candidates[0]} #${k}`;
    seen.add(name);
    return name;
  };
}

function testcase(f: FileResult, name: string, line: number | undefined, inner: string[]): string {
  return element('testcase', { classname: f.file, name, file: f.file, line, time: '0' }, inner);
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function suite(f: FileResult, suiteName: string, timestamp: string): { xml: string; counts: Counts } {
  const named = uniqueNamer();
  const cases: string[] = [];
  let failures = 0, errors = 0, skipped = 0;
  if (f.outcome === 'SKIP') {
    skipped++;
    cases.push(testcase(f, f.name, undefined, [element('skipped', { message: f.skipReason ?? 'skipped' })]));
  }
  let pictured = false;
  for (const c of f.outcome === 'SKIP' ? [] : f.checks) {
    const inner: string[] = [];
    if (c.status === 'skip') {
      skipped++;
      inner.push(element('skipped', { message: c.message ?? 'skipped' }));
    } else if (c.status === 'fail' && f.todo !== undefined) {
      // A known failure (`todo`): CI UIs show it as skipped with the reason, not as red.
      skipped++;
      inner.push(element('skipped', { message: `todo${f.todo !== '' ? `: ${f.todo}` : ''}: ${c.message ?? 'failed'}` }));
    } else if (c.status === 'fail') {
      failures++;
      const message = c.message ?? `expected ${c.expected ?? '?'}, got ${c.actual ?? '?'}`;
      inner.push(element('failure', { message, type: 'expectation' }, [], failureBody(c, pictured ? undefined : f.picture)));
      pictured = true;
    }
    cases.push(testcase(f, named(c.name, c.location.line, c.location.column), c.location.line, inner));
  }
  for (const m of f.messages.filter((m) => m.severity === 'error')) {
    errors++;
    const inner = [element('error', { message: m.text, type: m.id }, [], renderMessage(m, plain))];
    cases.push(testcase(f, named(`${m.id}: ${m.text}`, m.location?.line, m.location?.column), m.location?.line, inner));
  }
  const props = element('properties', {}, [
    element('property', { name: 'scenario', value: f.name }),
    element('property', { name: 'target', value: f.target }),
    element('property', { name: 'kernel', value: f.kernel }),
    ...(f.hash !== undefined ? [element('property', { name: 'hash', value: f.hash })] : []),
  ]);
  const counts = { tests: cases.length, failures, errors, skipped };
  const xml = element('testsuite', { name: suiteName, ...counts, time: (f.durationMs / 1000).toFixed(3), timestamp, file: f.file }, [props, ...cases]);
  return { xml, counts };
}

/**
 * The document written piece by piece to `out`: the root's totals first (counted from the suites, each
 * built on its own), then one suite at a time, so no string holds the whole report (a run's report can be
 * longer than V8's longest string).
 */
export async function writeJunit(doc: RunResults, out: (s: string) => void): Promise<void> {
  // A matrix run (--kernel all) has one result per file and profile: the suite names carry the profile.
  const perFile = new Map<string, number>();
  for (const f of doc.files) perFile.set(f.file, (perFile.get(f.file) ?? 0) + 1);
  const timestamp = doc.startedAt.replace(/Z$|\.\d+Z$/, '');
  const build = (f: RunResults['files'][number]) => suite(f, (perFile.get(f.file) ?? 0) > 1 ? `${f.file} [${f.kernel}]` : f.file, timestamp);
  const sum: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const f of doc.files) {
    const c = build(f).counts;
    sum.tests += c.tests; sum.failures += c.failures; sum.errors += c.errors; sum.skipped += c.skipped;
  }
  const rootAttrs = { name: 'mls', ...sum, time: (doc.durationMs / 1000).toFixed(3) };
  out('<?xml version="1.0" encoding="UTF-8"?>\n');
  if (doc.files.length === 0) { out(element('testsuites', rootAttrs)); return; }
  const open = element('testsuites', rootAttrs, ['\u0000']);
  const cut = open.indexOf('\n\u0000');
  out(open.slice(0, cut + 1));
  doc.files.forEach((f, i) => out((i ? '\n' : '') + build(f).xml));
  out(open.slice(cut + 2));
}

/** The whole document in one string (small runs, tests): what writeJunit streams. */
export async function buildJunit(doc: RunResults): Promise<string> {
  let s = '';
  await writeJunit(doc, (p) => (s += p));
  return s;
}

export class JunitReporter implements Reporter {
  readonly printsSummary = false;
  private readonly sink: Sink;
  constructor(env: ReporterEnv) {
    this.sink = env.sink;
  }
  start(): void {}
  file(): void {}
  async end(doc: RunResults): Promise<void> {
    await writeJunit(doc, (s) => this.sink.write(s));
    this.sink.write('\n');
    await this.sink.close();
  }
}
