// Late-bound modules of the other layers (compiler, formatter, targets). They
// are loaded by path at run time so the runner can report "not available"
// cleanly instead of crashing when a layer is missing from a build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Message, Scenario } from '../schema/generated/types.js';
import type { Target } from './targets/target.js';

export interface Compiler {
  compileSource(text: string, file: string): { scenario?: Scenario; messages: Message[] };
}

export interface Formatter {
  formatSource(text: string, file: string): { text?: string; messages: Message[] };
}

export class ToolMissing extends Error {
  constructor(what: string, detail: string) {
    super(`${what} is not available in this build (${detail})`);
    this.name = 'ToolMissing';
  }
}

/** Import a sibling module as .js (dist) or, when running from source, .ts. */
async function importLayer<T>(rel: string, what: string): Promise<T> {
  for (const ext of ['.js', '.ts']) {
    const url = new URL(rel + ext, import.meta.url);
    if (existsSync(fileURLToPath(url))) return (await import(url.href)) as T;
  }
  throw new ToolMissing(what, `${rel}.js not found`);
}

let compiler: Promise<Compiler> | undefined;
export function loadCompiler(): Promise<Compiler> {
  compiler ??= importLayer<Compiler>('../grammar/compile', 'the .mls compiler').then((m) => {
    if (typeof m.compileSource !== 'function') throw new ToolMissing('the .mls compiler', 'grammar/compile has no compileSource');
    return m;
  });
  return compiler;
}

let formatter: Promise<Formatter> | undefined;
export function loadFormatter(): Promise<Formatter> {
  formatter ??= (async () => {
    for (const rel of ['../grammar/format', '../grammar/print']) {
      try {
        const m = await importLayer<Partial<Formatter>>(rel, 'the .mls formatter');
        if (typeof m.formatSource === 'function') return m as Formatter;
      } catch (e) {
        if (!(e instanceof ToolMissing)) throw e;
      }
    }
    throw new ToolMissing('the .mls formatter', 'no grammar module exports formatSource');
  })();
  return formatter;
}

const TARGET_MODULES: Record<Target['name'], string[]> = {
  model: ['./targets/model', './targets/model/index'],
  host: ['./targets/host/index', './targets/host', './targets/host/target'],
};

function isTarget(x: unknown, name: string): x is Target {
  return typeof x === 'object' && x !== null && (x as Target).name === name && typeof (x as Target).run === 'function';
}

/** Whether a module of the target is in this build, without loading it. */
export function hasTargetModule(name: Target['name']): boolean {
  return TARGET_MODULES[name].some((rel) => ['.js', '.ts'].some((ext) => existsSync(fileURLToPath(new URL(rel + ext, import.meta.url)))));
}

const targets = new Map<string, Promise<Target>>();

/** The Target object a target module exports (whatever its export name). */
export function loadTarget(name: Target['name']): Promise<Target> {
  let t = targets.get(name);
  if (!t) {
    t = (async () => {
      for (const rel of TARGET_MODULES[name]) {
        let mod: Record<string, unknown>;
        try {
          mod = await importLayer<Record<string, unknown>>(rel, `the ${name} target`);
        } catch (e) {
          if (e instanceof ToolMissing) continue;
          throw e;
        }
        const found = Object.values(mod).find((v) => isTarget(v, name));
        if (found) return found as Target;
      }
      throw new ToolMissing(`the ${name} target`, `no module under runner/targets exports a Target named '${name}'`);
    })();
    targets.set(name, t);
  }
  return t;
}
