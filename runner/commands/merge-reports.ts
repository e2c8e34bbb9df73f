// `mls merge-reports <reports…|dir>`: the JSON reports of `mls run --shard i/n`
// (one per CI machine) → every reporter's output as if one run had happened.
// Exit codes as `mls run`: 0 all passed, 1 a failure, 2 a bad report or a
// scenario that did not compile.
import { listOption } from '../args.js';
import { mergeResults } from '../merge/merge.js';
import { readShards } from '../merge/read.js';
import { renderMessage } from '../render/message.js';
import { colorEnabled, makeStyle } from '../render/style.js';
import { createReporters, parseReporterSpecs } from '../reporters/index.js';
import { isFailure, summaryLine } from '../results.js';
import { colorFlag, exitCodeFor } from './run.js';
import type { Command } from './types.js';

export const mergeReports: Command = async (ctx) => {
  const { io } = ctx;
  const specs = parseReporterSpecs(listOption(ctx.options, 'reporter'), io);
  const style = makeStyle(colorEnabled({ isTTY: io.stderr.isTTY, env: io.env, flag: colorFlag(ctx) }));
  if (ctx.positionals.length === 0) {
    io.stderr.write('mls merge-reports: give the shard reports (files or a directory), e.g. `mls merge-reports reports/`\n');
    return 2;
  }
  const read = readShards(ctx.positionals, io.cwd);
  const merged = read.messages.length === 0 ? mergeResults(read.docs) : { messages: [] };
  const messages = [...read.messages, ...merged.messages];
  for (const m of messages) io.stderr.write(renderMessage(m, style));
  if (messages.some((m) => m.severity === 'error') || !merged.doc) return 2;
  const doc = merged.doc;
  // Reporters consume the merged document exactly as they would a live run's results.
  const reporters = await createReporters(specs, io, colorFlag(ctx));
  for (const r of reporters) r.start(doc.files.length);
  let done = 0, failed = 0, skipped = 0;
  for (const f of doc.files) {
    done++;
    if (isFailure(f)) failed++;
    if (f.outcome === 'SKIP') skipped++;
    for (const r of reporters) {
      r.progress?.({ done, total: doc.files.length, failed, skipped, file: f.file });
      r.file(f);
    }
  }
  for (const r of reporters) await r.end(doc);
  if (!reporters.some((r) => r.printsSummary)) {
    (specs.some((s) => s.file === undefined) ? io.stderr : io.stdout).write(`${summaryLine(doc.summary)}\n`);
  }
  return exitCodeFor(doc);
};
