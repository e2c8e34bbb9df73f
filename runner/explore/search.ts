// The search: levels in order, every program of a level run on both profiles,
// stopping at the first program that differs (the smallest: every smaller level
// was exhausted), or with `all` collecting one witness per difference key until
// the depth is done. Bounded by depth, time and an abort signal.
import { signature, type Divergence } from '../comparison/compare-logs.js';
import type { Alphabet } from './alphabet.js';
import { levels, walkLevel, type Level, type Program, type PruneCounts } from './enumerate.js';
import { Space } from './space.js';
import { compareProgram, type Compared } from './run.js';
import { telling } from './telling.js';

export interface SearchConfig {
  a: string;
  b: string;
  alphabet: Alphabet;
  depth: number;
  all: boolean;
  timeSec?: number;
  signal?: AbortSignal;
  onLevel?: (l: Level, stats: SearchStats) => void;
  onWitness?: (w: Witness) => void;
}

export interface Witness {
  /** What differs first: the statement's operation and the observation (runner/comparison/compare-logs.ts signature). */
  key: string;
  program: Program;
  compared: Compared;
  first: Divergence;
  /** Programs run when it was found, itself included. */
  runBefore: number;
}

export interface SearchStats {
  /** Programs generated: run + pruned. */
  enumerated: number;
  run: number;
  pruned: PruneCounts;
  elapsedMs: number;
  /** Statements of the deepest level walked completely (every program of that size was tried). */
  depthCompleted: number;
  /** Why it ended: found (first witness), depth (exhausted), time, aborted. */
  stop: 'found' | 'depth' | 'time' | 'aborted';
}

export interface SearchResult extends SearchStats {
  witnesses: Witness[];
}

/**
 * What differs, as `--all` tells differences apart: a call's result (`mremap: result EINVAL vs ok`), else
 * the most telling final observation after the last statement (`after mremap: regions.*.vmas[].rss`).
 */
export function differenceKey(c: Compared): { key: string; first: Divergence } {
  const result = c.divergences.find((d) => d.path === 'result' || d.path === 'outcome');
  if (result) return { key: signature(result, c.scenario), first: result };
  const first = telling(c.divergences)[0] ?? c.divergences[0]!;
  const calls = c.scenario.steps.filter((s) => s.op !== 'expect');
  const last = calls[calls.length - 1];
  return { key: `after ${last ? last.op : 'start'}: ${first.field}`, first };
}

export function search(cfg: SearchConfig): SearchResult {
  const started = Date.now();
  const pruned: PruneCounts = { commuting: 0, noop: 0, explained: 0 };
  const stats: SearchStats = { enumerated: 0, run: 0, pruned, elapsedMs: 0, depthCompleted: 0, stop: 'depth' };
  const witnesses: Witness[] = [];
  const keys = new Set<string>();
  const explained = new Set<string>();
  const deadline = cfg.timeSec === undefined ? Infinity : started + cfg.timeSec * 1000;
  let checkAt = 0;
  const outOfTime = (): boolean => {
    // Date.now() costs little, but not nothing: look every 64 programs.
    if ((checkAt++ & 63) !== 0) return false;
    if (cfg.signal?.aborted) { stats.stop = 'aborted'; return true; }
    if (Date.now() > deadline) { stats.stop = 'time'; return true; }
    return false;
  };
  const space = new Space(cfg.alphabet);
  const gen = levels(cfg.alphabet, cfg.depth);
  let next = gen.next(false);
  let statements = 0;
  let ended = false;
  while (!next.done && !ended) {
    const level = next.value;
    if (level.statements !== statements) {
      stats.depthCompleted = statements;
      statements = level.statements;
    }
    const walked = walkLevel(space, level, { explained, prune: pruned }, (p) => {
      if (outOfTime()) { ended = true; return false; }
      stats.run++;
      const c = compareProgram(p, cfg.a, cfg.b);
      if (!c.divergences.length) return true;
      explained.add(p.id);
      const { key, first } = differenceKey(c);
      if (keys.has(key)) return true;
      keys.add(key);
      const w: Witness = { key, program: p, compared: c, first, runBefore: stats.run };
      witnesses.push(w);
      cfg.onWitness?.(w);
      if (!cfg.all) { stats.stop = 'found'; ended = true; return false; }
      return true;
    });
    stats.enumerated = stats.run + pruned.commuting + pruned.noop + pruned.explained;
    stats.elapsedMs = Date.now() - started;
    cfg.onLevel?.(level, stats);
    next = gen.next(walked.overflow);
  }
  if (!ended) stats.depthCompleted = statements;
  stats.elapsedMs = Date.now() - started;
  return { ...stats, witnesses };
}
