// The host safety cap counts every way a scenario can lock memory or make it
// resident (issue 14 findings 1–3): System V shm, THP blocks, files. Each case
// here passed the cap before (SysV lengths were 0, touches one page, files free).
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import type { HostFacts, Scenario } from '../../schema/generated/types.js';
import { checkLockCap, DEFAULT_LOCK_CAP } from '../../runner/targets/host/lock-cap.js';
import { folioSizes, roundOut } from '../../runner/targets/host/thp-folio.js';
import { hostLockCapOption, parseSize } from '../../runner/host-lock-cap.js';
import { createHostTarget } from '../../runner/targets/host.js';
import { evaluate } from '../../runner/evaluation/evaluate.js';
import { renderMessage } from '../../runner/render/message.js';

const MiB = 1024 * 1024;
const stock = (thp: NonNullable<HostFacts['thp']>): HostFacts =>
  ({ zeroPage: true, pkeys: true, anonVmFlags: 'rd wr mr mw me ac', pageSize: 4096, thp });
const madviseHost = stock({ enabled: 'madvise', shmemEnabled: 'never', sizes: { '64kB': 'never', '2048kB': 'inherit' } });
const alwaysHost = stock({ enabled: 'always', shmemEnabled: 'never' });

function scenario(body: string): Scenario {
  const r = compileSource(`scenario "cap"\n${body}\n`, 'cap.mls');
  if (!r.scenario) throw new Error(r.messages.map((m) => m.text).join('\n'));
  return r.scenario;
}
/** The line refused, or undefined when it runs. */
const refused = (body: string, facts: HostFacts | null | undefined = madviseHost, cap = DEFAULT_LOCK_CAP) =>
  checkLockCap(scenario(body), cap, facts)?.line;

t.test('System V shm: segment sizes count (finding 1)', async (t) => {
  t.equal(refused('shmget seg 1G\nbuf = shmat seg\nmlock buf'), 4, 'mlock of a 1 GiB attachment');
  t.equal(refused('shmget seg 1G\nbuf = shmat seg\nmlockall current'), 4, 'mlockall current over it');
  t.equal(refused('shmget seg 1G\nbuf = shmat seg\nshmctl seg lock'), 4, 'SHM_LOCK of it');
  t.equal(refused('shmget seg 1G\nbuf = shmat seg\nwrite buf 1G'), 4, 'writing all of it');
  t.equal(refused('shmget seg 1G\nbuf = shmat seg\nwrite buf 4p\nshmctl seg rmid'), undefined, 'a segment merely created costs nothing');
  t.equal(refused('shmget seg 64p\nbuf = shmat seg\nshmctl seg lock\nmlock buf'), undefined, 'small segments run');
});

t.test('THP: a touch counts as its possible folio (finding 2)', async (t) => {
  const storm = 'big = mmap 1T rw private anon noreserve\nmadvise big 1T hugepage\naccess big 1T random 400 seed 1 write';
  t.equal(refused(storm), 4, '400 random writes under MADV_HUGEPAGE: 400 × 2 MiB');
  t.equal(refused(storm.replace('madvise big 1T hugepage\n', '')), undefined, 'without the madvise (THP madvise): 400 pages');
  t.equal(refused(storm.replace('madvise big 1T hugepage\n', ''), alwaysHost), 3, 'THP always needs no madvise');
  t.equal(refused(storm, stock({ enabled: 'never', shmemEnabled: 'never' })), undefined, 'THP never: pages');
  t.equal(refused(storm, undefined), 4, 'facts unknown: counted as PMD blocks');
  t.equal(refused('p = mmap 200M rw private anon\nmadvise p 200M hugepage\nwrite p 1p\nmlock p 1p\nmlock p + 100M 1p'), undefined,
    'a few huge touches fit');
  t.equal(refused('p = mmap 300M rw private anon\nmadvise p 1p advice 25'), undefined, 'MADV_COLLAPSE counts one PMD block per 2 MiB');
  t.equal(refused('p = mmap 300M rw private anon\nmadvise p 300M advice 25'), 3, 'MADV_COLLAPSE of all of it');
  // Shared anonymous and System V shm follow shmem_enabled, memfd_secret never gets huge folios.
  const shmemAlways = stock({ enabled: 'never', shmemEnabled: 'always' });
  t.equal(refused('s = mmap 1T rw shared anon noreserve\naccess s 1T random 400 seed 1 write', shmemAlways), 3);
  t.equal(refused('s = mmap 1T rw shared anon noreserve\naccess s 1T random 400 seed 1 write', madviseHost), undefined);
  t.equal(refused('a = mmap 1T rw private anon noreserve\naccess a 1T random 400 seed 1 write', shmemAlways), undefined, 'anon is not shmem');
});

t.test('folio sizes from the host facts', async (t) => {
  t.same(folioSizes(madviseHost, false), { page: 4096n, anon: 4096n, shmem: 4096n, any: 4096n });
  t.same(folioSizes(madviseHost, true).anon, 2n * BigInt(MiB));
  t.same(folioSizes(stock({ enabled: 'never', sizes: { '64kB': 'always', '2048kB': 'inherit' } }), false).anon, 65536n, 'mTHP: 64 KiB');
  t.same(folioSizes({ ...madviseHost, thp: undefined } as HostFacts, true).anon, 4096n, 'no THP in the kernel');
  t.equal(roundOut(4096n, 2097152n, 4096n), 4194304n, 'one page may straddle into two blocks');
  t.equal(roundOut(4096n, 4096n, 4096n), 4096n);
});

t.test('files count their size, wherever TMPDIR is (finding 3)', async (t) => {
  t.equal(refused('file f 1G'), 2);
  t.equal(refused('file f 100M\ntruncate f 1G'), 3, 'growing it');
  t.equal(refused('file f 200M\ntruncate f 100M\ntruncate f 200M'), undefined, 'shrinking and regrowing to its size');
  t.equal(refused('file f 64p\nm = mmap 64p rw shared file f\nwrite m 64p'), undefined);
});

t.test('the cap is refused on the host before anything runs, naming how to raise it', async (t) => {
  const log = await createHostTarget().run(scenario('file f 1G'), { kernel: 'host', trace: false, timeoutMs: 5000 });
  t.equal(log.outcome, 'error');
  t.equal(log.steps.length, 0);
  t.match(log.message, /^host safety cap: up to 1\.0 GiB .*cap 256\.0 MiB.*--host-lock-cap <size> or MLS_HOST_LOCK_CAP=<size>/);
  t.equal(log.errorStep, 0, 'the step the error belongs to: the file statement, step 0 (line 2)');
  const s = scenario('file f 1G');
  const res = evaluate(s, log, 'host');
  const m = res.messages.find((x) => x.id === 'run/target-error');
  t.same([m?.location?.line, m?.location?.column], [2, 1], 'the report places it at line 2');
  t.notMatch(renderMessage(m!), /cap\.mls:.*cap\.mls:/, 'the location is printed once (issue 16 finding 6)');
  const raised = await createHostTarget().run(scenario('shmget seg 1G\nbuf = shmat seg\nshmctl seg lock'),
    { kernel: 'host', trace: false, timeoutMs: 5000, hostLockCapBytes: 64 * MiB });
  t.match(raised.message, /cap 64\.0 MiB/, 'the cap given is the one applied');
});

t.test('--host-lock-cap and MLS_HOST_LOCK_CAP', async (t) => {
  t.equal(parseSize('512M'), 512 * MiB);
  t.equal(parseSize('2GiB'), 2048 * MiB);
  t.equal(parseSize('4096'), 4096);
  t.equal(parseSize('0'), undefined);
  t.equal(parseSize('lots'), undefined);
  t.equal(hostLockCapOption({}, {}), undefined);
  t.equal(hostLockCapOption({}, { MLS_HOST_LOCK_CAP: '1G' }), 1024 * MiB);
  t.equal(hostLockCapOption({ 'host-lock-cap': '2G' }, { MLS_HOST_LOCK_CAP: '1G' }), 2048 * MiB, 'the flag wins');
  t.throws(() => hostLockCapOption({}, { MLS_HOST_LOCK_CAP: 'big' }), /MLS_HOST_LOCK_CAP must be a size/);
});
