// Shard reports in: the RunResults documents that `mls run --shard i/n -r json=…`
// wrote, read from files or directories and checked against
// schema/results.schema.json. Every bad input is a Message with file:line:col.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { Message, RunResults } from '../../schema/generated/types.js';
import { fileMessage } from '../render/message.js';

export interface ShardDoc {
  /** As given (relative to the working directory). */
  file: string;
  doc: RunResults;
}

export type ReadOutcome = { docs: ShardDoc[]; messages: Message[] };

/** JSON.parse's "at position N" (Node 20) → 1-based line and column. */
function positionOf(text: string, err: Error): { line: number; column: number } {
  const m = /position (\d+)/.exec(err.message);
  const at = m ? Math.min(Number(m[1]), text.length) : 0;
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** schema/ of the package: this module runs from runner/, dist/runner/ or the bundle (dist/bundle), at different depths. */
function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'schema', 'results.schema.json');
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) throw new Error('schema/results.schema.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

let validate: ((d: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null } | undefined;
function validator(): NonNullable<typeof validate> {
  const schema = JSON.parse(readFileSync(schemaPath(), 'utf8'));
  validate ??= new Ajv({ allErrors: false, strict: false }).compile(schema);
  return validate;
}

/** The .json files of the given paths (a directory: its *.json files, sorted, not recursive). */
export function shardFiles(paths: readonly string[], cwd: string): { files: string[]; messages: Message[] } {
  const files: string[] = [];
  const messages: Message[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      messages.push(fileMessage('merge/not-found', `no such file or directory: ${p}`));
      continue;
    }
    if (st.isDirectory()) {
      const inDir = readdirSync(abs).filter((n) => n.endsWith('.json')).sort().map((n) => relative(cwd, join(abs, n)) || n);
      if (inDir.length === 0) messages.push(fileMessage('merge/no-reports', `${p} holds no .json report (write them with \`mls run --shard i/n -r json=${p}/shard-i.json\`)`));
      files.push(...inDir);
    } else {
      files.push(relative(cwd, abs) || p);
    }
  }
  return { files, messages };
}

export function readShard(file: string, cwd: string): ShardDoc | Message {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (e) {
    return fileMessage('merge/read-error', `cannot read ${file}: ${(e as Error).message}`, file);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const { line, column } = positionOf(text, e as Error);
    return {
      id: 'merge/invalid-json', severity: 'error', text: `${file} is not JSON: ${(e as Error).message}`,
      location: { file, line, column, length: 1, lineText: text.split('\n')[line - 1] ?? '' },
      notes: [{ text: 'merge-reports reads the reports of `mls run -r json=file`' }],
    };
  }
  const check = validator();
  if (!check(doc)) {
    const e = check.errors?.[0];
    return fileMessage('merge/not-results', `${file} is not an mls results document: ${e?.instancePath || '/'} ${e?.message ?? ''}`.trim(), file,
      ['merge-reports reads the reports of `mls run -r json=file` (schema/results.schema.json)']);
  }
  return { file, doc: doc as RunResults };
}

export function readShards(paths: readonly string[], cwd: string): ReadOutcome {
  const { files, messages } = shardFiles(paths, cwd);
  const docs: ShardDoc[] = [];
  for (const f of files) {
    const r = readShard(f, cwd);
    if ('doc' in r) docs.push(r);
    else messages.push(r);
  }
  return { docs, messages };
}
