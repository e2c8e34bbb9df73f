// Which differing observations say the most: a witness's `expect` states these,
// and `--all` keys differences by the first of them.
import { BUILTIN_REGIONS } from '../../grammar/names.js';
import type { Divergence } from '../comparison/compare-logs.js';

const userRegion = (d: Divergence): boolean => {
  const m = /^regions\.([A-Za-z_]\w*)/.exec(d.path);
  return m !== null && !BUILTIN_REGIONS.includes(m[1]!);
};
const TOTALS = new Set(['status.VmRSS', 'status.VmSize', 'lockedTotal']);
/** Region sizes that follow from the region's rss (or its residency) when that differs too. */
const FOLLOWS_RSS = /^(regions\.\w+)\.(vmas\[\d+\]\.(pss|anonymous)|resident)$/;

/**
 * The differing paths worth a clause, most telling first: process totals (they include the executor's own
 * image) and built-in regions only when nothing more specific differs; pss, anonymous and residency of a
 * region only when its rss does not differ.
 */
export function telling(divs: Divergence[]): Divergence[] {
  const state = divs.filter((d) => d.path !== 'result' && d.path !== 'outcome');
  const specific = state.filter((d) => !TOTALS.has(d.path) && (!d.path.startsWith('regions.') || userRegion(d)));
  const kept = specific.length ? specific : state;
  const rssDiffers = new Set(kept.filter((d) => /\.rss$/.test(d.path)).map((d) => d.path.split('.').slice(0, 2).join('.')));
  return kept.filter((d) => {
    const m = FOLLOWS_RSS.exec(d.path);
    return !(m && rssDiffers.has(m[1]!));
  });
}

