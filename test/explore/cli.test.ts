// `mls explore` end to end, in process: usage errors, the witness written with --out and passing on the
// profiles it names, --json, and the host's word when one profile is the host's kernel.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { main } from '../../runner/cli.js';
import { evaluate } from '../../runner/evaluation/evaluate.js';
import { runOn } from '../../runner/explore/run.js';
import { hostKernel } from '../../runner/profiles/default.js';
import { hostTarget } from '../../runner/targets/host.js';
import { memoryIO as io } from '../runner/helpers.js';


const dir = mkdtempSync(join(tmpdir(), 'mls-explore-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('usage errors exit 2 with a message', async (t) => {
  writeFileSync(join(dir, 'bad.json'), '{"mapPages": [0]}');
  const cases: [string[], RegExp][] = [
    [['linux-6.18'], /give two kernel profiles/],
    [['linux-6.18', 'linux-9.9'], /linux-9\.9: unknown base/],
    [['linux-6.18', 'linux-6.18'], /the two profiles are the same/],
    [['linux-6.1', 'linux-6.12', '--depth', '0'], /--depth needs an integer ≥ 1/],
    [['linux-6.1', 'linux-6.12', '--time=0'], /--time needs a positive number/],
    [['linux-6.1', 'linux-6.12', '--alphabet', 'bad.json'], /--alphabet: .*bad\.json: "mapPages" must be a list/],
    [['linux-6.1', 'linux-6.12', '--filter', 'x'], /--filter/],
  ];
  for (const [args, re] of cases) {
    const a = io(dir);
    t.equal(await main(['explore', ...args], a.value), 2, args.join(' '));
    t.match(a.stderr, re);
  }
});

t.test('a witness with --out: printed, written, passing on the profiles it names', async (t) => {
  const a = io(dir);
  t.equal(await main(['explore', 'linux-6.1', 'linux-6.12', '--alphabet', 'tiny', '--out', 'w.mls'], a.value), 1);
  t.match(a.stdout, /witness: after mlock2: regions\.\*\.vmas\[\]\.flags \(2 statements, 1 region/);
  t.match(a.stdout, /search: [\d,]+ programs enumerated, [\d,]+ pruned .* run on both profiles; .*depth 1 completed; stopped at the first difference/);
  t.notMatch(a.stdout, /host \(/, 'neither profile is the host kernel (6.18)');
  const text = readFileSync(join(dir, 'w.mls'), 'utf8');
  t.match(text, /mlock2 a 1p onfault/);
  const s = compileSource(text, 'w.mls').scenario!;
  for (const k of ['linux-6.1', 'linux-6.12']) t.equal(evaluate(s, runOn(s, k), k).outcome, 'PASS', k);
});

t.test('--json, and the host agrees with its side', async (t) => {
  const a = io(dir);
  t.equal(await main(['explore', 'linux-6.18', 'linux-6.18+mcl-nopopulate-locked', '--alphabet', 'tiny', '--json'], a.value), 1);
  const r = JSON.parse(a.stdout);
  t.equal(r.witnesses.length, 1);
  t.match(r.witnesses[0].text, /mlockall flags 8 => EINVAL, ok on linux-6\.18\+mcl-nopopulate-locked/);
  t.equal(r.stats.stop, 'found');
  const avail = await hostTarget.available();
  if (!avail.ok || hostKernel() !== 'linux-6.18') { t.equal(r.witnesses[0].host?.outcome ?? 'unavailable', 'unavailable'); return; }
  t.equal(r.witnesses[0].host.outcome, 'PASS', JSON.stringify(r.witnesses[0].host));
  t.equal(r.witnesses[0].host.profile, 'linux-6.18');
});

t.test('-j 2 (worker threads, the built CLI) finds what -j 1 finds, in the same order', async (t) => {
  const { mls } = await import('../runner/helpers.js');
  const run = (j: string) => {
    const r = mls(['explore', 'linux-6.18', 'linux-6.18+posix-mlock', '--alphabet', 'tiny', '--depth', '3', '--all', '--json', '-j', j], { cwd: dir });
    t.equal(r.status, 1, r.stderr);
    return JSON.parse(r.stdout) as { stats: { run: number; enumerated: number; stop: string }; witnesses: { key: string; text: string }[] };
  };
  const [one, two] = [run('1'), run('2')];
  t.same(two.witnesses.map((w) => [w.key, w.text.replace(/\(program \d+ run\)/, '')]), one.witnesses.map((w) => [w.key, w.text.replace(/\(program \d+ run\)/, '')]));
  t.ok(one.witnesses.length >= 3, `${one.witnesses.length} differences`);
  t.same([two.stats.run, two.stats.enumerated, two.stats.stop], [one.stats.run, one.stats.enumerated, 'depth']);
});
