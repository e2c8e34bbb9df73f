// Reference §11 cases 1–12: normalisation of (start, len), wrap-around, check
// order and errno of mlock/mlock2/munlock/mlockall. All [C] on 6.18.44.
import t from 'tap';
import { SIZE } from './sizes.js';
import { P, Pn, World } from './harness.js';
import { sysMlock, sysMlock2, sysMlockall, sysMunlock, sysMunlockall, sysMmap } from '../../runtime/index.js';

t.test('case 1–3: partial pages are rounded out; len 0 locks nothing unless start is unaligned', async (t) => {
  const w = new World();
  const p = w.map(4);
  t.equal(w.res(() => sysMlock(w.t, p + 100n, 1n)), 'ok'); t.equal(w.vmLck(), 4 * 1024);
  w.res(() => sysMunlock(w.t, p, 4n * Pn));
  t.equal(w.res(() => sysMlock(w.t, p + 4095n, 2n)), 'ok'); t.equal(w.vmLck(), 8 * 1024);
  w.res(() => sysMunlock(w.t, p, 4n * Pn));
  t.equal(w.res(() => sysMlock(w.t, p, 0n)), 'ok'); t.equal(w.vmLck(), 0);
  t.equal(w.res(() => sysMlock(w.t, p + 1n, 0n)), 'ok'); t.equal(w.vmLck(), 4 * 1024);
});

t.test('case 4: len 0 over a hole', async (t) => {
  const w = new World();
  t.equal(w.res(() => sysMlock(w.t, 0n, 0n)), 'ok');
  t.equal(w.res(() => sysMlock(w.t, 1n, 0n)), 'ENOMEM');
  t.equal(w.res(() => sysMunlock(w.t, 1n, 0n)), 'ENOMEM');
});

t.test('case 5–7: wrapping lengths and ranges', async (t) => {
  const w = new World();
  const p = w.map(4);
  t.equal(w.res(() => sysMlock(w.t, p, SIZE.MAX)), 'ok');
  t.equal(w.res(() => sysMlock(w.t, p + 8n, SIZE.MAX - 8n)), 'ok');
  t.equal(w.vmLck(), 0, 'len wrapped to 0');
  t.equal(w.res(() => sysMlock(w.t, p, SIZE.MAX - 8191n)), 'EINVAL', 'with cap: end wraps');
  t.equal(w.res(() => sysMunlock(w.t, p, SIZE.MAX - 8191n)), 'EINVAL');
  w.noCap(8n << 20n);
  t.equal(w.res(() => sysMlock(w.t, p, SIZE.MAX - 8191n)), 'ENOMEM', 'without cap the limit check comes first');
  t.equal(w.res(() => sysMlock(w.t, SIZE.MAX - 4095n, 4096n)), 'EINVAL');
});

t.test('case 9: mlock2 flags are checked before the permission check', async (t) => {
  const w = new World();
  const p = w.map(1);
  for (const f of [2n, 3n, 0x80000000n]) t.equal(w.res(() => sysMlock2(w.t, p, Pn, f)), 'EINVAL');
  w.noCap(0n);
  t.equal(w.res(() => sysMlock2(w.t, p, Pn, 2n)), 'EINVAL');
  t.equal(w.res(() => sysMlock2(w.t, p, Pn, 1n)), 'EPERM');
});

t.test('case 10: mlockall flag validation', async (t) => {
  const w = new World();
  for (const f of [0n, 4n, 8n, 9n]) t.equal(w.res(() => sysMlockall(w.t, f)), 'EINVAL', `flags ${f}`);
  t.equal(w.res(() => sysMlockall(w.t, 6n)), 'ok');
});

t.test('case 11: no cap and rlimit 0', async (t) => {
  const w = new World();
  const p = w.map(4);
  w.noCap(0n);
  t.equal(w.res(() => sysMlock(w.t, p, 0n)), 'EPERM');
  t.equal(w.res(() => sysMunlock(w.t, p, 4n * Pn)), 'ok');
  t.equal(w.res(() => sysMlockall(w.t, 1n)), 'EPERM');
  t.equal(w.res(() => sysMlockall(w.t, 2n)), 'EPERM');
  t.equal(w.res(() => sysMunlockall(w.t)), 'ok');
  const mm = (flags: number) => w.res(() => sysMmap(w.t, { addr: 0n, len: 4n * Pn, prot: 3, flags, file: null, offset: 0n }));
  t.equal(mm(0x22 | 0x2000), 'EPERM', 'MAP_LOCKED');
  t.equal(mm(0x22 | 0x8000), 'ok', 'MAP_POPULATE');
});

t.test('case 12: CAP_IPC_LOCK ignores a zero rlimit', async (t) => {
  const w = new World();
  const p = w.map(4);
  w.t.rlimits.memlock = { cur: 0n, max: 0n };
  t.equal(w.res(() => sysMlock(w.t, p, 16n * 1024n)), 'ok');
  t.equal(w.vmLck(), 16 * 1024);
  t.equal(w.res(() => sysMlockall(w.t, 3n)), 'ok');
  void P;
});
