// Turn an executor reply (blocks) into a CallResult or a Snapshot.
import type { CallResult, RegionObservation, Snapshot } from '../../../schema/generated/types.js';
import { parseIntervals, parseRollupLocked, parseSmaps, parseStatus, regionObservation } from './proc-parse.js';
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

/**
 * `snap` sends the smaps lines of the VMAs its regions overlap, plus a
 * `vmcount <VMAs> <sum of Locked kB>` block; smaps_rollup comes only when a
 * locked VMA has shared pages (otherwise its Locked equals that sum, see
 * native/src/observe.c). `snap full` sends whole smaps and smaps_rollup.
 */
export function snapshot(reply: Reply): Snapshot {
  const text = (tag: string): string => {
    let out = '';
    for (const b of reply) if (b.tag === tag) out += b.data.toString('latin1');
    return out;
  };
  const vmas = parseSmaps(text('smaps'));
  const count = text('vmcount').split(' ');
  const rollup = text('rollup');
  const regions: Record<string, RegionObservation> = {};
  // region blocks are each followed by their resident blocks.
  let cur: { name: string; base: bigint; len: bigint; resident: string } | undefined;
  const flush = (): void => {
    if (cur) regions[cur.name] = regionObservation(vmas, cur.base, cur.len, parseIntervals(cur.resident));
  };
  for (const b of reply) {
    if (b.tag === 'region') {
      flush();
      const [name, base, len] = b.data.toString().split(' ');
      cur = { name: name!, base: BigInt('0x' + base), len: BigInt(len!), resident: '' };
    } else if (b.tag === 'resident' && cur) cur.resident += b.data.toString();
  }
  flush();
  const mcl = text('mcl').trim();
  return {
    status: parseStatus(text('status')),
    mapCount: count.length === 2 ? Number(count[0]) : vmas.length,
    lockedTotal: rollup !== '' || count.length !== 2 ? parseRollupLocked(rollup) : Number(count[1]) * 1024,
    // An inconclusive probe (its mmap failed for another reason) reads as off.
    mclFuture: mcl === 'on' || mcl === 'onfault' ? mcl : 'off',
    regions,
  };
}

/** The first field where two snapshots of the same moment differ, or undefined. */
export function sameSnapshot(a: Snapshot, b: Snapshot): string | undefined {
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
