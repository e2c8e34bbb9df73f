// Delta debugging over choices: cut everything after the choice that produced
// the diverging step, drop chunks of choices (halving chunk sizes), then lower
// each number toward 0 (its simplest reading). A candidate is kept when it still
// diverges with the same signature. Bounded by a number of evaluations, since
// every evaluation is a host run.
import type { Choice } from './choices.js';

export interface ShrinkOutcome<T> {
  choices: Choice[];
  /** What the predicate returned for the final choices (the caller's observations). */
  witness: T;
  evaluations: number;
}

/** `test` returns a witness when the candidate still fails the same way, else undefined. */
export type ShrinkTest<T> = (c: Choice[]) => Promise<{ witness: T; cutAfter?: number } | undefined>;

const FIELDS = ['op', 'p', 'r', 'a', 'b', 'c', 'f', 'g'] as const;

export async function shrinkChoices<T>(start: Choice[], first: { witness: T; cutAfter?: number }, test: ShrinkTest<T>, maxEvaluations = 400, signal?: AbortSignal): Promise<ShrinkOutcome<T>> {
  let best = start.map((c) => ({ ...c }));
  let witness = first.witness;
  let evaluations = 0;
  const budget = (): boolean => evaluations < maxEvaluations && !signal?.aborted;
  const cut = (cutAfter: number | undefined): void => {
    if (cutAfter !== undefined && cutAfter + 1 < best.length) best = best.slice(0, cutAfter + 1);
  };
  const attempt = async (cand: Choice[]): Promise<boolean> => {
    if (!budget() || cand.length === 0) return false;
    evaluations++;
    const r = await test(cand);
    if (!r) return false;
    best = cand;
    witness = r.witness;
    cut(r.cutAfter);
    return true;
  };
  cut(first.cutAfter);

  let changed = true;
  while (changed && budget()) {
    changed = false;
    // Chunks, largest first; after a success retry the same size at the same place.
    for (let size = Math.max(1, Math.floor(best.length / 2)); size >= 1 && budget(); size = Math.floor(size / 2)) {
      for (let i = 0; i + size <= best.length && budget(); ) {
        if (await attempt([...best.slice(0, i), ...best.slice(i + size)])) changed = true;
        else i += size;
      }
    }
    // Numbers: 0, then halves, then minus one.
    for (let i = 0; i < best.length && budget(); i++) {
      for (const k of FIELDS) {
        for (;;) {
          const v = best[i]?.[k];
          if (v === undefined || v === 0 || !budget()) break;
          let ok = false;
          for (const w of [...new Set([0, Math.floor(v / 2), v - 1])]) {
            const cand = best.map((c, j) => (j === i ? { ...c, [k]: w } : c));
            if (await attempt(cand)) { ok = true; changed = true; break; }
          }
          if (!ok) break;
        }
      }
    }
  }
  return { choices: best, witness, evaluations };
}
