// `mls explore -j n` (n > 1): every level is walked by n worker threads, each
// running the programs whose index is its own modulo n; the main thread merges
// the differences in index order, so the witnesses and their order are those
// of a single-threaded search (search.ts). Only worker 0's pruning counts are
// kept: every worker walks, and prunes, the whole level.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { levels, walkLevel, type Program } from './enumerate.js';
import { compareProgram } from './run.js';
import { differenceKey, type SearchConfig, type SearchResult, type SearchStats, type Witness } from './search.js';
import type { ShareConfig, ShareReply, ShareRequest } from './share.js';
import { Space } from './space.js';

/** In the bundle every entry lies flat in dist/bundle (scripts/build.mjs), where worker.js is the runner's. */
function workerFile(): string {
  for (const name of ['./explore-worker.js', './worker.js']) {
    const js = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(js) && (name !== './worker.js' || /[/\\]explore[/\\]/.test(js))) return js;
  }
  throw new Error('explore -j needs the built runner (dist/runner/explore/worker.js): run `npm run build`, or use -j1');
}

/** The program at `index` of a level (walked again: cheaper than sending statements between threads). */
function programAt(space: Space, level: Program['level'], explained: Set<string>, index: number): Program {
  let found: Program | undefined;
  walkLevel(space, level, { explained, prune: { commuting: 0, noop: 0, explained: 0 } }, (p) => {
    if (p.index === index) { found = p; return false; }
    return true;
  });
  return found!;
}

export async function searchParallel(cfg: SearchConfig, jobs: number): Promise<SearchResult> {
  const started = Date.now();
  const deadline = cfg.timeSec === undefined ? Number.MAX_SAFE_INTEGER : started + cfg.timeSec * 1000;
  const file = workerFile();
  const workers = Array.from({ length: jobs }, (_, w) => new Worker(file, {
    workerData: { a: cfg.a, b: cfg.b, alphabet: cfg.alphabet, all: cfg.all, worker: w, jobs, deadline } satisfies ShareConfig,
  }));
  const ask = (w: Worker, req: ShareRequest): Promise<ShareReply> => new Promise((resolve, reject) => {
    const fail = (e: Error): void => reject(e);
    w.once('error', fail);
    w.once('message', (m: ShareReply) => { w.off('error', fail); resolve(m); });
    w.postMessage(req);
  });
  const space = new Space(cfg.alphabet);
  const explained = new Set<string>();
  const keys = new Set<string>();
  const witnesses: Witness[] = [];
  const stats: SearchStats = { enumerated: 0, run: 0, pruned: { commuting: 0, noop: 0, explained: 0 }, elapsedMs: 0, depthCompleted: 0, stop: 'depth' };
  let pending: string[] = [];
  let statements = 0;
  let ended = false;
  try {
    const gen = levels(cfg.alphabet, cfg.depth);
    for (let next = gen.next(false); !next.done && !ended;) {
      const level = next.value;
      if (level.statements !== statements) { stats.depthCompleted = statements; statements = level.statements; }
      const req: ShareRequest = { level, explained: pending };
      const replies = await Promise.all(workers.map((w) => ask(w, req)));
      pending = [];
      for (const r of replies) stats.run += r.run;
      const p0 = replies[0]!.prune;
      stats.pruned.commuting += p0.commuting; stats.pruned.noop += p0.noop; stats.pruned.explained += p0.explained;
      stats.enumerated = stats.run + stats.pruned.commuting + stats.pruned.noop + stats.pruned.explained;
      const diffs = replies.flatMap((r) => r.diffs).sort((x, y) => x.index - y.index);
      // The level's explained set is the one its walk started with: witnesses rebuilt before adding these.
      const found: Witness[] = [];
      for (const d of cfg.all ? diffs : diffs.slice(0, 1)) {
        if (keys.has(d.key)) continue;
        keys.add(d.key);
        const program = programAt(space, level, explained, d.index);
        const compared = compareProgram(program, cfg.a, cfg.b);
        found.push({ key: d.key, program, compared, first: differenceKey(compared).first, runBefore: stats.run });
      }
      for (const d of diffs) { explained.add(d.id); pending.push(d.id); }
      for (const w of found) { witnesses.push(w); cfg.onWitness?.(w); }
      if (found.length && !cfg.all) { stats.stop = 'found'; ended = true; }
      if (cfg.signal?.aborted) { stats.stop = 'aborted'; ended = true; }
      if (!ended && replies.some((r) => r.timedOut)) { stats.stop = 'time'; ended = true; }
      stats.elapsedMs = Date.now() - started;
      cfg.onLevel?.(level, stats);
      next = gen.next(replies[0]!.overflow);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (!ended) stats.depthCompleted = statements;
  stats.elapsedMs = Date.now() - started;
  return { ...stats, witnesses };
}
