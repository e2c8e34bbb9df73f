// When one of the two profiles is the host's own kernel, the witness runs on
// the host too (the `--target host` machinery): the real kernel should pass the
// expectations of its side. A disagreement is a bug in the model (or a machine
// setting the model does not follow), not in the search.
import type { Scenario } from '../../schema/generated/types.js';
import { evaluate } from '../evaluation/evaluate.js';
import { hostKernel } from '../profiles/default.js';
import { loadTarget } from '../tools.js';

export interface HostCheck {
  /** The profile the host stands for (`linux-6.18` for 6.18.44). */
  profile: string;
  /** `uname -r`. */
  kernel?: string;
  outcome: 'PASS' | 'FAIL' | 'ERROR' | 'SKIP' | 'unavailable';
  /** What failed, or why it did not run. */
  details: string[];
}

/** undefined: neither profile is the host's kernel. */
export async function hostCheck(s: Scenario, a: string, b: string, timeoutMs: number, host = hostKernel()): Promise<HostCheck | undefined> {
  if (a !== host && b !== host) return undefined;
  const target = await loadTarget('host');
  const avail = await target.available();
  if (!avail.ok) return { profile: host, outcome: 'unavailable', details: [avail.reason] };
  const log = await target.run(s, { kernel: host, trace: false, timeoutMs });
  const r = evaluate(s, log, host);
  const details = [
    ...r.checks.filter((c) => c.status === 'fail').map((c) => `line ${c.location.line}: ${c.name}: expected ${c.expected ?? '?'}, got ${c.actual ?? '?'}`),
    ...r.messages.map((m) => m.text),
    ...(r.skipReason ? [r.skipReason] : []),
  ];
  return { profile: host, kernel: log.kernel, outcome: r.outcome, details };
}
