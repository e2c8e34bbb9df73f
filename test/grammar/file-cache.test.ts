// fsync / fdatasync / fadvise <file> dontneed (SPEC.md §3.3): compiled, printed,
// and run on the model (runtime/fadvise.ts; the host agrees: scenarios/kernel/71).
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { printScenario } from '../../grammar/print.js';
import { evaluate } from '../../runner/evaluation/evaluate.js';
import { runOnModel } from '../../runner/targets/model.js';
import { schemaErrors } from './helpers.js';

const H = 'scenario "t"\nfile f 4p\n';

t.test('statements and IR', async (t) => {
  const r = compileSource(H + 'fsync f\nfdatasync f\nfadvise f dontneed\nfadvise f willneed\n', 't.mls');
  t.same(r.messages.map((m) => [m.id, m.location?.line, m.location?.column]), [['mls/unknown-flag', 6, 11]]);
  const ok = compileSource(H + 'fsync f\nfdatasync f\nfadvise f dontneed\n', 't.mls');
  t.same(ok.scenario!.steps.slice(1).map((s) => [s.op, 'file' in s ? s.file : '']), [['fsync', 'f'], ['fdatasync', 'f'], ['fadvise_dontneed', 'f']]);
  t.same(schemaErrors(ok.scenario!), []);
  t.match(printScenario(ok.scenario!), /fsync f\nfdatasync f\nfadvise f dontneed\n/);
  t.same(compileSource(H + 'fsync g\n', 't.mls').messages.map((m) => m.id), ['mls/unknown-file']);
});

t.test('the model drops clean unmapped pages only', async (t) => {
  const src = H + 'm = mmap 4p r shared file f\nfadvise f dontneed\nexpect m resident_map == "####"\nfsync f\nn = mmap 1p r shared file f offset 1p\nread n\nfadvise f dontneed\nexpect m resident_map == ".#.."\n';
  const s = compileSource(src, 't.mls').scenario!;
  const res = evaluate(s, runOnModel(s, { kernel: 'linux-6.18', trace: false, timeoutMs: 10000, settings: { files: 'disk' } } as never), 'linux-6.18', { source: src });
  t.same(res.checks.filter((c) => c.kind === 'expect').map((c) => [c.name, c.status, c.actual]), [
    ['m resident_map == "####"', 'pass', '"####"'],
    ['m resident_map == ".#.."', 'pass', '".#.."'],
  ], 'dirty pages survive; after fsync only the mapped page does');
});
