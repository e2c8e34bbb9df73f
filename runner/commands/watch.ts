// `mls watch [paths…]`: run everything once, then re-run what a batch of file
// changes affects (runner/watch/plan.ts decides), keep going through syntax
// errors, and take keys: a all, f failed, t filter, Enter re-run, q quit.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { FileResult } from '../../schema/generated/types.js';
import { listOption } from '../args.js';
import { discover, type ScenarioFile } from '../discover.js';
import { WorkerPool } from '../pool.js';
import { parseReporterSpecs } from '../reporters/index.js';
import { isFailure, summarize, summaryLine } from '../results.js';
import { preloadFor, runConfig, type RunConfig } from '../run-config.js';
import { CODE_ROOT, codeHash, resetVersions } from '../version.js';
import { KEY_HELP, KeyReader, type KeyAction } from '../watch/keys.js';
import { describePlan, planRerun, type WatchSnapshot } from '../watch/plan.js';
import { watchPaths, watcherLimitHelp } from '../watch/watcher.js';
import { checkTarget, runFiles } from './run.js';
import type { Command, CommandContext } from './types.js';

/** Quiet period after the last event before a batch runs (bursts from editors, git). */
export const DEBOUNCE_MS = 50;
const CODE_DIRS = ['grammar', 'runtime'];

function hashFile(abs: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(abs)).digest('hex');
  } catch {
    return undefined; // vanished between the walk and the read: treated as removed
  }
}

/** Directories to watch for the given arguments (globs watch the working directory). */
function watchRoots(args: readonly string[], cwd: string): string[] {
  if (args.length === 0) return [existsSync(join(cwd, 'scenarios')) ? join(cwd, 'scenarios') : cwd];
  return [...new Set(args.map((a) => {
    const abs = resolve(cwd, a);
    if (!existsSync(abs)) return cwd;
    return statSync(abs).isDirectory() ? abs : dirname(abs);
  }))];
}

/** Workers stay up between saves; they load the target (and cache or compiler) as they boot. */
function newPool(cfg: RunConfig): WorkerPool {
  return new WorkerPool({ threads: cfg.jobs, idleTimeoutMs: 3_600_000, preload: preloadFor(cfg) });
}

class WatchSession {
  private snapshot: WatchSnapshot = { files: new Map(), code: '' };
  private byFile = new Map<string, ScenarioFile>();
  private readonly results = new Map<string, FileResult>();
  private pool: WorkerPool | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: CommandContext, private readonly cfg: RunConfig) {
    if (cfg.jobs > 1) this.pool = newPool(cfg);
  }

  private write(s: string): void {
    this.ctx.io.stdout.write(s);
  }

  /** Re-read the file set; only files named in `touched` (or new ones) are hashed again. */
  scan(touched?: ReadonlySet<string>): WatchSnapshot {
    const files = new Map<string, string>();
    this.byFile = new Map();
    for (const f of discover(this.ctx.positionals, this.ctx.io.cwd).files) {
      const prev = this.snapshot.files.get(f.file);
      const hash = prev !== undefined && touched && !touched.has(f.absPath) ? prev : hashFile(f.absPath);
      if (hash === undefined) continue;
      files.set(f.file, hash);
      this.byFile.set(f.file, f);
    }
    const codeTouched = !touched || [...touched].some((p) => CODE_DIRS.some((d) => p.startsWith(join(CODE_ROOT, d) + sep)));
    return { files, code: codeTouched ? codeHash(CODE_DIRS) : this.snapshot.code };
  }

  /** Serialize runs: a batch that arrives mid-run waits for it. */
  enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work, work);
    return this.queue;
  }

  async runSome(files: string[], header: string): Promise<void> {
    if (this.ctx.signal.aborted) return;
    const list = files.map((f) => this.byFile.get(f)).filter((f): f is ScenarioFile => f !== undefined);
    this.write(`\n${header}\n`);
    if (list.length === 0) {
      this.write(`nothing to run\n${this.footer()}`);
      return;
    }
    const specs = parseReporterSpecs(listOption(this.ctx.options, 'reporter').length ? listOption(this.ctx.options, 'reporter') : ['spec'], this.ctx.io);
    const { doc } = await runFiles(this.ctx, this.cfg, list, specs, { signal: this.ctx.signal, ...(this.pool ? { pool: this.pool } : {}) });
    for (const f of list) this.results.delete(f.file);
    for (const r of doc.files) this.results.set(r.file, r);
    this.write(this.footer());
  }

  footer(): string {
    const all = summarize([...this.results.values()]);
    return `all ${this.snapshot.files.size} scenarios: ${summaryLine(all)}\nwatching for changes · ${KEY_HELP}\n`;
  }

  async initial(): Promise<void> {
    this.snapshot = this.scan();
    await this.runSome([...this.snapshot.files.keys()], `running ${this.snapshot.files.size} scenarios`);
  }

  async onBatch(paths: string[]): Promise<void> {
    const next = this.scan(new Set(paths.map((p) => resolve(p))));
    const plan = planRerun(this.snapshot, next);
    this.snapshot = next;
    for (const f of plan.removed) this.results.delete(f);
    if (plan.all) await this.reloadCode();
    if (plan.run.length === 0) {
      if (plan.removed.length) this.write(`\nremoved: ${plan.removed.join(', ')}\n${this.footer()}`);
      return; // a save that changed nothing
    }
    await this.runSome(plan.run, describePlan(plan, next.files.size));
  }

  /** New grammar/model code: fresh workers load it; the compile cache key changes with it. */
  private async reloadCode(): Promise<void> {
    resetVersions();
    if (this.pool) {
      await this.pool.close();
      this.pool = newPool(this.cfg);
    } else {
      this.write('note: -j1 runs in this process, which keeps the code it started with; restart mls watch to load the change\n');
    }
  }

  async onKey(a: KeyAction): Promise<'quit' | void> {
    const every = [...this.snapshot.files.keys()];
    switch (a.kind) {
      case 'quit': return 'quit';
      case 'help': this.write(`${KEY_HELP}\n`); return;
      case 'prompt': this.write('filter scenarios by name (regex, empty to clear), then Enter: '); return;
      case 'all': return this.enqueue(() => this.runSome(every, `re-ran ${every.length} of ${every.length} scenarios (all)`));
      case 'rerun': return this.enqueue(() => this.runSome(every, `re-ran ${every.length} of ${every.length} scenarios`));
      case 'failed': {
        const failed = [...this.results.values()].filter((r) => r.outcome === 'FAIL' || r.outcome === 'ERROR').map((r) => r.file); // todo failures too: `f` re-runs what is red
        return this.enqueue(() => this.runSome(failed, `re-ran ${failed.length} of ${every.length} scenarios (failed only)`));
      }
      case 'filter': {
        try {
          new RegExp(a.pattern);
        } catch (e) {
          this.write(`\ninvalid regular expression: ${(e as Error).message}\n`);
          return;
        }
        if (a.pattern === '') delete this.cfg.filter;
        else this.cfg.filter = a.pattern;
        const what = a.pattern === '' ? 'filter cleared' : `filter /${a.pattern}/`;
        return this.enqueue(() => this.runSome(every, `re-ran ${every.length} of ${every.length} scenarios (${what})`));
      }
    }
  }

  /** Resolves when no run is in progress or queued. */
  idle(): Promise<void> {
    return this.queue;
  }

  hasFailures(): boolean {
    return [...this.results.values()].some(isFailure);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

export const watch: Command = async (ctx) => {
  const { io } = ctx;
  const cfg = { ...(await runConfig(ctx)), bail: 0 };
  const unavailable = await checkTarget(cfg);
  if (unavailable) {
    io.stderr.write(`mls: error: ${unavailable}\n`);
    return 2;
  }
  const session = new WatchSession(ctx, cfg);
  let finish!: (code: number) => void;
  const finished = new Promise<number>((r) => (finish = r));
  const poll = ctx.options['poll'] === true || ['1', 'true'].includes(io.env['CHOKIDAR_USEPOLLING'] ?? '');
  const roots = [...watchRoots(ctx.positionals, io.cwd), ...CODE_DIRS.map((d) => join(CODE_ROOT, d)).filter(existsSync)];
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const watcher = watchPaths({
    roots, poll, debounceMs: DEBOUNCE_MS,
    onBatch: (paths) => void session.enqueue(() => session.onBatch(paths)),
    onError: (err) => {
      const help = watcherLimitHelp(err.code);
      io.stderr.write(`${help ?? `mls watch: watcher error: ${err.message}`}\n`);
      if (help) finish(2);
    },
    onReady,
  });
  ctx.signal.addEventListener('abort', () => finish(130), { once: true });

  const keys = new KeyReader();
  const stdin = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (b: boolean) => unknown; setEncoding?: (e: string) => unknown; pause?: () => unknown };
  const onData = (chunk: Buffer | string) => {
    for (const a of keys.feed(chunk.toString())) {
      void session.onKey(a).then((r) => {
        if (r === 'quit') finish(session.hasFailures() ? 1 : 0);
      });
    }
  };
  if (stdin.isTTY && stdin.setRawMode) stdin.setRawMode(true);
  stdin.on('data', onData);
  stdin.on('error', () => {});

  await Promise.race([ready, finished]);
  void session.enqueue(() => session.initial());
  const code = await finished;
  await watcher.close();
  stdin.off('data', onData);
  if (stdin.isTTY && stdin.setRawMode) stdin.setRawMode(false);
  stdin.pause?.();
  await session.idle();
  await session.close();
  return code;
};
