// runtime/creds.ts:setUser and the per-user charges it exposes. Expected values are the
// kernel's: a C probe on 6.18.44 (setgroups, setresgid, setresuid to 65534 with and
// without PR_SET_KEEPCAPS, then capset; CapPrm/CapEff read from /proc/self/status:
// without keepcaps 0/0; with it 000001fffeffffff/0 before capset, 4000/4000 after).
import t from 'tap';
import { World, Pn } from './harness.js';
import { capable, exec, fork, setUser, sysMlock, sysShmctl, sysShmget } from '../../runtime/index.js';

const BND = 0x1fffeffffffn; // the test machine's bounding set (no CAP_SYS_RESOURCE)

t.test('setresuid from root clears every capability unless keepcaps; capset keeps what was named', async (t) => {
  const w = new World();
  w.t.creds = { ...w.t.creds, bounding: BND, permitted: BND, effective: BND };
  const kid = fork(w.t, 'kid');
  t.equal(setUser(w.t, 65534, 65534, null), 0);
  t.same([w.t.creds.permitted, w.t.creds.effective, w.t.creds.uid, w.t.creds.gid], [0n, 0n, 65534, 65534]);
  t.equal(setUser(w.t, 0, 0, null), 'EPERM', 'setgroups without CAP_SETGID');
  t.equal(setUser(kid, 1000, 1000, ['ipc_lock']), 0);
  t.same([kid.creds.permitted, kid.creds.effective], [1n << 14n, 1n << 14n]);
  t.ok(capable(kid, 'ipc_lock'));
  const k2 = fork(w.t, 'k2');
  k2.creds = { ...k2.creds, uid: 0, gid: 0, permitted: BND, effective: BND };
  t.equal(setUser(k2, 1000, 1000, ['ipc_lock', 'sys_resource']), 'EPERM', 'sys_resource is not in the bounding set');
  t.equal(k2.creds.uid, 1000, 'the id change before the failing capset stays');
  t.same([k2.creds.permitted, k2.creds.effective], [BND, 0n], 'keepcaps kept permitted, the euid change cleared effective');
});

t.test('exec as another user leaves no capabilities', async (t) => {
  const w = new World();
  t.equal(setUser(w.t, 1000, 1000, ['ipc_lock']), 0);
  exec(w.t, null);
  t.same([w.t.creds.permitted, w.t.creds.effective, w.t.creds.uid], [0n, 0n, 1000]);
  w.t.rlimits.memlock = { cur: 0n, max: 0n };
  t.equal(w.res(() => sysMlock(w.t, w.map(1), Pn)), 'EPERM');
});

t.test('SHM_LOCK charges the caller\'s uid; owners and CAP_IPC_LOCK decide who may lock', async (t) => {
  const w = new World();
  const rootSeg = w.call(() => sysShmget(w.t, 4n * Pn));
  const kid = fork(w.t, 'kid');
  setUser(w.t, 65534, 65534, null);
  w.t.rlimits.memlock = { cur: 16n * Pn, max: 16n * Pn };
  if (!rootSeg.ok) throw new Error('shmget');
  t.equal(w.res(() => sysShmctl(w.t, rootSeg.value, 'lock')), 'EPERM', 'not the owner');
  const a = w.call(() => sysShmget(w.t, 8n * Pn)), b = w.call(() => sysShmget(w.t, 12n * Pn));
  if (!a.ok || !b.ok) throw new Error('shmget');
  t.equal(w.res(() => sysShmctl(w.t, a.value, 'lock')), 'ok');
  t.equal(w.res(() => sysShmctl(w.t, b.value, 'lock')), 'ENOMEM');
  t.same(w.sys.shm.userLockedPages.entries(), [[65534, 8]]);
  setUser(kid, 1000, 1000, ['ipc_lock']);
  kid.rlimits.memlock = { cur: 0n, max: 0n };
  t.equal(w.res(() => sysShmctl(kid, rootSeg.value, 'lock')), 'ok', 'CAP_IPC_LOCK: not the owner, no limit');
  t.same(w.sys.shm.userLockedPages.entries(), [[65534, 8], [1000, 4]]);
  t.equal(w.res(() => sysShmctl(kid, rootSeg.value, 'rmid')), 'EPERM', 'IPC_RMID needs the owner or CAP_SYS_ADMIN');
});
