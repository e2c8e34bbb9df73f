// What every `mls <command>` module receives. The option table in runner/cli
// parses argv once; commands never read process.argv or process.env directly,
// so tests can run them in-process with fake streams.
export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type OptionValue = string | boolean | string[] | undefined;

export interface CommandContext {
  /** Positional arguments after the command name (paths, profiles). */
  positionals: string[];
  /** Parsed options, keyed by their long name (`jobs`, `reporter`, `dry-run` …). */
  options: Record<string, OptionValue>;
  io: CommandIO;
  /** Aborted on SIGINT: commands finish reporting what completed, then return 130. */
  signal: AbortSignal;
}

/** A command returns its exit code: 0 ok, 1 a failure/divergence, 2 usage/parse/internal error, 130 interrupted. */
export type Command = (ctx: CommandContext) => Promise<number>;
