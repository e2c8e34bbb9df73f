// The enumeration order (statements, then regions, then magnitude, then candidate order) and the
// canonical forms: no program is generated twice up to renaming of regions and children, none has two
// independent neighbours out of order, none has a no-op statement before its end.
import t from 'tap';
import { independent, compareKeys, initialState, type ProgramState } from '../../runner/explore/statements.js';
import { Space } from '../../runner/explore/space.js';
import { PRESETS } from '../../runner/explore/alphabet.js';
import { allPrograms, programText } from './helpers.js';

const { programs, prune } = allPrograms('tiny', 3);

t.test('programs come in order of statements, then regions, then magnitude', async (t) => {
  const key = (i: number) => { const l = programs[i]!.level; return [l.statements, l.regions, l.magnitude]; };
  let bad = 0;
  for (let i = 1; i < programs.length; i++) if (compareKeys(key(i - 1), key(i)) > 0) bad++;
  t.equal(bad, 0, 'levels never go back');
  t.equal(programs.length, 4105, 'the tiny alphabet has 4105 programs of up to 3 statements');
  t.same(programs.slice(0, 12).map((p) => `${p.level.statements}/${p.level.regions}/${p.level.magnitude} ${programText(p).replace(/\n/g, '; ')}`), [
    '1/0/0 mlockall current',
    '1/0/0 munlockall',
    '1/0/0 setrlimit memlock 0',
    '1/0/0 cap drop ipc_lock',
    '1/0/0 kid = fork',
    '1/0/1 mlockall future',
    '1/0/2 mlockall flags 8',
    '1/1/0 a = mmap 1p rw private anon',
    '1/1/1 a = mmap 1p rw private anon locked',
    '1/1/1 a = mmap 2p rw private anon',
    '1/1/2 a = mmap 2p rw private anon locked',
    '2/0/0 mlockall current\nmlockall current'.replace('\n', '; '),
  ]);
  // Index within a level counts from 0 in order.
  for (let i = 1; i < programs.length; i++) {
    const [p, q] = [programs[i - 1]!, programs[i]!];
    if (p.level === q.level && q.index !== p.index + 1) { t.fail(`index gap at ${i}`); break; }
  }
});

t.test('no program twice up to renaming of regions and children', async (t) => {
  // Rename regions and children in order of first appearance: a canonical program is unchanged by it.
  const canon = (text: string): string => {
    const names = new Map<string, string>();
    return text.replace(/\b(kid\d*|[a-c])\b(?= =| |$)/gm, (m) => {
      const kid = m.startsWith('kid');
      if (!names.has(m)) names.set(m, kid ? `K${[...names.keys()].filter((k) => k.startsWith('kid')).length}` : `R${[...names.keys()].filter((k) => !k.startsWith('kid')).length}`);
      return names.get(m)!;
    });
  };
  const seen = new Map<string, number>();
  let dup = 0;
  programs.forEach((p, i) => {
    const c = canon(programText(p));
    if (seen.has(c)) { dup++; if (dup < 3) t.fail(`program ${i} repeats ${seen.get(c)}:\n${programText(p)}`); }
    seen.set(c, i);
  });
  t.equal(dup, 0);
  t.equal(seen.size, programs.length);
});

t.test('independent neighbours only in ascending order; no-ops only last', async (t) => {
  const space = new Space(PRESETS['tiny']!);
  let swapped = 0, noops = 0;
  for (const p of programs) {
    let s: ProgramState = space.initial;
    p.statements.forEach((c, i) => {
      const prev = p.statements[i - 1];
      if (prev && independent(prev, c, s) && compareKeys(c.key, prev.key) < 0) swapped++;
      if (c.noop && i < p.statements.length - 1) noops++;
      s = space.next(s, c);
    });
  }
  t.equal(swapped, 0);
  t.equal(noops, 0);
  t.ok(prune.commuting > 0 && prune.noop > 0, `both rules pruned something (${JSON.stringify(prune)})`);
  t.same(initialState().procs.map((x) => x.name), ['main']);
});
