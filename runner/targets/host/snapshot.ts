// Turn an executor reply (blocks) into a CallResult or a Snapshot.
import type { CallResult, RegionObservation, Snapshot } from '../../../schema/generated/types.js';
import { parseIntervals, parseRollupLocked, parseSmaps, parseStatus, parseVmaLines, regionObservation, type SmapsVma } from './proc-parse.js';
import { fastSnapshot } from './snapshot-fast.js';
import type { Reply } from './supervisor.js';

export class ReplyError extends Error {}

/** `fail` blocks are executor-side errors (unbound region, dead process). */
export function failText(reply: Reply): string | undefined {
  const f = reply.find((b) => b.tag === 'fail');
  return f ? f.data.toString() : undefined;
}

export function callResult(reply: Reply): CallResult {
  const b = reply.find((x) => x.tag === 'result');
  if (!b) throw new ReplyError('executor reply without a result');
  const [kind, arg] = b.data.toString().split(' ');
  if (kind === 'ok') return arg === undefined || arg === '-' ? { outcome: 'ok' } : { outcome: 'ok', value: arg };
  if (kind === 'errno') return { outcome: 'errno', errno: arg ?? 'E?' };
  if (kind === 'signal') return { outcome: 'signal', signal: arg ?? 'SIG?' };
  throw new ReplyError(`executor result ${JSON.stringify(b.data.toString())}`);
}

/** The VMAs of a reply: `vmas` lines (`snap`, `image`) or raw smaps text (`snap full`). */
export function replyVmas(reply: Reply): SmapsVma[] {
  let smaps = '', vmas = '';
  for (const b of reply) {
    if (b.tag === 'vmas') vmas += b.data.toString('latin1');
    else if (b.tag === 'smaps') smaps += b.data.toString('latin1');
  }
  return smaps !== '' ? parseSmaps(smaps) : parseVmaLines(vmas);
}

/**
 * `snap` sends one `vmas` line per VMA its regions overlap, plus a
 * `vmcount <VMAs> <sum of Locked kB>` block; smaps_rollup comes only when a
 * locked VMA has shared pages (otherwise its Locked equals that sum, see
 * native/src/observe.c). `snap full` sends whole smaps and smaps_rollup.
 */
export function snapshot(reply: Reply): Snapshot {
  return fastSnapshot(reply) ?? generalSnapshot(reply);
}

/** Any reply (raw smaps, addresses past 2^52, malformed text: the precise error). Exported for tests. */
export function generalSnapshot(reply: Reply): Snapshot {
  let status = '', vmcount = '', rollup = '', mcl = '', vmaText = '', smaps = '';
  // region blocks are each followed by their resident blocks.
  const spans: { name: string; base: bigint; len: bigint; resident: string; mlocked: string; unevictable: string; pageflags: boolean }[] = [];
  let meminfo = '';
  let cur: (typeof spans)[number] | undefined;
  for (const b of reply) {
    switch (b.tag) {
      case 'vmas': vmaText += b.data.toString('latin1'); break;
      case 'resident': if (cur) cur.resident += b.data.toString('latin1'); break;
      case 'mlocked': if (cur) cur.mlocked += b.data.toString('latin1'); break;
      case 'unevictable': if (cur) cur.unevictable += b.data.toString('latin1'); break;
      case 'pageflags': if (cur) cur.pageflags = true; break;
      case 'meminfo': meminfo += b.data.toString('latin1'); break;
      case 'region': {
        const [name, base, len] = b.data.toString().split(' ');
        cur = { name: name!, base: BigInt('0x' + base), len: BigInt(len!), resident: '', mlocked: '', unevictable: '', pageflags: false };
        spans.push(cur);
        break;
      }
      case 'status': status += b.data.toString('latin1'); break;
      case 'vmcount': vmcount += b.data.toString('latin1'); break;
      case 'rollup': rollup += b.data.toString('latin1'); break;
      case 'mcl': mcl += b.data.toString('latin1'); break;
      case 'smaps': smaps += b.data.toString('latin1'); break;
    }
  }
  const vmas = smaps !== '' ? parseSmaps(smaps) : parseVmaLines(vmaText);
  const count = vmcount.split(' ');
  const regions: Record<string, RegionObservation> = {};
  for (const r of spans) {
    const o = regionObservation(vmas, r.base, r.len, parseIntervals(r.resident));
    if (r.pageflags) {
      o.mlocked = parseIntervals(r.mlocked);
      o.unevictable = parseIntervals(r.unevictable);
    }
    regions[r.name] = o;
  }
  mcl = mcl.trim();
  const mem = meminfo.trim().split(' ').map(Number);
  return {
    ...(meminfo !== '' ? { meminfo: { mlocked: mem[0]! * 1024, unevictable: mem[1]! * 1024 } } : {}),
    status: parseStatus(status),
    mapCount: count.length === 2 ? Number(count[0]) : vmas.length,
    lockedTotal: rollup !== '' || count.length !== 2 ? parseRollupLocked(rollup) : Number(count[1]) * 1024,
    // An inconclusive probe (its mmap failed for another reason) reads as off.
    mclFuture: mcl === 'on' || mcl === 'onfault' ? mcl : 'off',
    regions,
  };
}

/**
 * Snapshots taken one after the other differ where the executor's own memory
 * changed in between (taking a snapshot writes its buffers, which may break
 * copy-on-write sharing after a fork): VmRSS, the stack and heap VMAs' page
 * counts (the brk area merges with .bss), lockedTotal once executor VMAs
 * are locked (VmLck exceeds the locked VMAs of the scenario's regions), and the
 * Pss of vdso/vvar, whose pages every process on the machine maps (it moves as
 * other processes start and end). Those are left out; everything else must be equal.
 */
function withoutExecutorMemory(s: Snapshot): Snapshot {
  // VmLck counts every VM_LOCKED VMA: more than the scenario's own regions hold means executor VMAs are locked.
  let regionLocked = 0;
  for (const [name, r] of Object.entries(s.regions)) {
    if (name === 'heap' || name === 'stack' || name === 'vdso' || name === 'vvar') continue;
    for (const v of r.vmas) if (v.flags.includes('lo')) regionLocked += v.end - v.start;
  }
  const imageLocked = s.status.VmLck > regionLocked;
  const regions: Record<string, RegionObservation> = {};
  for (const [name, r] of Object.entries(s.regions)) {
    const own = name === 'heap' || name === 'stack';
    if (name === 'vdso' || name === 'vvar') { regions[name] = { ...r, vmas: r.vmas.map((v) => ({ ...v, pss: 0 })) }; continue; }
    regions[name] = !own ? r : {
      ...r, vmas: r.vmas.map((v) => ({ ...v, rss: 0, pss: 0, anonymous: 0, anonHuge: 0, locked: 0 })), resident: name === 'stack' ? [] : r.resident,
    };
  }
  return { ...s, status: { ...s.status, VmRSS: 0 }, regions, lockedTotal: imageLocked ? 0 : s.lockedTotal };
}

/**
 * khugepaged (mm/khugepaged.c collapse_huge_page) may collapse a VMA's small pages into a PMD
 * folio between two reads: the same pages, now counted in AnonHugePages. The later snapshot is
 * taken as the earlier one's anonHuge where it grew by whole PMDs and nothing else differs in the VMA.
 */
function withoutCollapses(a: Snapshot, b: Snapshot): Snapshot {
  const PMD = 2 * 1024 * 1024;
  const regions: Record<string, RegionObservation> = {};
  for (const [name, rb] of Object.entries(b.regions)) {
    const ra = a.regions[name];
    regions[name] = !ra || ra.vmas.length !== rb.vmas.length ? rb : {
      ...rb,
      vmas: rb.vmas.map((v, i) => {
        const u = ra.vmas[i]!;
        const grew = v.anonHuge > u.anonHuge && (v.anonHuge - u.anonHuge) % PMD === 0;
        return grew && JSON.stringify({ ...v, anonHuge: u.anonHuge }) === JSON.stringify(u) ? u : v;
      }),
    };
  }
  return { ...b, regions };
}

/** The first field where two snapshots of the same moment differ (executor memory aside), or undefined. */
export function sameSnapshot(x: Snapshot, y: Snapshot): string | undefined {
  const a = withoutExecutorMemory(x), b = withoutCollapses(a, withoutExecutorMemory(y));
  const ja = JSON.stringify(a), jb = JSON.stringify(b);
  if (ja === jb) return undefined;
  for (const k of ['status', 'mapCount', 'lockedTotal', 'mclFuture'] as const) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return `${k}: ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`;
  }
  const names = new Set([...Object.keys(a.regions), ...Object.keys(b.regions)]);
  for (const n of names) {
    const ra = JSON.stringify(a.regions[n]), rb = JSON.stringify(b.regions[n]);
    if (ra !== rb) return `region ${n}: ${ra} vs ${rb}`;
  }
  return `${ja} vs ${jb}`;
}
