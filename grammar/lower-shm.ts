// Lowering of the System V shared memory calls (SPEC.md §3.8): shmget, shmat,
// shmdt, shmctl. Segments are named like files: declared once by `shmget`,
// usable from every process (the id is system-wide, ipc/shm.c).
import type { Addr, Loc, ResultExpect, ShmatStep, ShmctlStep, ShmdtStep, ShmgetStep } from '../schema/generated/types.js';
import type { CallAst, Word } from './ast.js';
import { address, length, vocab } from './check.js';
import type { Diagnostics } from './diagnostics.js';
import { lookupWord } from './kernel-names.js';
import * as N from './names.js';
import type { Scope } from './scope.js';

/** What lower-calls.ts passes (its CallCtx). */
interface CallCtx {
  d: Diagnostics;
  scope: Scope;
  proc: string;
  loc: Loc;
  result: ResultExpect;
}

type ShmCall = Extract<CallAst, { op: 'shmget' | 'shmat' | 'shmdt' | 'shmctl' }>;
export type ShmStep = ShmgetStep | ShmatStep | ShmdtStep | ShmctlStep;

const plainAddr = (a: Addr & { bare?: boolean }): Addr => {
  const { bare: _bare, ...rest } = a;
  return rest;
};

function knownSegment(w: Word, c: CallCtx): boolean {
  if (c.scope.segments.has(w.text)) return true;
  const m = c.d.unknown('mls/unknown-segment', 'segment', w.text, w.span, [...c.scope.segments.keys()]);
  m.notes.push({ text: `segments are created by \`shmget ${w.text} <size>\`` });
  return false;
}

function shmat(a: Extract<ShmCall, { op: 'shmat' }>, c: CallCtx): ShmatStep | undefined {
  let ok = knownSegment(a.segment, c);
  const flags = new Set<string>();
  let at: Addr | undefined;
  for (const arg of a.args) {
    if (arg.kind === 'at') {
      if (at) {
        c.d.error('mls/bad-value', 'only one `at <addr>` may give the attach address', arg.span);
        ok = false;
      }
      const addr = address(arg.addr, c.d, c.scope, c.proc);
      if (addr) at = plainAddr(addr);
      else ok = false;
    } else if (lookupWord('shmat', arg.word.text, N.SHMAT_FLAG_ORDER)) flags.add(lookupWord('shmat', arg.word.text, N.SHMAT_FLAG_ORDER)!);
    else if (arg.word.text === 'at') {
      c.d.error('mls/bad-value', '`at` needs an address, e.g. `at buf.end`', arg.word.span);
      ok = false;
    } else {
      c.d.unknown('mls/unknown-flag', 'shmat flag', arg.word.text, arg.word.span, [...N.SHMAT_FLAG_ORDER, 'at']);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const step: ShmatStep = {
    op: 'shmat',
    loc: c.loc,
    proc: c.proc,
    segment: a.segment.text,
    flags: N.SHMAT_FLAG_ORDER.filter((f) => flags.has(f)),
    result: c.result,
  };
  if (a.bind) step.bind = a.bind.text;
  if (at) step.at = at;
  return step;
}

/** Lower one shm call; undefined when it has errors (already reported). */
export function lowerShm(a: ShmCall, c: CallCtx): ShmStep | undefined {
  const base = { loc: c.loc, proc: c.proc, result: c.result };
  switch (a.op) {
    case 'shmget': {
      if (c.scope.segments.has(a.segment.text)) {
        c.d.error('mls/bad-value', `segment ${a.segment.text} is already declared`, a.segment.span);
        return undefined;
      }
      const size = length(a.size, c.d);
      return size === undefined ? undefined : { op: 'shmget', ...base, segment: a.segment.text, size: size.toString() };
    }
    case 'shmat':
      return shmat(a, c);
    case 'shmdt': {
      const addr = address(a.addr, c.d, c.scope, c.proc);
      return addr && { op: 'shmdt', ...base, addr: plainAddr(addr) };
    }
    case 'shmctl': {
      const known = knownSegment(a.segment, c);
      const cmd = vocab(a.cmd, N.SHMCTL_CMDS, c.d, 'mls/bad-value', 'shmctl command', 'shmctl');
      return known && cmd ? { op: 'shmctl', ...base, segment: a.segment.text, cmd } : undefined;
    }
  }
}
