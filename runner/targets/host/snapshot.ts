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

export function snapshot(reply: Reply): Snapshot {
  const text = (tag: string): string => reply.filter((b) => b.tag === tag).map((b) => b.data.toString()).join('');
  const vmas = parseSmaps(text('smaps'));
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
    mapCount: vmas.length,
    lockedTotal: parseRollupLocked(text('rollup')),
    // An inconclusive probe (its mmap failed for another reason) reads as off.
    mclFuture: mcl === 'on' || mcl === 'onfault' ? mcl : 'off',
    regions,
  };
}
