// Kernel spellings (SPEC.md §1): the uapi and /proc names a kernel developer
// writes first compile to the same IR as the mls words, and near-misses get the
// mls word as a suggestion.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { withoutLocations } from './helpers.js';

const H = 'scenario "t"\n';

function ir(body: string): unknown {
  const r = compileSource(H + body, 't.mls');
  if (!r.scenario) throw new Error(`${body}: ${r.messages.map((m) => `${m.id} ${m.text}`).join('; ')}`);
  return { ...(withoutLocations(r.scenario) as object), hash: '' };
}

const pairs: [string, string][] = [
  ['buf = mmap 16p PROT_READ MAP_PRIVATE MAP_ANONYMOUS MAP_LOCKED MAP_POPULATE\n', 'buf = mmap 16p r private anon locked populate\n'],
  ['buf = mmap 4p rw MAP_SHARED anon\n', 'buf = mmap 4p rw shared anon\n'],
  ['buf = mmap 4p PROT_NONE private anon\n', 'buf = mmap 4p none private anon\n'],
  ['buf = mmap 4p rw private anon\nmlock2 buf MLOCK_ONFAULT\n', 'buf = mmap 4p rw private anon\nmlock2 buf onfault\n'],
  ['mlockall MCL_CURRENT MCL_FUTURE MCL_ONFAULT\n', 'mlockall current future onfault\n'],
  ['buf = mmap 4p rw private anon\nb = mremap buf -> 8p MREMAP_MAYMOVE MREMAP_DONTUNMAP\n', 'buf = mmap 4p rw private anon\nb = mremap buf -> 8p maymove dontunmap\n'],
  ['buf = mmap 4p rw private anon\nmadvise buf MADV_DONTNEED_LOCKED\n', 'buf = mmap 4p rw private anon\nmadvise buf dontneed_locked\n'],
  ['buf = mmap 4p rw shared anon\nmsync buf MS_SYNC MS_INVALIDATE\n', 'buf = mmap 4p rw shared anon\nmsync buf sync invalidate\n'],
  ['setrlimit RLIMIT_MEMLOCK 16kB\n', 'setrlimit memlock 16K\n'],
  ['cap drop CAP_IPC_LOCK\n', 'cap drop ipc_lock\n'],
  ['requires CAP_IPC_LOCK\n', 'requires cap_ipc_lock\n'],
  ['shmget s 4p\nx = shmat s SHM_RDONLY\nshmctl s SHM_LOCK\nshmctl s IPC_RMID\n', 'shmget s 4p\nx = shmat s rdonly\nshmctl s lock\nshmctl s rmid\n'],
  ['expect VmLck == 16 + 0, VmPin == 0, VmSize > 0, VmRSS > 0\n', 'expect locked_vm == 16 + 0, pinned_vm == 0, total_vm > 0, rss > 0\n'],
  ['buf = mmap 4p rw private anon\nexpect buf Rss == 4kB, Locked == 0, AnonHugePages == 0, Size == 4p\n', 'buf = mmap 4p rw private anon\nexpect buf rss == 4K, locked == 0, anon_huge == 0, size == 4p\n'],
  ['buf = mmap 4p rw private anon\nexpect buf flags has VM_LOCKED VM_LOCKONFAULT, flags lacks VM_DONTCOPY\n', 'buf = mmap 4p rw private anon\nexpect buf flags has lo lf, flags lacks dc\n'],
  ['buf = mmap 4p rw private anon\nexpect buf layout == [0, 4p) rw-p VM_LOCKED\n', 'buf = mmap 4p rw private anon\nexpect buf layout == [0, 4p) rw-p lo\n'],
];

t.test('a kernel spelling compiles to the IR of the mls word', async (t) => {
  for (const [kernel, mls] of pairs) t.same(ir(kernel), ir(mls), kernel.trim());
});

t.test('kB is /proc\'s unit: 1024 bytes', async (t) => {
  const r = compileSource(H + 'setrlimit memlock 16kB\n', 't.mls');
  const step = r.scenario?.steps[0];
  t.equal(step?.op === 'setrlimit' ? step.soft : undefined, '16384');
});

t.test('a kernel spelling that names nothing suggests the mls word', async (t) => {
  const cases: [string, string, string][] = [
    ['mmap 4p rw private MAP_LOCKD\n', 'mls/unknown-flag', 'locked'],
    ['cap raise CAP_IPC_LOKC\n', 'mls/bad-value', 'ipc_lock'],
    ['mlockall MCL_CURRNT\n', 'mls/unknown-flag', 'current'],
  ];
  for (const [body, id, suggestion] of cases) {
    const m = compileSource(H + body, 't.mls').messages[0];
    t.equal(m?.id, id, body.trim());
    t.equal(m?.location?.suggestion, suggestion, body.trim());
  }
});

t.test('a prefix of another vocabulary is not an alias', async (t) => {
  // MAP_ONFAULT is no kernel name; MLOCK_LOCKED is not an mlock2 flag.
  t.equal(compileSource(H + 'mmap 4p rw private MAP_ONFAULT\n', 't.mls').messages[0]?.id, 'mls/unknown-flag');
  t.equal(compileSource(H + 'heap2 = mmap 4p rw private anon\nmlock2 heap2 MLOCK_LOCKED\n', 't.mls').messages[0]?.id, 'mls/unknown-flag');
  t.equal(compileSource(H + 'mlockall mcl_current\n', 't.mls').messages[0]?.id, 'mls/unknown-flag', 'the prefix form is upper-case');
});

t.test('"known capabilities", not "capabilitys"', async (t) => {
  const m = compileSource(H + 'cap raise frob\n', 't.mls').messages[0];
  t.ok(m?.notes.some((n) => n.text.startsWith('known capabilities:')));
});
