// `file <f> <size> on disk|tmpfs|shm|hugetlbfs` and `unlink <f>` (SPEC.md §3.3): compiled, printed,
// and run on the model. The host agrees on scenarios/ltp/{hugetlbfs-mlock,shm-open-mlock-unlink,
// file-per-filesystem}.mls (mls diff, Linux 6.18.44).
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { printScenario } from '../../grammar/print.js';
import { evaluate } from '../../runner/evaluation/evaluate.js';
import { runOnModel } from '../../runner/targets/model.js';
import { schemaErrors } from './helpers.js';

const H = 'scenario "t"\n';

function runModel(src: string, files: 'disk' | 'tmpfs' = 'disk') {
  const s = compileSource(src, 't.mls').scenario!;
  const res = evaluate(s, runOnModel(s, { kernel: 'linux-6.18', trace: false, timeoutMs: 10000, settings: { files } } as never), 'linux-6.18', { source: src });
  return res.checks.map((c) => [c.name, c.status, c.actual]);
}

t.test('IR and printing', async (t) => {
  const r = compileSource(H + 'file a 4p on shm\nfile b 2M on hugetlbfs\nfile c 4p\nunlink a\n', 't.mls');
  const steps = r.scenario!.steps;
  t.same(steps.map((s) => [s.op, 'fs' in s ? s.fs : undefined]), [['file', 'shm'], ['file', 'hugetlbfs'], ['file', undefined], ['unlink', undefined]]);
  t.same(schemaErrors(r.scenario!), []);
  t.match(printScenario(r.scenario!), /file a 4p on shm\nfile b 2M on hugetlbfs\nfile c 4p\nunlink a\n/);
  t.same(r.scenario!.env.settings, undefined, 'no filesystem is assumed without `on disk`');
  t.same(compileSource(H + 'file d 4p on disk\n', 't.mls').scenario!.env.settings, { files: 'disk' }, '`on disk` requires files=disk');
});

t.test('a tmpfs or shm file is a shmem inode on any temp dir; unlink keeps mappings', async (t) => {
  const src = H + 'file s 4p on shm\nm = mmap 4p r shared file s\nread m 4p\nmadvise m 4p pageout\n'
    + 'expect m rss == 0, m resident == 4p\nmlock m\nunlink s\nexpect m locked == 4p\nn = mmap 4p r shared file s => ENOENT\n'
    + 'fsync s => ENOENT\nfile s 1p on tmpfs\nfsync s\n';
  const got = runModel(src);
  t.same(got.filter((c) => c[1] !== 'pass'), [], 'written shmem pages survive pageout (no swap); ENOENT after unlink');
});

t.test('hugetlbfs: sized by ftruncate in whole huge pages, mlock populates without VM_LOCKED', async (t) => {
  const src = H + 'file h 4M on hugetlbfs\nfile x 1p on hugetlbfs => EINVAL\nm = mmap 4M rw shared file h\n'
    + 'expect m resident == 0\nmlock m\nexpect locked_vm == 0, m flags lacks lo, m rss == 0, m resident == 4M\n'
    + 'truncate h 3M => EINVAL\ntruncate h 2M\nexpect m resident == 2M\nread m + 2M => SIGBUS\n'
    + 'fadvise h dontneed\nexpect m resident == 2M\n';
  const got = runModel(src);
  t.same(got.filter((c) => c[1] !== 'pass'), []);
  t.ok(got.length >= 10);
});
