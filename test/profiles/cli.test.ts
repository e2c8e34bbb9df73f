// --kernel all (the matrix), --kernel validation, list --kernels, and mls compare (text and JSON).
import t from 'tap';
import { mls, suite } from '../runner/helpers.js';

const HOLE = `scenario "mlock over a hole"
r = mmap 5p rw private anon
munmap r + 2p 1p
mlock r 5p => ENOMEM
expect locked_vm == 2p, 0 on posix-mlock
`;
const ONFAULT = `scenario "onfault"
kernel >= 4.4
b = mmap 2p rw private anon
mlock2 b 2p onfault
expect b flags has lo lf, lo on < 6.2
`;

t.test('--kernel all runs every scenario on every profile its header allows', async (t) => {
  const dir = suite({ 'a.mls': HOLE, 'b.mls': ONFAULT });
  const r = mls(['run', '--kernel', 'all', '-r', 'json', '.'], { cwd: dir });
  t.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { files: Array<{ name: string; kernel: string; outcome: string }> };
  const kernels = new Set(doc.files.map((f) => f.kernel));
  t.ok(kernels.has('linux-4.3') && kernels.has('linux-6.18+posix-mlock'));
  t.ok(doc.files.some((f) => f.name === 'onfault [linux-4.3]' && f.outcome === 'SKIP'), 'kernel >= 4.4 skips 4.3');
  t.ok(doc.files.every((f) => f.outcome !== 'FAIL'));
  const one = mls(['run', '--kernel', 'linux-6.1,linux-6.18', '-r', 'json', 'b.mls'], { cwd: dir });
  t.equal(JSON.parse(one.stdout).files.length, 2);
});

t.test('--kernel with an unknown profile is a usage error', async (t) => {
  const dir = suite({ 'a.mls': HOLE });
  const r = mls(['run', '--kernel', 'linux-6.18+nope', 'a.mls'], { cwd: dir });
  t.equal(r.status, 2);
  t.match(r.stderr, /unknown patch 'nope'/);
  const c = mls(['run', '--kernel', 'linux-6.18+posix-mlock+mcl-inherit', 'a.mls'], { cwd: dir });
  t.match(c.stderr, /both replace the entry point mlockall/);
});

t.test('list --kernels prints each profile with its description and source', async (t) => {
  const r = mls(['list', '--kernels'], { cwd: suite({}) });
  t.equal(r.status, 0);
  t.match(r.stdout, /linux-6\.18\+vm-pinned\s+VM_PINNED/);
  t.match(r.stdout, /source: seed 003/);
  const j = JSON.parse(mls(['list', '--kernels', '--json'], { cwd: suite({}) }).stdout) as Array<{ name: string }>;
  t.ok(j.some((p) => p.name === 'linux-4.3+mcl-inherit'));
});

t.test('compare shows the steps whose observations differ, as text and JSON', async (t) => {
  const dir = suite({ 'a.mls': HOLE, 'b.mls': ONFAULT });
  const r = mls(['compare', 'linux-6.18', 'linux-6.18+posix-mlock', '.'], { cwd: dir });
  t.equal(r.status, 1, 'differences found');
  t.match(r.stdout, /differs {2}a\.mls/);
  t.match(r.stdout, /a\.mls:4 {2}mlock r 5p => ENOMEM\n {6}locked_vm: 2p \(8 kB\) → 0/);
  t.notMatch(r.stdout, /differs {2}b\.mls/);
  t.match(r.stdout, /1 differ, 1 same, 0 skipped, 0 errors/);
  const j = JSON.parse(mls(['compare', 'linux-6.18', 'linux-6.18+posix-mlock', '--json', '.'], { cwd: dir }).stdout);
  const a = j.scenarios.find((s: { file: string }) => s.file === 'a.mls');
  t.equal(a.status, 'differs');
  t.ok(a.differences.some((d: { path: string; a: unknown; b: unknown; line: number }) => d.path === 'status.VmLck' && d.a === 8192 && d.b === 0 && d.line === 4));
  t.same(j.summary, { same: 1, differs: 1, skipped: 0, errors: 0 });
  const h = JSON.parse(mls(['compare', 'linux-4.3', 'linux-6.18', '--json', 'b.mls'], { cwd: dir }).stdout);
  t.equal(h.scenarios[0].status, 'skipped', 'the header excludes linux-4.3');
  t.equal(mls(['compare', 'linux-6.18'], { cwd: dir }).status, 2, 'two profiles are required');
});
