// Reporters consume the result model; they never drive execution (vitest's split).
import type { FileResult, RunResults } from '../../schema/generated/types.js';
import type { Style } from '../render/style.js';
import type { Sink } from './sink.js';

export interface Progress {
  done: number;
  total: number;
  failed: number;
  skipped: number;
  /** The file that just finished. */
  file?: string;
}

export interface ReporterEnv {
  sink: Sink;
  style: Style;
  /** CI is set: no redraws. */
  ci: boolean;
  columns: number;
}

export interface Reporter {
  /** Prints the closing `N passed, N failed, N skipped` line itself. */
  readonly printsSummary: boolean;
  start(total: number): void;
  /** Completion order, for progress lines. */
  progress?(p: Progress): void;
  /** Input order. */
  file(r: FileResult): void;
  end(doc: RunResults): Promise<void>;
}
