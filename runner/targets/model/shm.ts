// The System V shm steps on the model: segment names resolve to ids through the
// World (the host executor keeps the same mapping in files of its temp dir).
import type { CallResult } from '../../../schema/generated/types.js';
import type { CallStep } from '../../ir.js';
import { SHM_EXEC, SHM_RDONLY, SHM_REMAP, SHM_RND, sysShmat, sysShmctl, sysShmdt, sysShmget, type SysResult } from '../../../runtime/index.js';
import type { Proc } from './bindings.js';
import type { World } from './execute.js';

type ShmStep = Extract<CallStep, { op: 'shmget' | 'shmat' | 'shmdt' | 'shmctl' }>;
const SHMAT_FLAG: Record<string, number> = { rdonly: SHM_RDONLY, rnd: SHM_RND, remap: SHM_REMAP, exec: SHM_EXEC };

function fromSys(r: SysResult, value: boolean): CallResult {
  if (r.ok) return value ? { outcome: 'ok', value: String(r.value) } : { outcome: 'ok' };
  if ('errno' in r) return { outcome: 'errno', errno: r.errno };
  return { outcome: 'signal', signal: r.signal };
}

export function executeShm(w: World, p: Proc, step: ShmStep): CallResult {
  const t = p.task;
  const id = (name: string): bigint => w.segments.get(name) ?? -1n;
  switch (step.op) {
    case 'shmget': {
      const r = sysShmget(t, BigInt(step.size));
      w.segments.set(step.segment, r.ok ? r.value : -1n);
      return fromSys(r, false); // the id depends on the namespace's history
    }
    case 'shmat': {
      let flags = 0;
      for (const f of step.flags) flags |= SHMAT_FLAG[f]!;
      const r = sysShmat(t, id(step.segment), step.at ? p.addr(step.at) : 0n, flags);
      if (r.ok && step.bind) p.regions.set(step.bind, { base: r.value, len: w.system.shm.segments.get(Number(id(step.segment)))!.segsz });
      return fromSys(r, false);
    }
    case 'shmdt': return fromSys(sysShmdt(t, p.addr(step.addr)), true);
    case 'shmctl': return fromSys(sysShmctl(t, id(step.segment), step.cmd), true);
  }
}
