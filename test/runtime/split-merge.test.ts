// Reference §11 cases 28–29, 61–66: split/merge of locked ranges, the split
// limit max_map_count step by step, mprotect splits, locked stack growth.
// All [C] on 6.18.44.
import t from 'tap';
import { KB, Pn, World } from './harness.js';
import { growStack, sysMlock, sysMlock2, sysMlockall, sysMprotect, sysMunlock, sysMunmap } from '../../runtime/index.js';

t.test('case 28–29: munmap and mprotect inside a locked VMA', async (t) => {
  const w = new World();
  const p = w.map(6);
  w.res(() => sysMlock(w.t, p, 6n * Pn));
  w.res(() => sysMunmap(w.t, p + 2n * Pn, 2n * Pn));
  t.equal(w.vmLck(), 16 * KB); t.equal(w.vmas(p, 6n * Pn).length, 2);
  const q = w.map(6);
  w.res(() => sysMlock(w.t, q, 6n * Pn));
  w.res(() => sysMprotect(w.t, q + 2n * Pn, 2n * Pn, 1n));
  const v = w.vmas(q, 6n * Pn);
  t.equal(v.length, 3); t.ok(v.every((x) => x.flags.includes('lo'))); t.equal(w.vmLck(), 40 * KB);
  w.res(() => sysMprotect(w.t, q + 2n * Pn, 2n * Pn, 3n));
  t.equal(w.vmas(q, 6n * Pn).length, 1, 'back to one VMA');
});

t.test('case 61: locking sub-ranges splits and unlocking merges back', async (t) => {
  const w = new World();
  const p = w.map(5);
  const n = () => w.vmas(p, 5n * Pn).length;
  w.res(() => sysMlock(w.t, p + 2n * Pn, Pn)); t.equal(n(), 3);
  w.res(() => sysMunlock(w.t, p + 2n * Pn, Pn)); t.equal(n(), 1);
  w.res(() => sysMlock(w.t, p, Pn)); t.equal(n(), 2);
  w.res(() => sysMlock(w.t, p + Pn, 4n * Pn)); t.equal(n(), 1);
  w.res(() => sysMlock2(w.t, p + 2n * Pn, Pn, 1n)); t.equal(n(), 3);
  w.res(() => sysMlock(w.t, p, 5n * Pn)); t.equal(n(), 1);
});

t.test('case 62–63: max_map_count limits each split separately', async (t) => {
  const w = new World();
  const p = w.map(5);
  w.sys.maxMapCount = w.t.mm.mapCount;
  t.equal(w.res(() => sysMlock(w.t, p + 2n * Pn, Pn)), 'ENOMEM'); t.equal(w.vmas(p, 5n * Pn).length, 1);
  t.equal(w.res(() => sysMlock(w.t, p, Pn)), 'ENOMEM');
  t.equal(w.res(() => sysMlock(w.t, p, 5n * Pn)), 'ok');
  t.equal(w.res(() => sysMunmap(w.t, p + 2n * Pn, Pn)), 'ENOMEM');
  t.equal(w.res(() => sysMunmap(w.t, p, Pn)), 'ok');
  const w2 = new World();
  const q = w2.map(5);
  w2.sys.maxMapCount = w2.t.mm.mapCount + 1;
  t.equal(w2.res(() => sysMlock(w2.t, q + 2n * Pn, Pn)), 'ENOMEM');
  const v = w2.vmas(q, 5n * Pn);
  t.same(v.map((x) => (x.end - x.start) * 4), [8, 12], 'split into 8 kB + 12 kB');
  t.ok(v.every((x) => !x.flags.includes('lo')));
});

t.test('case 64: lf follows mlock/mlock2 and survives mprotect splits', async (t) => {
  const w = new World();
  const p = w.map(4);
  w.res(() => sysMlock2(w.t, p, 4n * Pn, 1n));
  w.res(() => sysMlock(w.t, p, 4n * Pn));
  t.notOk(w.one(p).flags.includes('lf')); t.equal(w.one(p).rss, 16 * KB); t.equal(w.vmLck(), 16 * KB);
  w.res(() => sysMlock2(w.t, p, 4n * Pn, 1n));
  t.ok(w.one(p).flags.includes('lf')); t.equal(w.one(p).rss, 16 * KB);
  w.res(() => sysMprotect(w.t, p + 2n * Pn, 2n * Pn, 1n));
  t.ok(w.vmas(p, 4n * Pn).every((x) => x.flags.includes('lf')));
  w.res(() => sysMlock(w.t, p + 3n * Pn, Pn));
  t.equal(w.vmas(p, 4n * Pn).length, 3);
  t.notOk(w.one(p + 3n * Pn).flags.includes('lf'));
});

t.test('case 65–66: a locked stack grows with locked_vm, and SIGSEGV past the limit', async (t) => {
  const w = new World('default');
  w.res(() => sysMlockall(w.t, 1n));
  const before = w.vmLck();
  const stack = w.t.mm.vmas.toArray().find((v) => v.start <= w.t.mm.startStack && v.end > w.t.mm.startStack)!;
  const size0 = stack.pages;
  t.equal(growStack(w.t, 1n << 20n), null);
  w.check();
  t.equal(w.vmLck() - before, (stack.pages - size0) * 4096, 'locked_vm grows with the stack');
  const s = w.one(BigInt(stack.start) * Pn);
  t.equal(s.locked, s.rss); t.equal(s.rss, stack.pages * 4096);
  const w2 = new World('default');
  w2.res(() => sysMlockall(w2.t, 1n));
  w2.noCap(BigInt(w2.t.mm.lockedVm + 8) * Pn);
  t.equal(growStack(w2.t, 1n << 20n), 'SIGSEGV');
  w2.check();
});
