// `mls` entry: parse argv with the option table, dispatch to a command, map
// every failure to an exit code with a one-line message (never a stack trace
// for a user mistake).
import { constants } from 'node:os';
import { UsageError, parseCommandLine, stringOption } from './args.js';
import { parseSize } from './host-lock-cap.js';
import type { Command, CommandContext, CommandIO } from './commands/types.js';
import { commandHelp, globalHelp } from './help.js';
import { isCommand, type CommandName } from './options.js';
import { ToolMissing } from './tools.js';
import { TOOL_VERSION } from './version.js';

/**
 * A command's module is loaded when it runs: start-up is paid on every `mls`
 * call, and watch (chokidar, piscina) or fmt would otherwise load for a run.
 */
function lazy<K extends string>(load: () => Promise<Record<K, Command>>, name: K): Command {
  return async (ctx) => (await load())[name](ctx);
}

const COMMAND_IMPL: Record<Exclude<CommandName, 'help'>, Command> = {
  run: lazy(() => import('./commands/run.js'), 'run'),
  watch: lazy(() => import('./commands/watch.js'), 'watch'),
  list: lazy(() => import('./commands/list.js'), 'list'),
  check: lazy(() => import('./commands/check.js'), 'check'),
  compile: lazy(() => import('./commands/compile.js'), 'compile'),
  fmt: lazy(() => import('./commands/fmt.js'), 'fmt'),
  fuzz: lazy(() => import('./commands/fuzz.js'), 'fuzz'),
  compare: lazy(() => import('./commands/compare.js'), 'compare'),
  explore: lazy(() => import('./commands/explore.js'), 'explore'),
  diff: lazy(() => import('./commands/diff.js'), 'diff'),
  record: lazy(() => import('./commands/record.js'), 'record'),
  doctor: lazy(() => import('./commands/doctor.js'), 'doctor'),
  'merge-reports': lazy(() => import('./commands/merge-reports.js'), 'mergeReports'),
  lsp: lazy(() => import('./commands/lsp.js'), 'lsp'),
};

const osConstants = constants;
/** The signals that stop a command gracefully (the first) or at once (the second). */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function defaultIO(): CommandIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

export async function main(argv: string[], io: CommandIO = defaultIO(), signal?: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`mls: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const { command, options, positionals } = parsed;
  if (options['version']) {
    io.stdout.write(`mls ${TOOL_VERSION}\n`);
    return 0;
  }
  if (command === 'help') {
    const topic = positionals[0];
    if (topic !== undefined && !isCommand(topic)) {
      io.stderr.write(`mls help: unknown command '${topic}'\n`);
      return 2;
    }
    io.stdout.write(topic !== undefined && topic !== 'help' ? commandHelp(topic) : globalHelp(TOOL_VERSION));
    return 0;
  }
  if (options['help']) {
    io.stdout.write(parsed.implicit && positionals.length === 0 ? globalHelp(TOOL_VERSION) : commandHelp(command));
    return 0;
  }

  // SIGINT, SIGTERM or SIGHUP aborts the command: a running host scenario ends at once and
  // the command still reports what finished (exit 128 + the signal's number); a second signal
  // exits at once (the host sessions' 'exit' hook kills their processes and removes their dirs).
  const controller = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    const code = 128 + (osConstants.signals[sig] ?? 2);
    if (caught) process.exit(code);
    caught = sig;
    io.stderr.write(`\nmls: interrupted (${sig}); reporting what finished (${sig === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit now)\n`);
    controller.abort();
  };
  const external = signal;
  if (external?.aborted) controller.abort();
  else external?.addEventListener('abort', () => controller.abort(), { once: true });
  const ownsProcess = io.stdout === process.stdout;
  if (ownsProcess) for (const s of STOP_SIGNALS) process.on(s, onSignal);
  // `mls run | head`: the reader left. Later writes to stdout are dropped (not
  // a crash with a stack trace), and the run goes on so report files are complete.
  const onStdoutError = (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') io.stderr.write(`mls: cannot write to standard output: ${e.message}\n`);
  };
  if (ownsProcess) process.stdout.on('error', onStdoutError);
  const ctx: CommandContext = { positionals, options, io, signal: controller.signal };
  // --max-file-size reaches the compiler (here, in worker threads, in the cache) through the
  // environment it reads; restored afterwards so an in-process caller keeps its own.
  const savedMax = process.env['MLS_MAX_FILE_SIZE'];
  try {
    const max = stringOption(options, 'max-file-size') ?? io.env['MLS_MAX_FILE_SIZE'];
    if (max !== undefined && max !== '') {
      const bytes = parseSize(max);
      if (bytes === undefined) throw new UsageError(`${options['max-file-size'] !== undefined ? '--max-file-size' : 'MLS_MAX_FILE_SIZE'} must be a size (8M, 64M, 1G), got '${max}'`);
      process.env['MLS_MAX_FILE_SIZE'] = String(bytes);
    }
    const code = await COMMAND_IMPL[command](ctx);
    return controller.signal.aborted && code !== 2 ? 128 + (osConstants.signals[caught ?? 'SIGINT'] ?? 2) : code;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`mls ${command}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ToolMissing) {
      io.stderr.write(`mls ${command}: ${e.message}\n`);
      return 2;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr.write(`mls ${command}: internal error: ${err.message}\n`);
    if (io.env['MLS_DEBUG']) io.stderr.write(`${err.stack ?? ''}\n`);
    else io.stderr.write('(set MLS_DEBUG=1 for the stack trace; please report this as a bug)\n');
    return 2;
  } finally {
    if (savedMax === undefined) delete process.env['MLS_MAX_FILE_SIZE'];
    else process.env['MLS_MAX_FILE_SIZE'] = savedMax;
    if (ownsProcess) for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}
