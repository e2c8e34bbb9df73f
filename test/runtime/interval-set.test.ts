// IntervalSet (runtime/interval-set.ts) against the simplest possible reference:
// a boolean per index. Random add/remove sequences, small and past one chunk of
// the ChunkedList (128 intervals); after each step the set must hold exactly the
// reference's indexes as maximal intervals (never two touching) and answer
// has / count / countIn / forEachIn / nextIn as the reference does.
import t from 'tap';
import fc from 'fast-check';
import { IntervalSet } from '../../runtime/interval-set.js';

const SPAN = 700;
const op = fc.record({ add: fc.boolean(), at: fc.integer({ min: 0, max: SPAN - 1 }), len: fc.integer({ min: 1, max: 40 }) });

function compare(set: IntervalSet, ref: boolean[]): string | null {
  const want: Array<[number, number]> = [];
  for (let i = 0; i < SPAN; i++) {
    if (!ref[i]) continue;
    if (want.length && want[want.length - 1]![1] === i) want[want.length - 1]![1] = i + 1;
    else want.push([i, i + 1]);
  }
  const got = set.toArray();
  if (JSON.stringify(got) !== JSON.stringify(want)) return `intervals ${JSON.stringify(got)} != ${JSON.stringify(want)}`;
  if (set.intervals !== want.length) return `intervals count ${set.intervals} != ${want.length}`;
  const n = ref.filter(Boolean).length;
  if (set.count !== n) return `count ${set.count} != ${n}`;
  for (let i = 0; i < SPAN; i++) {
    if (set.has(i) !== !!ref[i]) return `has(${i})`;
    let next: number | undefined;
    for (let j = i; j < SPAN; j++) if (ref[j]) { next = j; break; }
    if (set.nextIn(i) !== next) return `nextIn(${i}) ${set.nextIn(i)} != ${next}`;
  }
  for (const [a, b] of [[0, SPAN], [13, 77], [250, 251], [400, 650]] as const) {
    const pieces: Array<[number, number]> = [];
    set.forEachIn(a, b, (s, e) => pieces.push([s, e]));
    const exp = want.filter(([s, e]) => e > a && s < b).map(([s, e]) => [Math.max(s, a), Math.min(e, b)]);
    if (JSON.stringify(pieces) !== JSON.stringify(exp)) return `forEachIn(${a}, ${b})`;
    if (set.countIn(a, b) !== ref.slice(a, b).filter(Boolean).length) return `countIn(${a}, ${b})`;
  }
  return null;
}

t.test('add and remove keep exactly the reference indexes as maximal intervals', (t) => {
  fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), (ops) => {
    const set = new IntervalSet();
    const ref: boolean[] = new Array(SPAN).fill(false);
    for (const o of ops) {
      const end = Math.min(SPAN, o.at + o.len);
      if (o.add) set.add(o.at, end); else set.remove(o.at, end);
      for (let i = o.at; i < end; i++) ref[i] = o.add;
      const bad = compare(set, ref);
      if (bad) throw new Error(`after ${o.add ? 'add' : 'remove'} [${o.at}, ${end}): ${bad}`);
    }
    const c = set.clone();
    return compare(c, ref) === null;
  }), { numRuns: 150 });
  t.end();
});

t.test('many scattered intervals (several chunks) merge back into one', (t) => {
  const set = new IntervalSet();
  for (let i = 0; i < 1000; i += 2) set.add(i, i + 1);
  t.equal(set.intervals, 500);
  t.equal(set.count, 500);
  for (let i = 1; i < 1000; i += 2) set.add(i, i + 1);
  t.same(set.toArray(), [[0, 1000]]);
  set.remove(100, 900);
  t.same(set.toArray(), [[0, 100], [900, 1000]]);
  t.equal(set.count, 200);
  t.end();
});
