// A call's expected result (`=> ENOMEM`, `=> ok`, `=> 0x5a`, `=> SIGSEGV`)
// against what the target saw, rendered with symbolic names.
import type { Addr, CallResult, Len, ResultValue } from '../../schema/generated/types.js';
import type { Step } from '../ir.js';
import { formatBytes, formatOffset } from '../render/values.js';

const U64 = (s: string) => BigInt.asUintN(64, BigInt(s));

export function renderExpectedResult(v: ResultValue): string {
  switch (v.kind) {
    case 'ok': return 'ok';
    case 'any': return 'any';
    case 'errno': return v.errno ?? 'an errno';
    case 'signal': return v.signal ?? 'a signal';
    case 'value': return renderNumber(v.value ?? '0');
    case 'oneOf': return (v.oneOf ?? []).map(renderExpectedResult).join(' or ');
  }
}

function renderNumber(s: string): string {
  const n = BigInt(s);
  return n >= 0n && n < 10n ? s : `${s} (0x${BigInt.asUintN(64, n).toString(16)})`;
}

export function renderActualResult(r: CallResult | undefined): string {
  if (!r) return '(not observed)';
  switch (r.outcome) {
    case 'ok': return r.value !== undefined ? `ok, returned ${renderNumber(r.value)}` : 'ok';
    case 'errno': return r.errno ?? 'an errno';
    case 'signal': return `killed by ${r.signal ?? 'a signal'}`;
  }
}

export function resultHolds(want: ResultValue, got: CallResult): boolean {
  switch (want.kind) {
    case 'any': return true;
    case 'ok': return got.outcome === 'ok';
    case 'errno': return got.outcome === 'errno' && (got.errno ?? '').toUpperCase() === (want.errno ?? '').toUpperCase();
    case 'signal': return got.outcome === 'signal' && (got.signal ?? '').toUpperCase() === (want.signal ?? '').toUpperCase();
    case 'value': return got.outcome === 'ok' && got.value !== undefined && U64(got.value) === U64(want.value ?? '0');
    case 'oneOf': return (want.oneOf ?? []).some((v) => resultHolds(v, got));
  }
}

function addr(a: Addr): string {
  const off = BigInt(a.offset);
  if (a.region === undefined) return off === 0n ? 'NULL' : `0x${BigInt.asUintN(64, off).toString(16)}`;
  const base = a.end ? `${a.region}.end` : a.region;
  if (off === 0n) return base;
  const abs = off < 0n ? -off : off;
  return `${base} ${off < 0n ? '-' : '+'} ${formatOffset(Number(abs))}`;
}

function len(l: Len): string {
  if (l.regionLen !== undefined) return `len(${l.regionLen})`;
  const n = Number(l.bytes ?? '0');
  return n % 4096 === 0 ? formatOffset(n) : String(n);
}

/** A readable statement when the source line is not at hand (the IR only). */
export function describeStep(step: Step): string {
  const s = step as Step & Record<string, unknown>;
  const bind = typeof s['bind'] === 'string' ? `${s['bind']} = ` : '';
  const parts: string[] = [step.op];
  if ('addr' in step && step.addr) parts.push(addr(step.addr));
  if ('len' in step && step.len && step.op !== 'mmap') parts.push(len(step.len));
  if (step.op === 'mmap') parts.push(len(step.len), step.prot, step.share, ...(step.file ? ['file', step.file] : ['anon']), ...step.flags);
  if (step.op === 'mremap') parts.push(len(step.oldLen), '->', len(step.newLen), ...step.flags);
  if (step.op === 'fork') return `${step.child} = fork`;
  if (step.op === 'brk') parts.push(formatBytes(Math.abs(Number(step.delta))));
  if (step.op === 'setrlimit') parts.push(step.resource, String(step.soft));
  if (step.op === 'cap') parts.push(step.action, step.cap);
  if (step.op === 'file' || step.op === 'truncate') parts.push(step.file, formatOffset(Number(step.size)));
  if (step.op === 'file' && step.fs) parts.push('on', step.fs);
  if (step.op === 'unlink') parts.push(step.file);
  return bind + parts.join(' ');
}
