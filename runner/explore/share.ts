// One worker's share of a level: the programs whose index in the level is
// w mod j, run on both profiles; the differences by index (the caller picks
// the smallest, so the witness is the one a single thread would find).
import type { Alphabet } from './alphabet.js';
import { walkLevel, type Level, type PruneCounts } from './enumerate.js';
import { compareProgram } from './run.js';
import { differenceKey } from './search.js';
import type { Space } from './space.js';

export interface ShareRequest {
  level: Level;
  /** Differing programs found since the last request (their extensions are not walked, with --all). */
  explained: string[];
}

export interface ShareReply {
  run: number;
  prune: PruneCounts;
  overflow: boolean;
  timedOut: boolean;
  diffs: { index: number; id: string; key: string }[];
}

export interface ShareConfig {
  a: string;
  b: string;
  alphabet: Alphabet;
  all: boolean;
  worker: number;
  jobs: number;
  /** Date.now() past which the share stops. */
  deadline: number;
}

export function runShare(space: Space, cfg: ShareConfig, explained: Set<string>, req: ShareRequest): ShareReply {
  for (const id of req.explained) explained.add(id);
  const prune: PruneCounts = { commuting: 0, noop: 0, explained: 0 };
  const diffs: ShareReply['diffs'] = [];
  let run = 0, timedOut = false;
  const walked = walkLevel(space, req.level, { explained, prune }, (p) => {
    if (p.index % cfg.jobs !== cfg.worker) return true;
    if ((run & 63) === 0 && Date.now() > cfg.deadline) { timedOut = true; return false; }
    run++;
    const c = compareProgram(p, cfg.a, cfg.b);
    if (!c.divergences.length) return true;
    diffs.push({ index: p.index, id: p.id, key: differenceKey(c).key });
    return cfg.all;
  });
  return { run, prune, overflow: walked.overflow, timedOut, diffs };
}
