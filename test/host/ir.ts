// Hand-written IR for host tests (the tests exercise the executor, not the
// compiler): small builders that produce schema-valid Scenario steps.
import type { Addr, Len, ResultExpect, Scenario } from '../../schema/generated/types.js';

type Step = Scenario['steps'][number];
let line = 0;
const loc = () => ({ file: 'test.mls', line: ++line, column: 1 });
const ok = (): ResultExpect => ({ default: { kind: 'ok' }, cases: [] });
export const P = 4096;
export const b = (n: number | bigint): Len => ({ bytes: String(n) });
export const whole = (r: string): Len => ({ regionLen: r });
export const at = (region: string, offset = 0): Addr => ({ region, offset: String(offset) });
export const raw = (v: bigint | number): Addr => ({ offset: String(v) });

export function scenario(steps: Step[], extra: Partial<Scenario> = {}): Scenario {
  const procs = ['main'];
  for (const s of steps) if (s.op === 'fork' && !procs.includes(s.child)) procs.push(s.child);
  return {
    schemaVersion: 1, file: 'test.mls', name: 'test', description: '', tags: [],
    kernels: { profiles: [], constraints: [] }, requires: [], env: { image: 'default' },
    processes: procs, steps, hash: '0', ...extra,
  };
}

export const mmap = (bind: string, len: number, extra: Partial<Extract<Step, { op: 'mmap' }>> = {}, proc = 'main'): Step => ({
  op: 'mmap', loc: loc(), proc, bind, len: b(len), prot: 'rw-', share: 'private', flags: [], result: ok(), ...extra,
});
export const range = (op: 'munmap' | 'mlock' | 'munlock' | 'pin' | 'unpin' | 'mpin' | 'munpin', addr: Addr, len: Len, proc = 'main'): Step =>
  ({ op, loc: loc(), proc, addr, len, result: ok() });
export const mlock2 = (addr: Addr, len: Len, flags: number, proc = 'main'): Step =>
  ({ op: 'mlock2', loc: loc(), proc, addr, len, flags: String(flags), result: ok() });
export const mlockall = (flags: number, proc = 'main'): Step => ({ op: 'mlockall', loc: loc(), proc, flags: String(flags), result: ok() });
export const noarg = (op: 'munlockall' | 'exec' | 'exit', proc = 'main'): Step => ({ op, loc: loc(), proc, result: ok() });
export const access = (op: 'read' | 'write', addr: Addr, len: Len, proc = 'main'): Step => ({ op, loc: loc(), proc, addr, len, result: ok() });
export const random = (addr: Addr, len: Len, count: number, proc = 'main'): Step =>
  ({ op: 'access', loc: loc(), proc, addr, len, count, seed: '42', mode: 'write', result: ok() });
export const fork = (child: string, proc = 'main'): Step => ({ op: 'fork', loc: loc(), proc, child, result: ok() });
export const expectSnap = (proc = 'main'): Step => ({ op: 'expect', loc: loc(), proc, checks: [] });
export const setrlimit = (soft: string, hard = soft, proc = 'main'): Step =>
  ({ op: 'setrlimit', loc: loc(), proc, resource: 'memlock', soft, hard, result: ok() });
export const cap = (action: 'drop' | 'raise', proc = 'main'): Step => ({ op: 'cap', loc: loc(), proc, action, cap: 'ipc_lock', result: ok() });
export const brk = (delta: number, proc = 'main'): Step => ({ op: 'brk', loc: loc(), proc, delta: String(delta), result: ok() });
export const growStack = (len: number, proc = 'main'): Step => ({ op: 'grow_stack', loc: loc(), proc, len: b(len), result: ok() });
export const file = (name: string, size: number): Step => ({ op: 'file', loc: loc(), proc: 'main', file: name, size: String(size), result: ok() });
export const mremap = (bind: string | undefined, addr: Addr, oldLen: Len, newLen: Len, flags: ('maymove' | 'fixed' | 'dontunmap')[]): Step =>
  ({ op: 'mremap', loc: loc(), proc: 'main', ...(bind ? { bind } : {}), addr, oldLen, newLen, flags, result: ok() });
