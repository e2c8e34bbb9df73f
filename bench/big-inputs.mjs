// Big inputs in bounded memory and time (issue 14 findings 7, 9, 10), one child
// process each, measured by /usr/bin/time (wall, CPU, peak RSS):
// - 20 copies of a 65,603-step scenario with the json, tap and junit reporters
//   (before: `internal error: Invalid string length`, no report files);
// - 1,000,000 random writes in a 1 TiB mapping, 10 forks, then `expect big rss`
//   (before: PSS after fork was O(runs x segments), past 12 minutes);
// - `mls check` of a 1 MB single-line file, once as a comment and once as code
//   (before: 65 s; a 20 MB line ran out of heap);
// - `mls check` of a 5 MB file of 242,000 short lines (issue 16 finding 5: before 24 s, 800 MB;
//   goal: under 5 s), and the same file past `--max-file-size 1M` (refused at once); the same
//   lines as 1 MB and 50 MB files show compile time is linear (50 MB: before, out of heap at 4.3 GB);
// - `mls check` of a 5 MB file whose lines all differ in their numbers (before grammar/line-shape.ts:
//   ~25 s, every line matched by ohm).
// `node bench/big-inputs.mjs check` runs the `mls check` rows only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './lib.mjs';

const BIN = fileURLToPath(new URL('../bin/mls.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mls-bench-big-'));

/** { wall s, cpu s, rss MB, status } of `mls ...args` in dir. */
function timed(args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, BIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no timing from mls ${args.join(' ')}: ${r.stderr.slice(-500)}`);
  return { wall: +m[1], cpu: +m[2] + +m[3], rss: +m[4] / 1024, status: r.status };
}

const checkOnly = process.argv[2] === 'check';

try {
  if (!checkOnly) runs();
  checks();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function runs() {
  // 1 + 32,800 x (mlock, munlock) + 2 = 65,603 steps, each a check in every report.
  const steps = ['scenario "65,603 steps"', 'buf = mmap 4p rw private anon'];
  for (let i = 0; i < 32_800; i++) steps.push('mlock buf 1p', 'munlock buf 1p');
  steps.push('expect locked_vm == 0', 'expect buf rss == 1p');
  for (let i = 0; i < 20; i++) writeFileSync(join(dir, `s${String(i).padStart(2, '0')}.mls`), steps.join('\n') + '\n');
  const big = timed(['run', '--no-cache', '-r', 'json=r.json', '-r', 'tap=r.tap', '-r', 'junit=r.xml', ...Array.from({ length: 20 }, (_, i) => `s${String(i).padStart(2, '0')}.mls`)]);
  const sizes = ['r.json', 'r.tap', 'r.xml'].map((f) => statSync(join(dir, f)).size / 2 ** 20);
  if (big.status !== 0) throw new Error(`65,603-step run exited ${big.status}`);
  report('20 x 65,603-step scenario, json+tap+junit: wall', big.wall, 's', '', undefined);
  report('20 x 65,603-step scenario, json+tap+junit: peak RSS', big.rss, 'MB', '', undefined);
  report(`20 x 65,603-step scenario: report sizes json / tap / junit (MB)`, sizes.reduce((a, b) => a + b, 0), `MB (${sizes.map((s) => s.toFixed(0)).join(' / ')})`, '', undefined);

  const forks = ['scenario "1 M pages, 10 forks, an rss check"', 'big = mmap 1T rw private anon noreserve', 'access big 1T random 1000000 seed 1 write'];
  for (let i = 1; i <= 10; i++) forks.push(`k${i} = fork`);
  forks.push('expect big rss > 0');
  writeFileSync(join(dir, 'forks.mls'), forks.join('\n') + '\n');
  const f = timed(['run', '--no-cache', '--timeout', '600000', '-r', 'json=f.json', 'forks.mls']);
  if (f.status !== 0) throw new Error(`forks run exited ${f.status}`);
  report('model: 1 M random writes in 1 TiB, 10 forks, expect rss: CPU', f.cpu, 's', '', undefined);

}

/** The lines of the 5 MB file up to `mb` MiB. */
function linesOf(mb) {
  const lines = ['scenario "five MB"', 'buf = mmap 4p rw private anon'];
  for (let n = 0; n < mb * 2 ** 20;) for (const l of ['mlock buf 1p', 'munlock buf 1p', 'expect locked_vm == 0, buf rss == 1p']) { lines.push(l); n += l.length + 1; }
  return lines;
}

/** A 5 MB-style file whose lines all differ (in their numbers, as generated suites do). */
function distinctOf(mb) {
  const lines = ['scenario "distinct lines"', 'buf = mmap 1G rw private anon', 'file f 64M on disk', 'm = mmap 64M r shared file f'];
  for (let i = 0, n = 0; n < mb * 2 ** 20; i++) {
    for (const l of [
      `mlock buf + ${i % 262_144}p ${1 + (i % 7)}p => ok, ENOMEM on linux-4.4`,
      `munlock buf + ${(i * 7) % 262_144}p ${1 + (i % 5)}p`,
      `read m + ${i % 16_384}p ${1 + (i % 3)}p`,
      `expect locked_vm <= ${i + 8}p, buf rss <= ${i + 9}p, m rss >= 0`,
    ]) {
      lines.push(l);
      n += l.length + 1;
    }
  }
  return lines;
}

function checks() {
  writeFileSync(join(dir, 'comment.mls'), `scenario "one line" # ${'x'.repeat(2 ** 20)}\n`);
  writeFileSync(join(dir, 'code.mls'), `scenario "one line"\nexpect ${Array.from({ length: 2 ** 16 }, () => 'locked_vm == 0').join(', ')}\n`);
  const c1 = timed(['check', 'comment.mls']);
  const c2 = timed(['check', 'code.mls']);
  report('mls check of a 1 MB single line: comment / code (mls/line-too-long): CPU', c1.cpu, `s / ${c2.cpu.toFixed(2)} s (exit ${c1.status} / ${c2.status})`, '', undefined);

  const five = linesOf(5);
  writeFileSync(join(dir, 'five.mls'), five.join('\n') + '\n');
  const c5 = timed(['check', 'five.mls']);
  if (c5.status !== 0) throw new Error(`mls check five.mls exited ${c5.status}`);
  const c5r = timed(['check', '--max-file-size', '1M', 'five.mls']);
  report(`mls check of a 5 MB file (${five.length.toLocaleString('en')} lines): CPU`, c5.cpu, `s, wall ${c5.wall.toFixed(1)} s, ${c5.rss.toFixed(0)} MB peak RSS; past --max-file-size 1M: ${c5r.cpu.toFixed(2)} s CPU, exit ${c5r.status}`, '< 5 s', c5.cpu < 5);

  const distinct = distinctOf(5);
  writeFileSync(join(dir, 'distinct.mls'), distinct.join('\n') + '\n');
  const cd = timed(['check', 'distinct.mls']);
  if (cd.status !== 0) throw new Error(`mls check distinct.mls exited ${cd.status}`);
  report(`mls check of a 5 MB file of distinct lines (${distinct.length.toLocaleString('en')} lines, all numbers differ): CPU`, cd.cpu, `s, wall ${cd.wall.toFixed(1)} s, ${cd.rss.toFixed(0)} MB peak RSS`, '< 5 s', cd.cpu < 5);

  // Linearity: CPU a MiB past start-up (`mls check` of a one-line file), 50 MB over 5 MB over 1 MB.
  writeFileSync(join(dir, 'tiny.mls'), 'scenario "tiny"\n');
  writeFileSync(join(dir, 'one.mls'), linesOf(1).join('\n') + '\n');
  writeFileSync(join(dir, 'fifty.mls'), linesOf(50).join('\n') + '\n');
  const c0 = timed(['check', 'tiny.mls']);
  const c1m = timed(['check', 'one.mls']);
  const c50 = timed(['check', '--max-file-size', '64M', 'fifty.mls']);
  if (c1m.status !== 0) throw new Error(`mls check one.mls exited ${c1m.status}`);
  const perMb = [c1m, c5, c50].map((c, i) => (c.cpu - c0.cpu) / [1, 5, 50][i]);
  report('mls check of 1 / 5 / 50 MB of those lines: CPU', c1m.cpu, `/ ${c5.cpu.toFixed(2)} / ${c50.cpu.toFixed(1)} s; ${c1m.rss.toFixed(0)} / ${c5.rss.toFixed(0)} / ${c50.rss.toFixed(0)} MB peak RSS${c50.status ? ` (50 MB: exit ${c50.status})` : ''}; start-up ${c0.cpu.toFixed(2)} s`, '', undefined);
  // 50 ÷ 5, not ÷ 1: the first MB also pays for compiling the compiler (V8's JIT).
  report('mls check: CPU a MB past start-up, 50 MB ÷ 5 MB (linear: ~1)', perMb[2] / perMb[1], `x (${perMb.map((x) => x.toFixed(2)).join(' / ')} s a MB at 1 / 5 / 50 MB)`, '≤ 1.2x', c50.status === 0 && perMb[2] / perMb[1] <= 1.2);
}
