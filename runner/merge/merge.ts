// Shard documents → the document one run over all their files would have
// produced: results in the order a single run reports them (files sorted as
// discover sorts them, each file's profiles in shard order), the summary
// recounted, the wall time from the first start to the last end.
import type { FileResult, Message, RunResults } from '../../schema/generated/types.js';
import { summarize } from '../results.js';
import { fileMessage } from '../render/message.js';
import type { ShardDoc } from './read.js';

export function mergeResults(shards: readonly ShardDoc[]): { doc?: RunResults; messages: Message[] } {
  const messages: Message[] = [];
  if (shards.length === 0) return { messages: [fileMessage('merge/no-reports', 'no report to merge')] };
  const owner = new Map<string, string>();
  const files: FileResult[] = [];
  for (const s of shards) {
    for (const f of s.doc.files) {
      const key = `${f.file}\u0000${f.kernel}\u0000${f.target}`;
      const prev = owner.get(key);
      if (prev !== undefined) {
        messages.push(fileMessage('merge/duplicate', `${f.file} (${f.kernel}) is in both ${prev} and ${s.file}: shards of one run never overlap`, s.file,
          ['give each shard report once; `--shard i/n` with the same n and every i from 1 to n']));
        continue;
      }
      owner.set(key, s.file);
      files.push(f);
    }
  }
  const versions = new Set(shards.map((s) => s.doc.tool.version));
  if (versions.size > 1) {
    messages.push({ ...fileMessage('merge/mixed-versions', `the reports come from different mls versions (${[...versions].join(', ')})`), severity: 'warning' });
  }
  // Stable: a file's results (one per profile) keep their shard order.
  const order = new Map<string, number>();
  [...new Set(files.map((f) => f.file))].sort().forEach((f, i) => order.set(f, i));
  files.sort((a, b) => order.get(a.file)! - order.get(b.file)!);
  const starts = shards.map((s) => Date.parse(s.doc.startedAt));
  const ends = shards.map((s, i) => starts[i]! + s.doc.durationMs);
  const first = Math.min(...starts);
  const doc: RunResults = {
    schemaVersion: 1,
    tool: shards[0]!.doc.tool,
    startedAt: new Date(first).toISOString(),
    durationMs: Math.max(0, Math.max(...ends) - first),
    interrupted: shards.some((s) => s.doc.interrupted),
    summary: summarize(files),
    files,
  };
  return { doc, messages };
}
