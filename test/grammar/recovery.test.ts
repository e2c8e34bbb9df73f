// One bad line does not hide the rest of the file (SPEC.md §1, §4): lines that
// parse are still checked, and names a bad line would have bound are not
// reported again as unknown.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';

const H = 'scenario "t"\n';
const ids = (text: string): [string, number | undefined][] => compileSource(text, 't.mls').messages.map((m) => [m.id, m.location?.line]);

t.test('a parse error and a check error on later lines are both reported, in line order', async (t) => {
  t.same(ids(H + 'buf = mmap 4p rw private anon\nmlok buf\nmlock bfu\nmlock buf => ENOMEME\n'), [
    ['mls/unknown-statement', 3],
    ['mls/unknown-region', 4],
    ['mls/unknown-errno', 5],
  ]);
});

t.test('a name bound by a bad line is not reported again', async (t) => {
  t.same(ids(H + 'x = mmapp 4p rw private anon\nmlock x\nexpect x locked == 4p\n'), [['mls/unknown-statement', 2]]);
  t.same(ids(H + 'kid = fork()\nin kid: exit\n'), [['mls/parse', 2]]);
  t.same(ids(H + 'file f 4p 4p\nfm = mmap 4p r shared file f\n'), [['mls/parse', 2]]);
  t.same(ids(H + 'shmget seg\nshmctl seg lock\n'), [['mls/parse', 2]]);
  t.same(ids(H + 'x = mmapp 4p rw private anon\nmlock y\n'), [['mls/unknown-statement', 2], ['mls/unknown-region', 3]], 'other names still are');
});

t.test('a bad scenario line is not also a missing scenario', async (t) => {
  t.same(ids('scenario t\nmlock heap\n'), [['mls/parse', 1]]);
  t.same(ids('scenario "t\nmlock heap\n'), [['mls/unterminated-string', 1]]);
  t.same(ids('mlock heap\n'), [['mls/missing-scenario', 1]]);
});

t.test('no scenario comes out of a file with a bad line', async (t) => {
  t.equal(compileSource(H + 'mlok heap\nmlock heap\n', 't.mls').scenario, undefined);
});
