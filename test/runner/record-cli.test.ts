// `mls record` on the command line (issue 16): a concrete expectation that fails
// is kept and named, with exit status 1, unless -u asks to rewrite it; the
// default target is the host, and --help says so.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mls, suite } from './helpers.js';

const SRC = `scenario "r"
p = mmap 4p rw private anon
mlock p
expect locked_vm == 1p, p vmas
`;

t.test('a failing concrete value is kept without -u and rewritten with it (model target)', async (t) => {
  const dir = suite({ 'r.mls': SRC });
  const kept = mls(['record', '--target', 'model', 'r.mls'], { cwd: dir });
  t.equal(kept.status, 1, kept.stderr);
  t.match(kept.stderr, /r\.mls: line 4:8: locked_vm == 4p was observed: the expectation fails and is kept \(-u rewrites it\)/);
  t.equal(readFileSync(join(dir, 'r.mls'), 'utf8'), SRC.replace('p vmas', 'p vmas == 1'), 'the placeholder is filled, the value kept');
  const upd = mls(['record', '--target', 'model', '-u', 'r.mls'], { cwd: dir });
  t.equal(upd.status, 0, upd.stderr);
  t.match(readFileSync(join(dir, 'r.mls'), 'utf8'), /expect locked_vm == 4p, p vmas == 1/);
});

t.test('--help names the host as record\'s default target and -u', async (t) => {
  const h = mls(['record', '--help'], { cwd: suite({}) });
  t.match(h.stdout, /record: host/);
  t.match(h.stdout, /-u, --update/);
});
