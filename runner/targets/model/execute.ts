// One IR call step on the model: resolve names to numbers, call the runtime's
// system call, report a CallResult (value only when it does not depend on placement).
import type { CallResult, StartImage } from '../../../schema/generated/types.js';
import type { CallStep } from '../../ir.js';
import {
  capSetEffective, doPrlimit, setUser,
  MAP_ANONYMOUS, MAP_DROPPABLE, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_HUGETLB, MAP_LOCKED, MAP_NONBLOCK,
  MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, MAP_STACK, MemObject, PAGE_SIZE, RLIM_INFINITY, System,
  exec, exitTask, fork, growStack, randomPageNumbers, readByte, sysBrk, sysMadvise, sysMemfdSecretMap, sysMlock, sysMlock2,
  sysMlockall, sysMmap, sysMprotect, sysMremap, sysMsync, sysMunlock, sysMunlockall, sysMunmap, sysPin, sysUnpin, sysMpin, sysMunpin,
  touchPage, writeByte, writeByteAt, type SysResult,
} from '../../../runtime/index.js';
import { executeShm } from './shm.js';
import { everyMapping } from '../../../runtime/every-mapping.js';
import { fadviseDontneed, fileSync } from '../../../runtime/fadvise.js';
import { createFile, lookupFile, truncateFile, unlinkFile } from '../../../runtime/files.js';
import { Proc, ScenarioError } from './bindings.js';
import { MREMAP_FLAG_BITS } from '../../../grammar/names.js';

const P = BigInt(PAGE_SIZE);
const FLAG: Record<string, number> = {
  locked: MAP_LOCKED, populate: MAP_POPULATE, noreserve: MAP_NORESERVE, fixed: MAP_FIXED,
  fixed_noreplace: MAP_FIXED_NOREPLACE, growsdown: MAP_GROWSDOWN, hugetlb: MAP_HUGETLB, nonblock: MAP_NONBLOCK,
  stack: MAP_STACK,
  // norelocate belongs to the VM_PINNED proposal; mainline ignores unknown MAP_PRIVATE bits.
  norelocate: 0,
};
const SHARE: Record<string, number> = { private: MAP_PRIVATE, shared: MAP_SHARED, droppable: MAP_DROPPABLE };

export const protBits = (p: string): number => (p[0] === 'r' ? 1 : 0) | (p[1] === 'w' ? 2 : 0) | (p[2] === 'x' ? 4 : 0);

const okv = (v: bigint | number = 0): CallResult => ({ outcome: 'ok', value: String(v) });
const okAddr: CallResult = { outcome: 'ok' };

function fromSys(r: SysResult, withValue = true): CallResult {
  if (r.ok) return r.address || !withValue ? okAddr : okv(r.value);
  if ('errno' in r) return { outcome: 'errno', errno: r.errno };
  return { outcome: 'signal', signal: r.signal };
}

export interface World {
  system: System;
  procs: Map<string, Proc>;
  image: StartImage | null;
  /** shmget names → segment ids (-1 after a failed shmget: later calls get EINVAL, as on the host). */
  segments: Map<string, bigint>;
}

/** Execute one call step in its process; throws ScenarioError for scenario mistakes. */
/** A file a statement opens by name (ENOENT once unlinked); the compiler checked it is declared. */
function openByName(w: World, name: string): MemObject | 'ENOENT' {
  const f = lookupFile(w.system, name);
  if (f === undefined) throw new ScenarioError(`file ${name} is not declared`);
  return f;
}

export function executeStep(w: World, step: CallStep): CallResult {
  const p = w.procs.get(step.proc);
  if (!p || !p.task.alive) throw new ScenarioError(`process ${step.proc} does not exist or has exited`);
  const t = p.task;
  switch (step.op) {
    case 'mmap': {
      let flags = SHARE[step.share]! | (step.file === undefined ? MAP_ANONYMOUS : 0);
      for (const f of step.flags) flags |= FLAG[f]!;
      if (step.rawFlags !== undefined) flags = Number(BigInt(flags) | BigInt(step.rawFlags));
      let file: MemObject | null = null;
      if (step.file !== undefined) {
        const f = openByName(w, step.file);
        if (f === 'ENOENT') return { outcome: 'errno', errno: f };
        file = f;
      }
      const len = p.len(step.len);
      const r = sysMmap(t, {
        addr: step.at ? p.addr(step.at) : 0n, len, prot: protBits(step.prot), flags, file,
        offset: step.offset !== undefined ? BigInt(step.offset) : 0n,
      });
      if (r.ok && step.bind) p.regions.set(step.bind, { base: r.value, len });
      return fromSys(r);
    }
    case 'memfd_secret': {
      const len = p.len(step.len);
      const r = sysMemfdSecretMap(t, len, protBits(step.prot));
      if (r.ok && step.bind) p.regions.set(step.bind, { base: r.value, len });
      return fromSys(r);
    }
    case 'file': {
      const f = createFile(w.system, step.file, BigInt(step.size), step.fs);
      return typeof f === 'string' ? { outcome: 'errno', errno: f } : okv();
    }
    case 'unlink': {
      const e = unlinkFile(w.system, step.file);
      return e ? { outcome: 'errno', errno: e } : okv();
    }
    case 'truncate': {
      const f = openByName(w, step.file);
      if (f === 'ENOENT') return { outcome: 'errno', errno: f };
      const e = truncateFile(w.system, f, BigInt(step.size));
      return e ? { outcome: 'errno', errno: e } : okv();
    }
    case 'fsync':
    case 'fdatasync':
    case 'fadvise_dontneed': {
      const f = openByName(w, step.file);
      if (f === 'ENOENT') return { outcome: 'errno', errno: f };
      if (step.op === 'fadvise_dontneed') fadviseDontneed(f);
      else fileSync(f);
      return okv();
    }
    case 'munmap': return fromSys(sysMunmap(t, p.addr(step.addr), p.len(step.len)));
    case 'mlock': return fromSys(sysMlock(t, p.addr(step.addr), p.len(step.len)));
    case 'munlock': return fromSys(sysMunlock(t, p.addr(step.addr), p.len(step.len)));
    case 'pin': return fromSys(sysPin(t, p.addr(step.addr), p.len(step.len)));
    case 'unpin': return fromSys(sysUnpin(t, p.addr(step.addr), p.len(step.len)));
    case 'mpin': return fromSys(sysMpin(t, p.addr(step.addr), p.len(step.len)));
    case 'munpin': return fromSys(sysMunpin(t, p.addr(step.addr), p.len(step.len)));
    case 'mlock2': return fromSys(sysMlock2(t, p.addr(step.addr), p.len(step.len), BigInt(step.flags)));
    case 'every_mapping': return fromSys(everyMapping(t, step.call, BigInt(step.flags ?? '0')));
    case 'mlockall': return fromSys(sysMlockall(t, BigInt(step.flags)));
    case 'munlockall': return fromSys(sysMunlockall(t));
    case 'mprotect': {
      const prot = step.rawProt !== undefined ? BigInt(step.rawProt) : BigInt(protBits(step.prot));
      return fromSys(sysMprotect(t, p.addr(step.addr), p.len(step.len), prot));
    }
    case 'mremap': {
      let flags = 0n;
      for (const f of step.flags) flags |= BigInt(MREMAP_FLAG_BITS[f]);
      if (step.rawFlags !== undefined) flags |= BigInt(step.rawFlags);
      const addr = p.addr(step.addr);
      const newLen = p.len(step.newLen);
      const oldLen = p.len(step.oldLen);
      const r = sysMremap(t, addr, oldLen, newLen, flags, step.to ? p.addr(step.to) : 0n);
      if (r.ok) {
        if (step.bind) p.regions.set(step.bind, { base: r.value, len: newLen });
        // Without `bind`, a region named at its start follows the move (as on the host).
        else if (step.addr.region !== undefined && !step.addr.end && BigInt(step.addr.offset) === 0n && oldLen !== 0n) {
          p.regions.set(step.addr.region, { base: r.value, len: newLen });
        }
      }
      return fromSys(r);
    }
    case 'madvise': return fromSys(sysMadvise(t, p.addr(step.addr), p.len(step.len), step.advice));
    case 'msync': return fromSys(sysMsync(t, p.addr(step.addr), p.len(step.len), BigInt(step.flags)));
    case 'brk': {
      // sbrk: the break moves by delta, or the call fails with ENOMEM.
      const delta = Number(BigInt(step.delta));
      const want = t.mm.brk + delta;
      if (delta === 0) return okAddr;
      const got = want < 0 ? t.mm.brk : sysBrk(t, want);
      return got === want ? okAddr : { outcome: 'errno', errno: 'ENOMEM' };
    }
    case 'setrlimit': {
      const cur = t.rlimits[step.resource];
      const val = (v: string, keep: bigint): bigint => (v === 'unlimited' ? RLIM_INFINITY : v === 'keep' ? keep : BigInt(v));
      const soft = val(step.soft, cur.cur), hard = val(step.hard, cur.max);
      const e = doPrlimit(t, cur, soft, hard);
      if (e) return { outcome: 'errno', errno: e };
      t.rlimits[step.resource] = { cur: soft, max: hard };
      return okv();
    }
    case 'cap': {
      const e = capSetEffective(t, step.cap, step.action === 'raise');
      return e ? { outcome: 'errno', errno: e } : okv();
    }
    case 'user': {
      const e = setUser(t, step.uid, step.gid, step.keep ?? null);
      return e ? { outcome: 'errno', errno: e } : okv();
    }
    case 'read': case 'write': {
      const addr = p.addr(step.addr);
      const len = p.len(step.len);
      const write = step.op === 'write';
      const value = step.value ?? 0x5a;
      let last = 0;
      const one = (a: bigint): CallResult | null => {
        if (write) { const s = writeByte(t, a, value); return s ? { outcome: 'signal', signal: s } : null; }
        const r = readByte(t, a);
        if ('signal' in r) return { outcome: 'signal', signal: r.signal };
        last = r.value;
        return null;
      };
      const first = one(addr);
      if (first) return first;
      if (len > 1n) {
        for (let a = (addr / P + 1n) * P; a < addr + len; a += P) { const s = one(a); if (s) return s; }
      }
      return okv(!write && len <= 1n ? last : 0);
    }
    case 'access': {
      const base = p.addr(step.addr);
      let pages = p.len(step.len) / P;
      if (pages === 0n) pages = 1n;
      const write = step.mode === 'write';
      const vbase = Number(base / P);
      const off = Number(base % P);
      for (const pg of randomPageNumbers(pages, step.count, BigInt(step.seed))) {
        const vpn = vbase + pg;
        const s = write ? writeByteAt(t, vpn, off, 0x5a) : touchPage(t, vpn, false);
        if (s) return { outcome: 'signal', signal: s };
      }
      return okv();
    }
    case 'grow_stack': {
      const s = growStack(t, p.len(step.len));
      return s ? { outcome: 'signal', signal: s } : okv();
    }
    case 'fork': {
      if (w.procs.has(step.child) && w.procs.get(step.child)!.task.alive) throw new ScenarioError(`process ${step.child} already exists`);
      const child = new Proc(fork(t, step.child));
      child.regions = new Map(p.regions);
      child.initialBrk = p.initialBrk;
      w.procs.set(step.child, child);
      return okAddr;
    }
    case 'exec': {
      exec(t, w.image);
      p.regions.clear();
      p.initialBrk = t.mm.brk;
      return okv();
    }
    case 'exit': {
      exitTask(t);
      return okAddr;
    }
    case 'shmget': case 'shmat': case 'shmdt': case 'shmctl':
      return executeShm(w, p, step);
  }
}
