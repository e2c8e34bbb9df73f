import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'tap-parser';
import { Ajv } from 'ajv';
import { FileSink } from '../../runner/reporters/sink.js';
import { TapReporter } from '../../runner/reporters/tap.js';
import { JsonReporter } from '../../runner/reporters/json.js';
import { JunitReporter } from '../../runner/reporters/junit.js';
import { SpecReporter } from '../../runner/reporters/spec.js';
import { DotReporter } from '../../runner/reporters/dot.js';
import { plain } from '../../runner/render/style.js';
import type { Reporter, ReporterEnv } from '../../runner/reporters/types.js';
import { scratchDir } from '../support/scratch.js';
import { sampleResults } from './fixtures/results.js';

const as13 = (tap: string) => tap.replace(/^TAP version 14\n/, 'TAP version 13\n');
const dir = scratchDir('mls-reporters-');

async function produce(make: (env: ReporterEnv) => Reporter, name: string): Promise<string> {
  const path = join(dir, name);
  const doc = sampleResults();
  const r = make({ sink: new FileSink(path), style: plain, ci: true, columns: 80 });
  r.start(doc.files.length);
  for (const f of doc.files) r.file(f);
  await r.end(doc);
  return readFileSync(path, 'utf8');
}

t.test('TAP 14 parses back strictly and prove accepts it as a failing run', async (t) => {
  const tap = await produce((env) => new TapReporter(env), 'out.tap');
  t.match(tap, /^TAP version 14\n/);
  t.match(tap, /# Subtest: b\.mls — needs \\# escaping \\\\ and newlines here\n/);
  t.match(tap, /not ok 3 - locked_vm == 4p\n\s+---\n/);
  t.match(tap, /expected: 4p \(16 kB\)/);
  t.match(tap, /actual: 2p \(8 kB\)/);
  t.match(tap, /unit: bytes/);
  t.match(tap, /ok 4 - d\.mls — lock four pages # SKIP needs hugetlb \\# pages/);
  t.match(tap, /# SKIP no expected value: run mls record/);
  t.match(tap, /\n1\.\.4\n# 1 passed, 2 failed, 1 skipped\n$/);

  const failures: unknown[] = [];
  const p = new Parser({ strict: true });
  p.on('fail', (f: unknown) => failures.push(f));
  const done = new Promise<{ ok: boolean; count: number; pass: number; fail: number; skip: number; failures: Array<{ tapError?: string }> }>((res) => p.on('complete', res));
  p.end(`pragma +strict\n${tap.replace(/^TAP version 14\n/, 'TAP version 14\n')}`);
  const final = await done;
  t.equal(final.count, 4);
  t.equal(final.pass, 2, 'PASS and SKIP points are ok');
  t.equal(final.fail, 2);
  t.equal(final.skip, 1);
  t.same(final.failures.filter((f) => f.tapError), [], 'no TAP syntax errors in strict mode');
  const yaml = (failures[0] as { diag?: Record<string, unknown> }).diag;
  t.same(yaml?.['at'], { file: 'a.mls', line: 4, column: 8 }, 'YAML diagnostics parse back (first failing check)');

  // prove (TAP::Harness 3.44) refuses any version line above 13. TAP 14 is a superset TAP 13
  // consumers read correctly (subtests are indented lines they ignore; the closing points carry
  // the results), so prove reads the same stream with only the version line changed.
  const tapFile = join(dir, 'run.tap');
  writeFileSync(tapFile, `#!/bin/sh\ncat <<'TAPEOF'\n${as13(tap)}TAPEOF\n`, { mode: 0o755 });
  const prove = spawnSync('prove', ['-v', '-e', '/bin/sh', tapFile], { encoding: 'utf8' });
  t.equal(prove.status, 1, 'prove reports the failing run');
  t.match(prove.stdout, /Failed 2\/4 subtests/);
  t.notMatch(prove.stdout + prove.stderr, /Parse errors|unknown/i);
});

t.test('a passing TAP stream satisfies prove', async (t) => {
  const doc = sampleResults();
  const path = join(dir, 'pass.tap');
  const r = new TapReporter({ sink: new FileSink(path), style: plain, ci: true, columns: 80 });
  r.start(1);
  r.file(doc.files[0]!);
  await r.end({ ...doc, files: [doc.files[0]!], summary: { passed: 1, failed: 0, errors: 0, skipped: 0, total: 1 } });
  const script = join(dir, 'pass.sh');
  writeFileSync(path, as13(readFileSync(path, 'utf8')));
  writeFileSync(script, `#!/bin/sh\ncat ${path}\n`, { mode: 0o755 });
  const prove = spawnSync('prove', ['-e', '/bin/sh', script], { encoding: 'utf8' });
  t.equal(prove.status, 0, prove.stdout);
  t.match(prove.stdout, /Result: PASS/);
});

t.test('JSON is a RunResults document valid against schema/results.schema.json', async (t) => {
  const json = JSON.parse(await produce((env) => new JsonReporter(env), 'out.json'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const schema = JSON.parse(readFileSync(new URL('../../schema/results.schema.json', import.meta.url), 'utf8'));
  const validate = ajv.compile(schema);
  t.ok(validate(json), JSON.stringify(validate.errors));
  t.same(json.summary, { passed: 1, failed: 2, errors: 1, skipped: 1, total: 4 });
});

t.test('JUnit: one testsuite per file, failure/error/skipped with bodies and reasons, unique names, no ANSI', async (t) => {
  const xml = await produce((env) => new JunitReporter(env), 'out.xml');
  const suites = [...xml.matchAll(/<testsuite [^>]*name="([^"]+)"[^>]*>/g)].map((m) => m[1]);
  t.same(suites, ['a.mls', 'b.mls', 'c.mls', 'd.mls']);
  // CI UIs show the failure's body: expected, actual and the source frame are in it, not in system-out.
  t.match(xml, /<testcase classname="b\.mls" name="locked_vm == 4p \(line 4\)" file="b\.mls" line="4"[^>]*>\n<failure message="locked_vm: expected 4p \(16 kB\), got 2p \(8 kB\)" type="expectation">a\.mls:4:8\ncounter: +locked_vm\nexpected: 4p \(16 kB\)\nactual: +2p \(8 kB\)\n +4 \| expect locked_vm == 4p, buf locked == 4p\n +\| +\^{15}\n\naddress space at the first failure:\nprocess: VmLck 2p/);
  t.notMatch(xml, /<system-out>/);
  t.match(xml, /<error message="expected a size, got &quot;16q&quot;" type="mls\/parse">c\.mls:2:14: error/);
  t.match(xml, /<skipped message="needs hugetlb # pages"\/>/);
  t.match(xml, /<skipped message="no expected value: run mls record"\/>/);
  t.match(xml, /<property name="target" value="model"\/>\n<property name="kernel" value="linux-6.18"\/>/);
  for (const s of xml.split('<testsuite ').slice(1)) {
    const names = [...s.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((m) => m[1]);
    t.equal(new Set(names).size, names.length, `testcase names are unique in ${/name="([^"]+)"/.exec(s)![1]}: ${names.join(' | ')}`);
  }
  t.match(xml, /<testsuites[^>]* tests="\d+" failures="[1-9]\d*" errors="1"/);
  t.notMatch(xml, /\u001b|\[3\dm/);
  // Well-formed XML, checked by a real parser.
  const xmlFile = join(dir, 'check.xml');
  writeFileSync(xmlFile, xml);
  const parsed = spawnSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(len(r.findall("testsuite/testcase/failure")), len(r.findall("testsuite/testcase/skipped")))', xmlFile], { encoding: 'utf8' });
  t.equal(parsed.status, 0, parsed.stderr);
  const [failures, skips] = parsed.stdout.trim().split(' ').map(Number);
  t.ok(failures! >= 2 && skips! >= 2, `failures ${failures}, skips ${skips}`);
});

t.test('spec: failures in full with source caret, picture and the closing line', async (t) => {
  const out = await produce((env) => new SpecReporter(env), 'out.txt');
  t.match(out, / FAIL  b\.mls/);
  t.match(out, /4 │ expect locked_vm == 4p, buf locked == 4p\n\s+╵\s{8}\^{15}/);
  t.match(out, /- expected\s+4p \(16 kB\)/);
  t.match(out, /\+ actual\s+2p \(8 kB\)/);
  t.match(out, /address space at the first failure:\n\s+process: VmLck 2p/);
  t.match(out, / ERROR  c\.mls/);
  t.match(out, /c\.mls:2:14: error: expected a size, got "16q" \[mls\/parse\]/);
  t.match(out, /did you mean '16p'\?/);
  t.match(out, /SKIP d\.mls \(needs hugetlb # pages\)/);
  t.match(out, /\n1 passed, 2 failed, 1 skipped\n$/);
});

t.test('dot: one character per scenario in input order, wrapped, then failures in full and the closing line', async (t) => {
  const out = await produce((env) => new DotReporter(env), 'out.dot');
  t.match(out, /^\.FEs\n\n FAIL  b\.mls/, 'pass, fail, error, skip');
  t.match(out, /- expected\s+4p \(16 kB\)/);
  t.match(out, / ERROR  c\.mls/);
  t.notMatch(out, /SKIP d\.mls/, 'skips are a character, not a paragraph');
  t.match(out, /\n1 passed, 2 failed, 1 skipped\n$/);
  // 45 results at 20 columns: three lines of 20, 20 and 5.
  const path = join(dir, 'wrap.dot');
  const doc = sampleResults();
  const r = new DotReporter({ sink: new FileSink(path), style: plain, ci: true, columns: 20 });
  r.start(45);
  for (let i = 0; i < 45; i++) r.file(doc.files[0]!);
  await r.end({ ...doc, files: [], summary: { passed: 45, failed: 0, errors: 0, skipped: 0, total: 45 } });
  t.same(readFileSync(path, 'utf8').split('\n').slice(0, 3).map((l) => l.length), [20, 20, 5]);
});
