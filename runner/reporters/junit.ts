// JUnit XML (Ant/Surefire dialect) built natively, not converted from TAP: one
// testsuite per .mls file, one testcase per check with file and line; FAIL →
// <failure>, ERROR → <error>, SKIP → <skipped>. ANSI codes are stripped first
// (junit-report-builder drops the ESC byte but keeps the rest of the code).
import type { Builder, TestCase, TestSuite } from 'junit-report-builder';
import type { CheckResult, FileResult, RunResults } from '../../schema/generated/types.js';
import { renderMessage } from '../render/message.js';
import { plain, stripAnsi } from '../render/style.js';
import type { Sink } from './sink.js';
import type { Reporter, ReporterEnv } from './types.js';

/** junit-report-builder has no `line` attribute; GitLab and pytest-style readers use one. */
/** Loaded on first use: the package pulls in lodash and xmlbuilder, which runs without junit need not pay for. */
async function loadBuilder(): Promise<Builder> {
  const mod = (await import('junit-report-builder')) as unknown as { default: Builder | { default: Builder } };
  // The package's CJS module.exports *is* the builder; its typings describe an ES default export.
  const d = mod.default as Builder & { default?: Builder };
  return d.default ?? d;
}

function setLine(tc: TestCase, line: number): void {
  (tc as unknown as { _attributes: Record<string, string> })._attributes['line'] = String(line);
}

function checkDetail(c: CheckResult): string {
  const lines = [
    `${c.location.file}:${c.location.line}:${c.location.column}`,
    ...(c.counter !== undefined ? [`counter:  ${c.counter}`] : []),
    ...(c.expected !== undefined ? [`expected: ${c.expected}`] : []),
    ...(c.actual !== undefined ? [`actual:   ${c.actual}`] : []),
    ...(c.location.lineText !== undefined ? [c.location.lineText] : []),
  ];
  return stripAnsi(lines.join('\n'));
}

/** The whole document in one string (small runs, tests): what writeJunit streams. */
export async function buildJunit(doc: RunResults): Promise<string> {
  const builder = (await loadBuilder()).newBuilder();
  builder.name('mls');
  for (const f of doc.files) addSuite(builder.testSuite(), f);
  return builder.build();
}

interface Counts { tests: number; failures: number; errors: number; skipped: number }

/** What addSuite adds for f, counted without building it (the root element carries the sums). */
function suiteCounts(f: FileResult): Counts {
  if (f.outcome === 'SKIP') return { tests: 1, failures: 0, errors: 0, skipped: 1 };
  const errors = f.outcome === 'ERROR' ? f.messages.filter((m) => m.severity === 'error').length : 0;
  let failures = 0, skipped = 0;
  for (const c of f.checks) { if (c.status === 'fail') failures++; else if (c.status === 'skip') skipped++; }
  return { tests: f.checks.length + errors, failures, errors, skipped };
}

/**
 * The document buildJunit makes, written suite by suite: the root's sums first (counted), then
 * each file's <testsuite> built alone and cut out of its one-suite document. A run's XML can be
 * longer than a string can be; one suite is not.
 */
export async function writeJunit(doc: RunResults, out: (s: string) => void): Promise<void> {
  const lib = await loadBuilder();
  const sum: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const f of doc.files) {
    const c = suiteCounts(f);
    sum.tests += c.tests; sum.failures += c.failures; sum.errors += c.errors; sum.skipped += c.skipped;
  }
  const attrs = `name="mls" tests="${sum.tests}" failures="${sum.failures}" errors="${sum.errors}" skipped="${sum.skipped}"`;
  out('<?xml version="1.0" encoding="UTF-8"?>\n');
  if (doc.files.length === 0) { out(`<testsuites ${attrs}/>`); return; }
  out(`<testsuites ${attrs}>`);
  for (const f of doc.files) {
    const one = lib.newBuilder();
    one.name('mls');
    addSuite(one.testSuite(), f);
    const xml = one.build();
    out(xml.slice(xml.indexOf('\n  <testsuite'), xml.lastIndexOf('\n</testsuites>')));
  }
  out('\n</testsuites>');
}

function addSuite(suite: TestSuite, f: FileResult): void {
  suite.name(f.file).time(f.durationMs / 1000).property('scenario', f.name).property('target', f.target).property('kernel', f.kernel);
  if (f.outcome === 'SKIP') {
    suite.testCase().className(f.file).name(f.name).file(f.file).skipped().standardOutput(stripAnsi(f.skipReason ?? ''));
    return;
  }
  for (const c of f.checks) {
    const tc = suite.testCase().className(f.file).name(stripAnsi(c.name)).file(c.location.file);
    setLine(tc, c.location.line);
    if (c.status === 'skip') tc.skipped().standardOutput(stripAnsi(c.message ?? ''));
    else if (c.status === 'fail') {
      tc.failure(stripAnsi(c.message ?? `expected ${c.expected ?? '?'}, got ${c.actual ?? '?'}`), 'expectation');
      tc.standardOutput(checkDetail(c) + (f.picture ? `\n\n${f.picture}` : ''));
    }
  }
  if (f.outcome === 'ERROR') {
    for (const m of f.messages.filter((m) => m.severity === 'error')) {
      const tc = suite.testCase().className(f.file).name(`${m.id}: ${stripAnsi(m.text)}`).file(m.location?.file ?? f.file);
      if (m.location) setLine(tc, m.location.line);
      tc.error(stripAnsi(m.text), m.id, stripAnsi(renderMessage(m, plain)));
    }
  }
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
