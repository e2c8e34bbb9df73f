// Compile IR steps into the executor's request lines (protocol: SPEC.md
// "Host target"). Numbers are resolved here; region-relative addresses stay
// symbolic because only the process holding the binding knows its base.
import type { Addr, Len, Scenario } from '../../../schema/generated/types.js';
import { MREMAP_FLAG_BITS } from '../../../grammar/names.js';
import { stepReads } from '../../evaluation/step-reads.js';

export type Step = Scenario['steps'][number];

const U64 = 1n << 64n;
const mod64 = (v: bigint): bigint => ((v % U64) + U64) % U64;

/** include/uapi/asm-generic/mman*.h and arch/x86 values (x86_64). */
export const MAP = {
  shared: 0x01,
  private: 0x02,
  droppable: 0x08,
  fixed: 0x10,
  anonymous: 0x20,
  growsdown: 0x100,
  locked: 0x2000,
  noreserve: 0x4000,
  populate: 0x8000,
  nonblock: 0x10000,
  stack: 0x20000,
  hugetlb: 0x40000,
  fixed_noreplace: 0x100000,
} as const;
export const MREMAP = MREMAP_FLAG_BITS;
export const CAPS = { ipc_lock: 14, sys_resource: 24 } as const;
/** include/uapi/linux/shm.h, include/uapi/linux/ipc.h. */
export const SHMAT = { rdonly: 0o10000, rnd: 0o20000, remap: 0o40000, exec: 0o100000 } as const;
export const SHMCTL = { rmid: 0, lock: 11, unlock: 12 } as const;

/** Steps that need System V IPC (the supervisor gives the scenario a private IPC namespace). */
export const usesShm = (st: Step): boolean => st.op === 'shmget' || st.op === 'shmat' || st.op === 'shmdt' || st.op === 'shmctl';

export class EncodeError extends Error {}

export function protBits(prot: string): number {
  return (prot[0] === 'r' ? 1 : 0) | (prot[1] === 'w' ? 2 : 0) | (prot[2] === 'x' ? 4 : 0);
}

export function addrToken(a: Addr): string {
  if (a.region !== undefined) return `r:${a.region}:${a.end ? 'e' : 's'}:${BigInt(a.offset)}`;
  return `n:${mod64(BigInt(a.offset))}`;
}

export function lenToken(l: Len): string {
  if (l.regionLen !== undefined) return `l:${l.regionLen}`;
  if (l.bytes !== undefined) return `b:${BigInt(l.bytes)}`;
  throw new EncodeError('length without bytes or region');
}

/** The mmap flags word: sharing type, MAP_ANONYMOUS unless file-backed, flags, raw bits. */
export function mmapFlags(step: Extract<Step, { op: 'mmap' }>): bigint {
  let f = BigInt(MAP[step.share]);
  if (step.file === undefined) f |= BigInt(MAP.anonymous);
  for (const flag of step.flags) {
    if (flag === 'norelocate') throw new EncodeError('mmap flag norelocate has no mainline equivalent (model only)');
    f |= BigInt(MAP[flag]);
  }
  if (step.rawFlags !== undefined) f |= BigInt(step.rawFlags);
  return f;
}

/** mremap without `bind`: a region named at its start (old length > 0) follows the move. */
export function mremapRebind(step: Extract<Step, { op: 'mremap' }>): string {
  const a = step.addr;
  const zeroOld = step.oldLen.bytes !== undefined && BigInt(step.oldLen.bytes) === 0n;
  if (a.region !== undefined && !a.end && BigInt(a.offset) === 0n && !zeroOld) return a.region;
  return '-';
}

function rlimit(v: string): string {
  return v === 'unlimited' || v === 'keep' ? v : String(BigInt(v));
}

/** The request line for a call step (expect steps become `snap`). */
export function encodeStep(step: Step): string {
  switch (step.op) {
    case 'mmap': {
      const prot = protBits(step.prot);
      return ['mmap', step.bind ?? '-', lenToken(step.len), prot, mmapFlags(step), step.file ?? '-',
        step.offset !== undefined ? BigInt(step.offset) : 0, step.at ? addrToken(step.at) : '-'].join(' ');
    }
    case 'memfd_secret':
      return ['memfd_secret', step.bind ?? '-', lenToken(step.len), protBits(step.prot)].join(' ');
    case 'file':
      return ['file', step.file, BigInt(step.size), ...(step.fs ? [step.fs] : [])].join(' ');
    case 'truncate':
      return [step.op, step.file, BigInt(step.size)].join(' ');
    case 'unlink':
    case 'fsync':
    case 'fdatasync':
    case 'fadvise_dontneed':
      return [step.op, step.file].join(' ');
    case 'munmap': case 'mlock': case 'munlock': case 'mpin': case 'munpin': case 'pin': case 'unpin':
      return [step.op, addrToken(step.addr), lenToken(step.len)].join(' ');
    case 'mprotect': {
      const prot = step.rawProt !== undefined ? BigInt(step.rawProt) : protBits(step.prot);
      return ['mprotect', addrToken(step.addr), lenToken(step.len), prot].join(' ');
    }
    case 'mremap': {
      let flags = 0n;
      for (const f of step.flags) flags |= BigInt(MREMAP[f]);
      if (step.rawFlags !== undefined) flags |= BigInt(step.rawFlags);
      return ['mremap', step.bind ?? '-', addrToken(step.addr), lenToken(step.oldLen), lenToken(step.newLen), flags,
        step.to ? addrToken(step.to) : '-', step.bind ? '-' : mremapRebind(step)].join(' ');
    }
    case 'mlock2':
      return ['mlock2', addrToken(step.addr), lenToken(step.len), BigInt(step.flags)].join(' ');
    case 'every_mapping':
      return ['every_mapping', step.call, BigInt(step.flags ?? '0')].join(' ');
    case 'mlockall':
      return `mlockall ${BigInt(step.flags)}`;
    case 'munlockall': case 'exec': case 'exit':
      return step.op;
    case 'madvise':
      return ['madvise', addrToken(step.addr), lenToken(step.len), step.advice].join(' ');
    case 'msync':
      return ['msync', addrToken(step.addr), lenToken(step.len), BigInt(step.flags)].join(' ');
    case 'brk':
      return `brk ${BigInt(step.delta)}`;
    case 'setrlimit':
      return ['setrlimit', step.resource, rlimit(step.soft), rlimit(step.hard)].join(' ');
    case 'cap':
      return ['cap', step.action, CAPS[step.cap]].join(' ');
    case 'user': // user <uid> <gid> <keep mask | ->
      return ['user', step.uid, step.gid, step.keep ? step.keep.reduce((m, k) => m | (1n << BigInt(CAPS[k])), 0n) : '-'].join(' ');
    case 'read':
      return ['read', addrToken(step.addr), lenToken(step.len)].join(' ');
    case 'write':
      return ['write', addrToken(step.addr), lenToken(step.len), step.value ?? 0x5a].join(' ');
    case 'access':
      return ['access', addrToken(step.addr), lenToken(step.len), step.count, BigInt(step.seed),
        step.mode === 'write' ? 'w' : 'r'].join(' ');
    case 'grow_stack':
      return `grow_stack ${lenToken(step.len)}`;
    case 'shmget':
      return ['shmget', step.segment, BigInt(step.size)].join(' ');
    case 'shmat':
      return ['shmat', step.bind ?? '-', step.segment, step.at ? addrToken(step.at) : '-',
        step.flags.reduce((f, w) => f | SHMAT[w], 0)].join(' ');
    case 'shmdt':
      return `shmdt ${addrToken(step.addr)}`;
    case 'shmctl':
      return ['shmctl', step.segment, SHMCTL[step.cmd]].join(' ');
    case 'fork':
      throw new EncodeError('fork needs the child index (encodeFork)');
    case 'expect': {
      const r = stepReads(step);
      return ['snap', ...(r.pages ? ['pages'] : []), ...(r.meminfo ? ['meminfo'] : [])].join(' ');
    }
  }
}

export function encodeFork(childIndex: number): string {
  return `fork ${childIndex}`;
}
