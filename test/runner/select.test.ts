import t from 'tap';
import { isSelected, selectionOf } from '../../runner/select.js';
import { PASSING, mls, suite } from './helpers.js';

const tagged = (name: string, tags: string) => PASSING(name).replace(/\n/, `\ntags ${tags}\n`);

t.test('isSelected: -t is case-insensitive over name and tags; --tag any-of; --exclude-tag none-of', async (t) => {
  const s = { name: 'Lock on fault then fork', tags: ['onfault', 'fork'] };
  t.ok(isSelected({ filter: 'onfault' }, s), '-t matches a tag');
  t.ok(isSelected({ filter: 'LOCK ON' }, s), '-t ignores case');
  t.notOk(isSelected({ filter: 'mremap' }, s));
  t.ok(isSelected({ tags: ['mremap', 'FORK'] }, s), 'one of the tags suffices');
  t.notOk(isSelected({ tags: ['mremap'] }, s));
  t.notOk(isSelected({ excludeTags: ['fork'] }, s));
  t.ok(isSelected({ excludeTags: ['mremap'] }, s));
  t.same(selectionOf({ tag: ['a,b', 'c'], 'exclude-tag': ['d'] }), { tags: ['a', 'b', 'c'], excludeTags: ['d'] });
  t.throws(() => selectionOf({ filter: '(' }), /--filter: invalid regular expression/);
});

t.test('run, list: tags select scenarios and reach the results', async (t) => {
  const cwd = suite({
    'a.mls': tagged('plain lock', 'populate'),
    'b.mls': tagged('lock later', 'onfault fork'),
    'c.mls': tagged('also later', 'OnFault'),
    'd.mls': PASSING('untagged'),
  });
  const names = (args: string[]) => {
    const r = mls(['list', '--json', '--no-cache', ...args], { cwd });
    t.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout).map((s: { name: string }) => s.name);
  };
  t.same(names(['-t', 'onfault']), ['lock later', 'also later'], 'the issue: -t onfault found none of the tagged scenarios');
  t.same(names(['--tag', 'populate,fork']), ['plain lock', 'lock later']);
  t.same(names(['--exclude-tag', 'onfault']), ['plain lock', 'untagged']);
  const run = mls(['run', '--no-cache', '--tag', 'ONFAULT', '-r', 'json'], { cwd });
  t.equal(run.status, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  t.same(doc.files.map((f: { tags?: string[] }) => f.tags), [['onfault', 'fork'], ['OnFault']]);
  const none = mls(['run', '--no-cache', '--tag', 'nothing'], { cwd });
  t.equal(none.status, 1);
  t.match(none.stderr, /no scenario matches --tag nothing; use --pass-with-no-tests/);
});
