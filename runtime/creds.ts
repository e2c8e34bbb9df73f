// The credentials the mm code consults: capable(CAP_IPC_LOCK) (mm/mlock.c),
// CAP_SYS_RESOURCE (kernel/sys.c:do_prlimit raising a hard limit), the euid that
// owns System V segments and is charged for SHM_LOCK (ipc/shm.c, mm/mlock.c
// user_shm_lock), and what setresuid/capset do to them. Linux:
// security/commoncap.c, kernel/sys.c, kernel/groups.c (linux-6.18). The executor
// starts as root: execve gives it permitted = effective = the bounding set
// (cap_bprm_creds_from_file, root's file capabilities are all set, inheritable is
// empty). A container may run root with a smaller bounding set (this test machine
// lacks CAP_SYS_RESOURCE: CapBnd 000001fffeffffff), so the start image carries the
// bounding set like the layout.
import type { Errno } from './errno.js';
import type { Rlimit, Task } from './mm.js';

export const CAP_SETGID = 6;
export const CAP_SETUID = 7;
export const CAP_IPC_LOCK = 14;
export const CAP_IPC_OWNER = 15;
export const CAP_SYS_ADMIN = 21;
export const CAP_SYS_RESOURCE = 24;
/** The capabilities a scenario names (`cap drop`, `user … keep`). */
export type CapName = 'ipc_lock' | 'sys_resource';

/** Every capability (CAP_LAST_CAP 40 on 6.18). */
export const ALL_CAPS = (1n << 41n) - 1n;

const capNumber = (cap: CapName): number => (cap === 'ipc_lock' ? CAP_IPC_LOCK : CAP_SYS_RESOURCE);
const bitOf = (n: number): bigint => 1n << BigInt(n);
const bit = (cap: CapName): bigint => bitOf(capNumber(cap));

/**
 * The capability sets and ids of a task (only the bits the model consults matter).
 * Real, effective and saved ids are set together (`user` is setresuid(u, u, u)),
 * so one uid and one gid stand for the three; `keepcaps` is PR_SET_KEEPCAPS.
 */
export interface Creds { bounding: bigint; permitted: bigint; effective: bigint; uid: number; gid: number; keepcaps: boolean }

/** Root's credentials after execve under bounding set `bounding`. */
export function rootCreds(bounding: bigint): Creds {
  return { bounding, permitted: bounding, effective: bounding, uid: 0, gid: 0, keepcaps: false };
}

/**
 * execve (cap_bprm_creds_from_file, no file capabilities, no ambient set): uid 0
 * gets the bounding set again; any other uid gets no capabilities. execve clears
 * PR_SET_KEEPCAPS (SECURE_KEEP_CAPS is reset by commit_creds of the new image).
 */
export function execCreds(c: Creds): Creds {
  if (c.uid === 0) return { ...rootCreds(c.bounding), gid: c.gid };
  return { ...c, permitted: 0n, effective: 0n, keepcaps: false };
}

/** Parse an image's CapBnd (hex); absent: every capability. */
export function boundingFromImage(capBnd: string | undefined): bigint {
  return capBnd ? BigInt('0x' + capBnd) : ALL_CAPS;
}

const capableN = (t: Task, n: number): boolean => (t.creds.effective & bitOf(n)) !== 0n;
export function capable(t: Task, cap: CapName): boolean { return capableN(t, capNumber(cap)); }
/** ns_capable(CAP_IPC_OWNER): ipcperms lets it bypass a segment's mode. */
export const capIpcOwner = (t: Task): boolean => capableN(t, CAP_IPC_OWNER);
/** ns_capable(CAP_SYS_ADMIN): IPC_RMID of another user's segment. */
export const capSysAdmin = (t: Task): boolean => capableN(t, CAP_SYS_ADMIN);

/**
 * capset(2) on the effective set only (the scenario's `cap drop|raise`):
 * security/commoncap.c:cap_capset refuses an effective set outside the permitted one.
 */
export function capSetEffective(t: Task, cap: CapName, on: boolean): Errno | 0 {
  const b = bit(cap);
  if (on && !(t.creds.permitted & b)) return 'EPERM';
  t.creds = { ...t.creds, effective: on ? t.creds.effective | b : t.creds.effective & ~b };
  return 0;
}

/**
 * The scenario's `user <uid> [keep <cap>…]`, the calls a test makes to become
 * another user, in this order; the first that fails is the result, and what
 * succeeded before it stays done (as on the host):
 * 1. with keep: prctl(PR_SET_KEEPCAPS, 1) (always allowed);
 * 2. setgroups(0, NULL): kernel/groups.c:may_setgroups needs CAP_SETGID (EPERM);
 * 3. setresgid(g, g, g), 4. setresuid(u, u, u): kernel/sys.c, each new id must be
 *    one of the current real/effective/saved ids unless CAP_SETGID / CAP_SETUID (EPERM);
 *    commoncap.c:cap_emulate_setxuid then: leaving uid 0 for all three ids clears
 *    permitted and effective unless keepcaps; an euid leaving 0 clears effective; an
 *    euid becoming 0 gets effective = permitted;
 * 5. with keep: capset(permitted = effective = the kept capabilities): cap_capset
 *    refuses a permitted set that grows (EPERM), so a capability that was not kept
 *    permitted by step 4 cannot come back.
 * (The executor then sets PR_SET_DUMPABLE again so it can read its own /proc files; no
 * mm behaviour depends on it.)
 */
export function setUser(t: Task, uid: number, gid: number, keep: readonly CapName[] | null): Errno | 0 {
  const c = { ...t.creds };
  if (keep) c.keepcaps = true;
  t.creds = c;
  if (!capableN(t, CAP_SETGID)) return 'EPERM'; // setgroups
  if (gid !== c.gid && !capableN(t, CAP_SETGID)) return 'EPERM';
  c.gid = gid;
  if (uid !== c.uid && !capableN(t, CAP_SETUID)) return 'EPERM';
  const wasRoot = c.uid === 0;
  c.uid = uid;
  if (wasRoot && uid !== 0) {
    if (!c.keepcaps) c.permitted = 0n;
    c.effective = 0n;
  } else if (!wasRoot && uid === 0) c.effective = c.permitted;
  if (!keep) return 0;
  const want = keep.reduce((m, k) => m | bit(k), 0n);
  if (want & ~c.permitted) return 'EPERM';
  c.permitted = want;
  c.effective = want;
  return 0;
}

/** kernel/sys.c:do_prlimit: soft > hard EINVAL; raising the hard limit needs CAP_SYS_RESOURCE. */
export function doPrlimit(t: Task, cur: Rlimit, soft: bigint, hard: bigint): Errno | 0 {
  if (soft > hard) return 'EINVAL';
  if (hard > cur.max && !capable(t, 'sys_resource')) return 'EPERM';
  return 0;
}
