// Late-bound modules of the other layers (compiler, formatter, targets): loaded
// on first use, so a command pays only for the layers it needs. Every import
// names its module literally, so the build's bundler (scripts/build.mjs) can
// follow it; a layer that fails to load is reported as "not available".
import type { Message, Scenario } from '../schema/generated/types.js';
import type { Target } from './targets/target.js';
import type { VmConfig } from './targets/vm/config.js';

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

/** A layer's module, or ToolMissing naming what could not be loaded (a broken or partial build). */
async function layer<T>(load: () => Promise<T>, what: string): Promise<T> {
  try {
    return await load();
  } catch (e) {
    throw new ToolMissing(what, e instanceof Error ? e.message : String(e));
  }
}

let compiler: Promise<Compiler> | undefined;
export function loadCompiler(): Promise<Compiler> {
  compiler ??= layer(() => import('../grammar/compile.js'), 'the .mls compiler');
  return compiler;
}

let formatter: Promise<Formatter> | undefined;
export function loadFormatter(): Promise<Formatter> {
  formatter ??= layer(() => import('../grammar/format.js'), 'the .mls formatter');
  return formatter;
}

const targets = new Map<string, Promise<Target>>();

/** The target's module, loaded once per thread. */
export function loadTarget(name: Target['name'], vm?: VmConfig): Promise<Target> {
  if (name === 'vm' && !vm) return Promise.reject(new Error('the vm target needs its config (--kernel-image)'));
  const key = name === 'vm' ? `vm:${JSON.stringify(vm)}` : name;
  let t = targets.get(key);
  if (!t) {
    t = name === 'model'
      ? layer(async () => (await import('./targets/model.js')).modelTarget, 'the model target')
      : name === 'vm'
        ? layer(async () => (await import('./targets/vm.js')).createVmTarget(vm!), 'the vm target')
        : layer(async () => (await import('./targets/host.js')).hostTarget, 'the host target');
    targets.set(key, t);
  }
  return t;
}
