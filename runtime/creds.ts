// The credentials the mm code consults: capable(CAP_IPC_LOCK) (mm/mlock.c) and
// CAP_SYS_RESOURCE (kernel/sys.c:do_prlimit raising a hard limit). Linux:
// security/commoncap.c (linux-6.18). The executor runs as root: execve gives it
// permitted = effective = the bounding set (cap_bprm_creds_from_file, root's file
// capabilities are all set, inheritable is empty). A container may run root with a
// smaller bounding set (this test machine lacks CAP_SYS_RESOURCE: CapBnd
// 000001fffeffffff), so the start image carries the bounding set like the layout.
import type { Errno } from './errno.js';
import type { Rlimit, Task } from './mm.js';

export const CAP_IPC_LOCK = 14;
export const CAP_SYS_RESOURCE = 24;
export type CapName = 'ipc_lock' | 'sys_resource';

/** Every capability (CAP_LAST_CAP 40 on 6.18). */
export const ALL_CAPS = (1n << 41n) - 1n;

const bit = (cap: CapName): bigint => 1n << BigInt(cap === 'ipc_lock' ? CAP_IPC_LOCK : CAP_SYS_RESOURCE);

/** The capability sets of a task (only the bits the model consults matter). */
export interface Creds { bounding: bigint; permitted: bigint; effective: bigint }

/** Root's credentials after execve under bounding set `bounding`. */
export function rootCreds(bounding: bigint): Creds {
  return { bounding, permitted: bounding, effective: bounding };
}

/** Parse an image's CapBnd (hex); absent: every capability. */
export function boundingFromImage(capBnd: string | undefined): bigint {
  return capBnd ? BigInt('0x' + capBnd) : ALL_CAPS;
}

export function capable(t: Task, cap: CapName): boolean { return (t.creds.effective & bit(cap)) !== 0n; }

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

/** kernel/sys.c:do_prlimit: soft > hard EINVAL; raising the hard limit needs CAP_SYS_RESOURCE. */
export function doPrlimit(t: Task, cur: Rlimit, soft: bigint, hard: bigint): Errno | 0 {
  if (soft > hard) return 'EINVAL';
  if (hard > cur.max && !capable(t, 'sys_resource')) return 'EPERM';
  return 0;
}
