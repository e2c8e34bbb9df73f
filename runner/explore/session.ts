// `mls explore` end to end: the search, each witness as a checked .mls file
// (written with --out), and the host's word on it when one profile is the
// host's kernel. The command (runner/commands/explore.ts) only parses options
// and prints the report (format.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Alphabet } from './alphabet.js';
import { hostCheck, type HostCheck } from './host-check.js';
import { search, type SearchConfig, type SearchResult, type SearchStats, type Witness } from './search.js';
import { witnessFile, type WitnessFile } from './witness.js';
import { slug } from '../fuzz/write.js';
import { parseProfile } from '../profiles/applies.js';

export interface ExploreConfig {
  a: string;
  b: string;
  alphabet: Alphabet;
  depth: number;
  all: boolean;
  timeSec?: number;
  /** Without --all: the witness file; with --all: a directory (one file per difference). */
  out?: string;
  /** Worker threads (1: the search runs in this thread). */
  jobs: number;
  /** Run the witness on the host when a profile is its kernel (tests turn it off). */
  host: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onWitness?: (w: Witness) => void;
}

export interface ExploredWitness {
  key: string;
  statements: number;
  regions: number;
  /** Programs run up to and including this one. */
  runBefore: number;
  file: WitnessFile;
  written?: string;
  host?: HostCheck;
}

export interface ExploreReport {
  a: string;
  b: string;
  alphabet: string;
  depth: number;
  stats: SearchStats;
  /** CPU time of the search (user + system), for programs per second per core. */
  cpuMs: number;
  witnesses: ExploredWitness[];
}

function describe(w: Witness, a: string, b: string): string[] {
  const d = w.first;
  const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  const st = w.compared.scenario.steps[d.step];
  const where = !st || st.op === 'expect' ? 'At the end' : `At statement ${d.step + 1} (${st.op})`;
  return [
    `Found by mls explore ${a} ${b}: the first program in order of size (statements, regions, magnitude)`,
    `whose observations differ (program ${w.runBefore} run). ${where}: ${d.path}: ${show(d.a)} on ${a}, ${show(d.b)} on ${b}.`,
  ];
}

export async function exploreRun(cfg: ExploreConfig): Promise<ExploreReport> {
  const cpu0 = process.cpuUsage();
  const sc: SearchConfig = {
    a: cfg.a, b: cfg.b, alphabet: cfg.alphabet, depth: cfg.depth, all: cfg.all,
    ...(cfg.timeSec !== undefined ? { timeSec: cfg.timeSec } : {}),
    ...(cfg.signal ? { signal: cfg.signal } : {}),
    ...(cfg.onWitness ? { onWitness: cfg.onWitness } : {}),
  };
  // process.cpuUsage() counts every thread of the process, workers included.
  const result: SearchResult = cfg.jobs > 1 ? await (await import('./parallel.js')).searchParallel(sc, cfg.jobs) : search(sc);
  const cpu = process.cpuUsage(cpu0);
  const witnesses: ExploredWitness[] = [];
  for (const w of result.witnesses) {
    const file = witnessFile(w, cfg.a, cfg.b, {
      name: `explore ${cfg.a} vs ${cfg.b}: ${w.key}`,
      about: describe(w, cfg.a, cfg.b),
      tags: ['explore', ...new Set([cfg.a, cfg.b].flatMap((k) => parseProfile(k).patches))],
      file: 'explore.mls',
    });
    const e: ExploredWitness = { key: w.key, statements: w.program.level.statements, regions: w.program.level.regions, runBefore: w.runBefore, file };
    if (cfg.out !== undefined) {
      const path = cfg.all ? join(cfg.out, `${slug(w.key)}.mls`) : cfg.out;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.text);
      e.written = path;
    }
    if (cfg.host) {
      const h = await hostCheck(file.scenario, cfg.a, cfg.b, cfg.timeoutMs);
      if (h) e.host = h;
    }
    witnesses.push(e);
  }
  const stats: SearchStats = { enumerated: result.enumerated, run: result.run, pruned: result.pruned, elapsedMs: result.elapsedMs, depthCompleted: result.depthCompleted, stop: result.stop };
  return { a: cfg.a, b: cfg.b, alphabet: cfg.alphabet.name, depth: cfg.depth, stats, cpuMs: (cpu.user + cpu.system) / 1000, witnesses };
}
