// What model and host cannot agree on by construction, so neither `mls diff` nor
// the fuzzer compares it (SPEC.md "Fuzzing"). All of it is about the executor's own pages,
// which the model only knows from the start image (sizes and Rss, no Pss):
// - status.VmRSS: the executor faults in text/data/stack pages as it runs new code paths;
// - the built-in `stack` region's rss/pss/anonymous/locked/residency/page flags: the executor's own stack use
//   (and after fork, which of those pages its writes have un-shared);
// - Pss of `vdso`/`vvar`: shared with every process on the machine;
// - rss/pss/anonymous/locked of the VMA holding `heap`: in a static executor the brk area merges
//   with its .bss, whose pages follow the executor's writes (the heap's own pages stay compared
//   through mincore residency, `regions.heap.resident`);
// - lockedTotal (smaps_rollup Locked, a Pss sum) once the image may be locked (mlockall with
//   MCL_CURRENT, or mlock/mlock2 of a built-in region) in the observed process or an ancestor:
//   locked executor text is shared with every other running executor.
// - mclFuture `onfault` (model) against `on` (host): only where the host's probe is refused at the
//   limit and CAP_IPC_LOCK is not permitted to retry it (SPEC.md "mclFuture probe").
// VmLck (a size, not a Pss) stays compared in every case.
import type { Scenario } from '../../schema/generated/types.js';

// Tested only on `regions.` paths (status.VmRSS is compared as a string): the filter runs for every difference.
const REGION_NOISE = [
  /^regions\.stack\.(resident|mlocked|unevictable|vmas\[\d+\]\.(rss|pss|anonymous|locked))$/,
  /^regions\.(vdso|vvar)\.vmas\[\d+\]\.pss$/,
  /^regions\.heap\.vmas\[\d+\]\.(rss|pss|anonymous|locked)$/,
];

/** Step indexes after which the observed process may have executor pages locked. */
function imageLockedSteps(s: Scenario): Set<number> {
  const locked = new Map<string, boolean>([['main', false]]);
  const out = new Set<number>();
  s.steps.forEach((st, i) => {
    const cur = locked.get(st.proc) ?? false;
    let now = cur;
    if (st.op === 'mlockall' && (BigInt(st.flags) & 1n) === 1n) now = true;
    if (st.op === 'every_mapping' && st.call !== 'munlock') now = true; // the executor's own mappings too
    if ((st.op === 'mlock' || st.op === 'mlock2') && ['heap', 'stack', 'vdso', 'vvar'].includes(st.addr.region ?? '')) now = true;
    if (st.op === 'mlock' || st.op === 'mlock2') {
      // A wild length from a region can reach past it into executor memory.
      if (st.len.bytes !== undefined && BigInt(st.len.bytes) > 1n << 32n) now = true;
    }
    if (st.op === 'exec') now = false;
    if (st.op === 'fork') locked.set(st.child, false); // memory locks are not inherited (fork(2))
    locked.set(st.proc, now);
    if (now) out.add(i);
  });
  return out;
}

/** What the filter leaves out, in words (mls diff prints it). */
export const NOISE_DESCRIPTION = [
  'status.VmRSS',
  'stack: rss, pss, anonymous, locked, residency, page flags',
  'vdso/vvar: pss',
  'the VMA holding heap: rss, pss, anonymous, locked (heap residency is compared)',
  'lockedTotal once executor pages may be locked (mlockall current, mlock of a built-in region or of every mapping)',
];

/** The ignore predicate for compareLogs: model log first, host log second. */
export function noiseFilter(s: Scenario): (path: string, step: number, model: unknown, host: unknown) => boolean {
  const imageLocked = imageLockedSteps(s);
  return (path, step, model, host) =>
    path === 'status.VmRSS' || (path.startsWith('regions.') && REGION_NOISE.some((re) => re.test(path))) || (path === 'lockedTotal' && imageLocked.has(step)) ||
    (path === 'mclFuture' && model === 'onfault' && host === 'on');
}
