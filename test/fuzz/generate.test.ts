// The generator: deterministic by seed, valid IR, and printScenario → compileSource
// gives back the same IR (so every minimal divergence can be written as .mls).
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { printScenario } from '../../grammar/print.js';
import { ChoiceStream } from '../../runner/fuzz/choices.js';
import { ARENA_PAGES, PAGE, materialize } from '../../runner/fuzz/materialize.js';
import { schemaErrors, withoutLocations } from '../grammar/helpers.js';

const N = 300;

t.test('same seed, same scenarios; another seed, other scenarios', async (t) => {
  const a = new ChoiceStream(42), b = new ChoiceStream(42), c = new ChoiceStream(43);
  const idx = [0, 1, 17, 255, 256, 700];
  for (const i of idx) t.same(a.at(i), b.at(i), `scenario ${i}`);
  // Out-of-order access gives the same values (chunks are independent).
  const d = new ChoiceStream(42);
  t.same([...idx].reverse().map((i) => d.at(i)), [...idx].reverse().map((i) => a.at(i)));
  t.notSame(idx.map((i) => a.at(i)), idx.map((i) => c.at(i)));
  t.same(materialize(a.at(3)).scenario, materialize(b.at(3)).scenario, 'materialize is a function of the choices');
});

t.test('generated scenarios are valid IR and round-trip through printScenario', async (t) => {
  const s = new ChoiceStream(1);
  const ops = new Set<string>();
  for (let i = 0; i < N; i++) {
    const { scenario } = materialize(s.at(i), `fuzz ${i}`, 'fuzz.mls', { noSysResource: i % 2 === 0 });
    for (const st of scenario.steps) {
      ops.add(st.op === 'madvise' ? `madvise ${st.adviceName ?? st.advice}` : st.op === 'file' && st.fs ? `file on ${st.fs}` : st.op);
      if (st.op === 'expect' && st.checks.some((c) => c.field === 'mlocked_map')) ops.add('expect mlocked_map');
    }
    const errs = schemaErrors(scenario);
    if (errs.length) { t.fail(`scenario ${i} violates the IR schema: ${errs.join('; ')}`); continue; }
    const text = printScenario(scenario);
    const back = compileSource(text, 'fuzz.mls');
    if (!back.scenario) { t.fail(`scenario ${i} does not compile back:\n${text}\n${back.messages.map((m) => `${m.location?.line}: ${m.text}`).join('\n')}`); continue; }
    t.same(withoutLocations(back.scenario), withoutLocations(scenario), `scenario ${i} round-trips`);
  }
  // The generator reaches every statement kind the brief lists.
  for (const op of ['mmap', 'mlock', 'mlock2', 'munlock', 'mlockall', 'munlockall', 'mremap', 'mprotect', 'munmap', 'msync',
    'brk', 'setrlimit', 'cap', 'fork', 'exec', 'exit', 'read', 'write', 'file', 'madvise dontneed', 'madvise dontneed_locked',
    'madvise willneed', 'madvise populate_read', 'madvise populate_write', 'madvise dontfork', 'madvise wipeonfork',
    'shmget', 'shmat', 'shmdt', 'shmctl', 'file on shm', 'expect mlocked_map']) {
    t.ok(ops.has(op), `generates ${op}`);
  }
});

t.test('arena placements and stray ranges stay inside the arena', async (t) => {
  const s = new ChoiceStream(9);
  for (let i = 0; i < N; i++) {
    const { scenario } = materialize(s.at(i));
    t.equal(scenario.steps[0]!.op, 'mmap', 'the arena comes first');
    for (const st of scenario.steps) {
      if (st.op === 'shmat') {
        // Segments are at most 16 pages; SHM_REMAP replaces arena pages only.
        const off = Number(st.at?.offset ?? -1);
        if (st.at?.region?.startsWith('arena') !== true || off < 0 || off + 16 * PAGE > ARENA_PAGES * PAGE) t.fail(`scenario ${i}: shmat outside the arena`);
        continue;
      }
      if (!('addr' in st) || st.addr.region?.startsWith('arena') !== true) continue;
      const off = Number(st.addr.offset);
      const l = st.op === 'mremap' ? st.oldLen : 'len' in st ? st.len : undefined;
      const len = l?.bytes !== undefined ? Number(l.bytes) : 0;
      const wild = len > 2 ** 40 && (st.op === 'mlock' || st.op === 'munlock' || st.op === 'mlock2');
      if (off < 0 || off > ARENA_PAGES * PAGE || (!wild && off + len > ARENA_PAGES * PAGE)) {
        t.fail(`scenario ${i}: ${st.op} at arena + ${off} len ${len} leaves the arena`);
      }
    }
  }
  t.pass('checked');
});
