// The common case of snapshot() (snapshot.ts), read straight from the reply's
// bytes with plain numbers: x86_64 user addresses fit in 13 hex digits (< 2^52),
// so no BigInt, no line strings, no per-line closures. It runs for every traced
// step of every fuzzed scenario. Anything it does not expect (raw smaps, an
// address past 13 hex digits, an odd line) gives undefined, and snapshot() takes
// the general path, which yields the same observation or the precise error.
import type { RegionObservation, Snapshot, VmaObservation } from '../../../schema/generated/types.js';
import { parseRollupLocked, parseStatus } from './proc-parse.js';
import type { Block, Reply } from './supervisor.js';

interface Vma {
  start: number;
  end: number;
  prot: string;
  shared: boolean;
  flags: string[];
  /** Rss, Pss, Locked, Anonymous, AnonHugePages in bytes. */
  kb: [number, number, number, number, number];
}

const MAX_HEX_DIGITS = 13; // as proc-parse.ts parseVmaLines: past this it uses BigInt
const MAX_DEC_DIGITS = 15;

/** VmFlags mnemonics (two letters) and prot strings, one string each instead of one per line. */
const flagNames = new Map<number, string>();
const PROTS = new Map<number, string>();
for (const r of 'r-') for (const w of 'w-') for (const x of 'x-') {
  PROTS.set((r.charCodeAt(0) << 16) | (w.charCodeAt(0) << 8) | x.charCodeAt(0), r + w + x);
}

/** The first `c` in b[from, to), or to. A loop here: Buffer#indexOf is a call into C++, dearer than these short scans. */
function find(b: Buffer, c: number, from: number, to: number): number {
  while (from < to && b[from] !== c) from++;
  return from;
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 11 || c === 12;

function joined(blocks: Block[]): Buffer {
  return blocks.length === 1 ? blocks[0]!.data : Buffer.concat(blocks.map((b) => b.data));
}

/** Cursor of the number readers below (module state: no closure per line). */
let at = 0;

/** Hex digits 0-9a-f from `at` up to `to` (at most 13), then a space or `to`; -1 otherwise. Leaves `at` past the space. */
function hexWord(b: Buffer, to: number): number {
  const w0 = at;
  let v = 0;
  for (; at < to; at++) {
    const c = b[at]!;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) break;
    v = v * 16 + d;
  }
  if (at === w0 || at - w0 > MAX_HEX_DIGITS || (at < to && b[at] !== 32)) return -1;
  at++;
  return v;
}

/** Decimal digits from `at` (at most 15); -1 when there are none or too many. Leaves `at` on the first non-digit. */
function decDigits(b: Buffer, to: number): number {
  const d0 = at;
  let v = 0;
  for (; at < to; at++) {
    const c = b[at]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return at === d0 || at - d0 > MAX_DEC_DIGITS ? -1 : v;
}

/** One `vmas` line in b[from, nl) (format: proc-parse.ts parseVmaLines); false: not the common case. */
function vmaLine(b: Buffer, from: number, nl: number, out: Vma[]): boolean {
  const tab = find(b, 9, from, nl);
  if (tab === nl) return false;
  at = from;
  const start = hexWord(b, tab);
  if (start < 0) return false;
  const end = hexWord(b, tab);
  if (end < 0) return false;
  let i = at;
  if (i + 4 >= tab || b[i + 4] !== 32) return false;
  const prot = PROTS.get((b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!);
  if (prot === undefined) return false;
  const shared = b[i + 3] === 115; // 's'
  at = i + 5;
  const kb: Vma['kb'] = [0, 0, 0, 0, 0];
  for (let k = 0; k < 5; k++) {
    if (at >= tab) return false;
    const n = decDigits(b, tab);
    if (n < 0 || (at < tab && b[at] !== 32)) return false;
    at++;
    kb[k] = n * 1024;
  }
  i = at;
  const flags: string[] = [];
  for (let f = i; f < tab;) {
    const e = find(b, 32, f, tab);
    if (e === f + 2) {
      const key = (b[f]! << 8) | b[f + 1]!;
      let s = flagNames.get(key);
      if (s === undefined) flagNames.set(key, (s = b.toString('latin1', f, e)));
      flags.push(s);
    } else if (e > f) flags.push(b.toString('latin1', f, e));
    f = e + 1;
  }
  out.push({ start, end, prot, shared, flags, kb });
  return true;
}

function vmaLines(b: Buffer): Vma[] | undefined {
  const out: Vma[] = [];
  const n = b.length;
  for (let pos = 0; pos < n;) {
    const nl = find(b, 10, pos, n);
    if (nl > pos && !vmaLine(b, pos, nl, out)) return undefined;
    pos = nl + 1;
  }
  return out;
}

/** proc-parse.ts parseIntervals over bytes; undefined where it would throw or fall back to Number(text). */
function intervals(b: Buffer): [number, number][] | undefined {
  const out: [number, number][] = [];
  const n = b.length;
  for (let pos = 0; pos < n;) {
    const nl = find(b, 10, pos, n);
    let i = pos;
    pos = nl + 1;
    while (i < nl && isSpace(b[i]!)) i++;
    if (i === nl) continue;
    at = i;
    const a = decDigits(b, nl);
    const sp = at;
    while (at < nl && isSpace(b[at]!)) at++;
    const e = at > sp ? decDigits(b, nl) : -1;
    while (at < nl && isSpace(b[at]!)) at++;
    if (a < 0 || e < 0 || at !== nl) return undefined;
    const last = out[out.length - 1];
    if (last && last[1] === a) last[1] = e;
    else out.push([a, e]);
  }
  return out;
}

/** A `region` block: `<name> <base hex> <len decimal>`, all ASCII; undefined otherwise. */
function regionHeader(b: Buffer): { name: string; base: number; len: number } | undefined {
  const n = b.length;
  const sp1 = b.indexOf(32);
  if (sp1 <= 0) return undefined;
  for (let i = 0; i < sp1; i++) if (b[i]! >= 128) return undefined;
  let base = 0, i = sp1 + 1;
  for (; i < n; i++) {
    const c = b[i]!;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) break;
    base = base * 16 + d;
  }
  if (i === sp1 + 1 || i - sp1 - 1 > MAX_HEX_DIGITS || i >= n || b[i] !== 32) return undefined;
  const l0 = ++i;
  let len = 0;
  for (; i < n; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) break;
    len = len * 10 + (c - 48);
  }
  if (i === l0 || i - l0 > MAX_DEC_DIGITS || i !== n) return undefined;
  return { name: b.toString('latin1', 0, sp1), base, len };
}

/** Same fields, key order and sharing as proc-parse.ts regionObservation (sums stay below 2^53: exact). */
function region(vmas: readonly Vma[], base: number, len: number, resident: [number, number][]): RegionObservation {
  const end = base + len;
  const out: VmaObservation[] = [];
  for (const v of vmas) {
    if (len === 0 ? v.start <= base && base < v.end : v.start < end && v.end > base) {
      out.push({
        start: v.start - base, end: v.end - base, prot: v.prot, shared: v.shared,
        flags: v.flags, rss: v.kb[0], pss: v.kb[1], locked: v.kb[2], anonymous: v.kb[3], anonHuge: v.kb[4],
      });
    }
  }
  return { len, vmas: out, resident };
}

/**
 * An empty record for region names. Fuzzed scenarios name regions freely, so as
 * a plain literal every set of names is a hidden class of its own and each store
 * misses V8's caches; a dictionary-mode object (what a delete turns it into) is
 * looked up by hash instead. Same keys, order and prototype as `{}`.
 */
function nameRecord<T>(): Record<string, T> {
  const r: Record<string, unknown> = { '\0a': 0, '\0b': 0 };
  delete r['\0a'];
  delete r['\0b'];
  return r as Record<string, T>;
}

/** snapshot() of a `snap` reply, or undefined when the general path must decide. */
export function fastSnapshot(reply: Reply): Snapshot | undefined {
  let status = '', vmcount = '', rollup = '', mcl = '';
  const vmaBlocks: Block[] = [];
  const spans: { name: string; base: number; len: number; resident: Block[] }[] = [];
  let cur: (typeof spans)[number] | undefined;
  for (const b of reply) {
    switch (b.tag) {
      case 'vmas': vmaBlocks.push(b); break;
      case 'resident': if (cur) cur.resident.push(b); break;
      case 'region': {
        const h = regionHeader(b.data);
        if (!h) return undefined;
        cur = { name: h.name, base: h.base, len: h.len, resident: [] };
        spans.push(cur);
        break;
      }
      case 'status': status += b.data.toString('latin1'); break;
      case 'vmcount': vmcount += b.data.toString('latin1'); break;
      case 'rollup': rollup += b.data.toString('latin1'); break;
      case 'mcl': mcl += b.data.toString('latin1'); break;
      case 'smaps': return undefined;
      case 'pageflags': case 'mlocked': case 'unevictable': case 'meminfo': return undefined; // generalSnapshot reads them
    }
  }
  const vmas = vmaBlocks.length === 0 ? [] : vmaLines(joined(vmaBlocks));
  if (!vmas) return undefined;
  const count = vmcount.split(' ');
  const regions = nameRecord<RegionObservation>();
  for (const r of spans) {
    const res = r.resident.length === 0 ? [] : intervals(joined(r.resident));
    if (!res) return undefined;
    regions[r.name] = region(vmas, r.base, r.len, res);
  }
  mcl = mcl.trim();
  return {
    status: parseStatus(status),
    mapCount: count.length === 2 ? Number(count[0]) : vmas.length,
    lockedTotal: rollup !== '' || count.length !== 2 ? parseRollupLocked(rollup) : Number(count[1]) * 1024,
    mclFuture: mcl === 'on' || mcl === 'onfault' ? mcl : 'off',
    regions,
  };
}
