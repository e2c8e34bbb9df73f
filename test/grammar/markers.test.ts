import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { formatSource } from '../../grammar/format.js';

const body = 'p = mmap 1p rw private anon\nexpect locked_vm == 0\n';

t.test('only, skip "reason" and todo are header lines carried into the IR', async (t) => {
  const r = compileSource(`scenario "x"\nonly\nskip "needs the fix from #12"\ntodo "flaky on 4.x"\n${body}`, 'x.mls');
  t.same(r.messages, []);
  t.equal(r.scenario?.only, true);
  t.equal(r.scenario?.skip, 'needs the fix from #12');
  t.equal(r.scenario?.todo, 'flaky on 4.x');
  const bare = compileSource(`scenario "x"\nskip\ntodo\n${body}`, 'x.mls').scenario;
  t.equal(bare?.skip, '', 'a reason is optional');
  t.equal(bare?.todo, '');
  t.equal(bare?.only, undefined);
  const none = compileSource(`scenario "x"\n${body}`, 'x.mls').scenario;
  t.same([none?.only, none?.skip, none?.todo], [undefined, undefined, undefined]);
});

t.test('the words still name regions', async (t) => {
  const r = compileSource('scenario "x"\nskip = mmap 1p rw private anon\nonly = mmap 1p rw private anon\ntodo = mmap 1p rw private anon\nexpect skip rss == 0, only rss == 0, todo rss == 0\n', 'x.mls');
  t.same(r.messages.filter((m) => m.severity === 'error'), []);
  t.equal(r.scenario?.skip, undefined);
});

t.test('markers: duplicates are errors with a location; the header order holds; fmt keeps them', async (t) => {
  const dup = compileSource(`scenario "x"\nonly\nonly\n${body}`, 'x.mls');
  t.match(dup.messages, [{ id: 'mls/duplicate-header', location: { line: 3, column: 1 } }]);
  const late = compileSource(`scenario "x"\n${body}skip "late"\n`, 'x.mls');
  t.match(late.messages, [{ id: 'mls/header-order', location: { line: 4 } }]);
  const text = `scenario "x"\ntags a\nonly\nskip "why"\ntodo\n\n${body}`;
  const f = formatSource(text, 'x.mls');
  t.equal(f.text, text, 'formatting keeps the markers');
});
