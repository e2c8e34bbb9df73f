// IR → canonical .mls text. Compiling the output gives the same IR apart from
// locations, hash and file (used by `mls record` and the fuzzer).
import type { Addr, Check, CheckValue, Len, ProfileSelector, ResultExpect, ResultValue, Scenario } from '../schema/generated/types.js';
import * as N from './names.js';
import { formatLength, formatOffsetTail, formatRawAddr, formatSigned, formatSize } from './numbers.js';

type Step = Scenario['steps'][number];

const str = (s: string): string => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

function addr(a: Addr): string {
  if (a.region === undefined) return formatRawAddr(BigInt(a.offset));
  return (a.end ? `${a.region}.end` : a.region) + formatOffsetTail(BigInt(a.offset));
}
const isBare = (a: Addr): boolean => a.region !== undefined && !a.end && BigInt(a.offset) === 0n;

/** `addr [len]`; a `{regionLen}` length is written by omitting it (only meaningful on a bare region). */
function range(a: Addr, l: Len): string {
  return l.bytes === undefined ? addr(a) : `${addr(a)} ${formatLength(BigInt(l.bytes))}`;
}
const size = (l: Len): string => (l.bytes === undefined ? '0' : formatLength(BigInt(l.bytes)));

function selector(s: ProfileSelector): string {
  const terms = [
    ...(s.profile !== undefined ? [s.profile] : []),
    ...(s.version ? [`${s.version.op} ${s.version.version}`] : []),
    ...(s.settings ?? []).map((x) => `${x.name}=${x.value}`),
  ];
  return terms.join(' and ');
}

function resultValue(v: ResultValue): string {
  switch (v.kind) {
    case 'ok':
    case 'any':
      return v.kind;
    case 'errno':
      return v.errno ?? 'EINVAL';
    case 'signal':
      return v.signal ?? 'SIGSEGV';
    case 'value':
      return formatSigned(BigInt(v.value ?? '0'));
    case 'oneOf':
      return (v.oneOf ?? []).map(resultValue).join(' or ');
  }
}
function result(r: ResultExpect): string {
  if (r.default.kind === 'ok' && r.cases.length === 0) return '';
  const parts = [resultValue(r.default), ...r.cases.map((c) => `${resultValue(c.value)} on ${selector(c.when)}`)];
  return ' => ' + parts.join(', ');
}

/** Bits to words when every bit has a name, else `flags <raw>`. */
function flagWords(v: bigint, table: Readonly<Record<string, bigint>>, rawKw = 'flags'): string {
  const words: string[] = [];
  let rest = v;
  for (const [w, bit] of Object.entries(table)) {
    if (v & bit) {
      words.push(w);
      rest &= ~bit;
    }
  }
  return rest === 0n ? words.join(' ') : `${rawKw} ${v}`;
}

function checkValue(field: Check['field'], v: CheckValue): string {
  if (v.captured !== undefined) return v.captured.name + formatOffsetTail(BigInt(v.captured.offset));
  if (v.bytes !== undefined) return formatLength(BigInt(v.bytes));
  if (v.count !== undefined) return String(v.count);
  if (v.flags !== undefined) return v.flags.join(' ');
  if (v.map !== undefined) return str(v.map);
  if (v.state !== undefined) return v.state;
  if (v.layout !== undefined) {
    return v.layout
      .map((m) => {
        const prot = m.prot + (m.shared === undefined ? '' : m.shared ? 's' : 'p');
        return [`[${formatSigned(BigInt(m.start))}, ${formatSigned(BigInt(m.end))})`, prot, ...m.flags].join(' ');
      })
      .join(' | ');
  }
  return field === 'flags' ? '' : '0';
}

function clause(c: Check, withRegion: boolean): string {
  const head = (withRegion && c.region !== undefined ? `${c.region} ` : '') + c.field;
  if (!c.value) return head;
  const vals = [checkValue(c.field, c.value.default), ...c.value.cases.map((k) => `${k.op ? `${k.op} ` : ''}${checkValue(c.field, k.value)} on ${selector(k.when)}`)];
  return `${head} ${c.op} ${vals.join(', ')}`;
}

/** One expect step; split where SPEC.md's region carry-over would misread a process clause. */
function expect(checks: Check[]): string[] {
  const out: string[][] = [[]];
  let carried: string | undefined;
  for (const c of checks) {
    if (c.region === undefined && carried !== undefined && N.REGION_FIELDS.includes(c.field as N.Field)) {
      out.push([]);
      carried = undefined;
    }
    out[out.length - 1]!.push(clause(c, true));
    if (c.region !== undefined) carried = c.region;
  }
  return out.filter((cs) => cs.length > 0).map((cs) => `expect ${cs.join(', ')}`);
}

function call(s: Exclude<Step, { op: 'expect' }>): string {
  switch (s.op) {
    case 'mmap': {
      const parts = [`mmap ${size(s.len)} ${N.protToWord(s.prot)} ${s.share}`, s.file !== undefined ? `file ${s.file}` : 'anon'];
      if (s.offset !== undefined) parts.push(`offset ${formatSize(BigInt(s.offset))}`);
      const fixed = s.flags.find((f) => f === 'fixed' || f === 'fixed_noreplace');
      parts.push(...s.flags.filter((f) => f !== 'fixed' && f !== 'fixed_noreplace'));
      if (s.at) parts.push(`${fixed ?? 'at'} ${addr(s.at)}`);
      if (s.rawFlags !== undefined) parts.push(`flags ${s.rawFlags}`);
      return (s.bind !== undefined ? `${s.bind} = ` : '') + parts.join(' ');
    }
    case 'mremap': {
      const old = s.oldLen.bytes === undefined ? '' : ` ${formatLength(BigInt(s.oldLen.bytes))}`;
      const parts = [`mremap ${addr(s.addr)}${old} -> ${size(s.newLen)}`];
      for (const f of s.flags) parts.push(f === 'fixed' && s.to ? `fixed ${addr(s.to)}` : f);
      if (s.rawFlags !== undefined) parts.push(`flags ${s.rawFlags}`);
      return (s.bind !== undefined ? `${s.bind} = ` : '') + parts.join(' ');
    }
    case 'memfd_secret':
      return (s.bind !== undefined ? `${s.bind} = ` : '') + `memfd_secret ${size(s.len)} ${N.protToWord(s.prot)}`;
    case 'fork':
      return `${s.child} = fork`;
    case 'fsync':
    case 'fdatasync':
      return `${s.op} ${s.file}`;
    case 'fadvise_dontneed':
      return `fadvise ${s.file} dontneed`;
    case 'file':
      return `file ${s.file} ${formatLength(BigInt(s.size))}` + (s.fs ? ` on ${s.fs}` : '');
    case 'truncate':
      return `${s.op} ${s.file} ${formatLength(BigInt(s.size))}`;
    case 'unlink':
      return `unlink ${s.file}`;
    case 'munmap':
    case 'mlock':
    case 'munlock':
    case 'mpin':
    case 'munpin':
    case 'pin':
    case 'unpin':
      return `${s.op} ${range(s.addr, s.len)}`;
    case 'mprotect':
      return `mprotect ${range(s.addr, s.len)} ` + (s.rawProt !== undefined ? `prot ${s.rawProt}` : N.protToWord(s.prot));
    case 'mlock2': {
      const v = BigInt(s.flags);
      return `mlock2 ${range(s.addr, s.len)}` + (v === 0n ? '' : ' ' + flagWords(v, N.MLOCK2_FLAGS));
    }
    case 'every_mapping': {
      const v = BigInt(s.flags ?? '0');
      return `${s.call} every mapping` + (v === 0n ? '' : ' ' + flagWords(v, N.MLOCK2_FLAGS));
    }
    case 'mlockall':
      return `mlockall ${flagWords(BigInt(s.flags), N.MLOCKALL_FLAGS)}`.trimEnd();
    case 'munlockall':
    case 'exec':
    case 'exit':
      return s.op;
    case 'madvise': {
      const named = s.adviceName !== undefined && N.ADVICE[s.adviceName] === s.advice;
      return `madvise ${range(s.addr, s.len)} ` + (named ? s.adviceName : `advice ${s.advice}`);
    }
    case 'msync':
      return `msync ${range(s.addr, s.len)} ${flagWords(BigInt(s.flags), N.MSYNC_FLAGS)}`.trimEnd();
    case 'brk':
      return `brk ${formatSigned(BigInt(s.delta), true)}`;
    case 'setrlimit': {
      const v = (x: string): string => (x === 'unlimited' || x === 'keep' ? x : formatLength(BigInt(x)));
      return `setrlimit ${s.resource} ${v(s.soft)}` + (s.hard === s.soft ? '' : ` hard ${v(s.hard)}`);
    }
    case 'cap':
      return `cap ${s.action} ${s.cap}`;
    case 'user':
      return `user ${s.uid === 65534 ? 'nobody' : s.uid === 0 ? 'root' : s.uid}` + (s.keep ? ` keep ${s.keep.join(' ')}` : '');
    case 'access':
      return `access ${range(s.addr, s.len)} random ${s.count} seed ${s.seed} ${s.mode}`;
    case 'read':
    case 'write': {
      const one = s.len.bytes === '1';
      const r = one ? addr(s.addr) : range(s.addr, s.len);
      return `${s.op} ${r}` + (s.op === 'write' && s.value !== undefined ? ` value ${s.value}` : '');
    }
    case 'grow_stack':
      return `grow_stack ${size(s.len)}`;
    case 'shmget':
      return `shmget ${s.segment} ${formatLength(BigInt(s.size))}`;
    case 'shmat':
      return (s.bind !== undefined ? `${s.bind} = ` : '') + [`shmat ${s.segment}`, ...(s.at ? [`at ${addr(s.at)}`] : []), ...s.flags].join(' ');
    case 'shmdt':
      return `shmdt ${addr(s.addr)}`;
    case 'shmctl':
      return `shmctl ${s.segment} ${s.cmd}`;
  }
}

function stepLines(s: Step): string[] {
  if (s.op === 'expect' && s.capture) return [`let ${s.capture.name} = ${s.capture.region !== undefined ? `${s.capture.region} ` : ''}${s.capture.field}`];
  if (s.op === 'expect') return expect(s.checks);
  return [call(s) + result(s.result)];
}

export function printScenario(s: Scenario): string {
  const out: string[] = [`scenario ${str(s.name)}`];
  if (s.description !== '') for (const line of s.description.split('\n')) out.push(`about ${str(line)}`);
  if (s.tags.length > 0) out.push(`tags ${s.tags.join(' ')}`);
  if (s.only) out.push('only');
  if (s.skip !== undefined) out.push(s.skip === '' ? 'skip' : `skip ${str(s.skip)}`);
  if (s.todo !== undefined) out.push(s.todo === '' ? 'todo' : `todo ${str(s.todo)}`);
  const kernel = [...s.kernels.profiles, ...s.kernels.constraints.map((c) => `${c.op} ${c.version}`)];
  if (kernel.length > 0) out.push(`kernel ${kernel.join(' ')}`);
  const settings = Object.entries(s.env.settings ?? {}).map(([k, v]) => `${k}=${v}`);
  if (s.requires.length + settings.length > 0) out.push(`requires ${[...s.requires, ...settings].join(' ')}`);
  if (s.env.image !== 'default') out.push(`image ${s.env.image}`);
  if (s.env.maxMapCount !== undefined) out.push(`max_map_count ${s.env.maxMapCount}`);
  out.push('');
  // Runs of two or more steps in one non-main process become a block.
  for (let i = 0; i < s.steps.length; ) {
    const proc = s.steps[i]!.proc;
    let j = i;
    while (j < s.steps.length && s.steps[j]!.proc === proc) j++;
    const run = s.steps.slice(i, j).flatMap(stepLines);
    if (proc === 'main') out.push(...run);
    else if (run.length === 1) out.push(`in ${proc}: ${run[0]}`);
    else out.push(`in ${proc} {`, ...run.map((l) => `  ${l}`), '}');
    i = j;
  }
  return out.join('\n') + '\n';
}
