// Reading the .mls files a command was given, with I/O errors as messages.
import { readFile } from 'node:fs/promises';
import type { Message } from '../../schema/generated/types.js';
import { discover, type ScenarioFile } from '../discover.js';
import { fileMessage } from '../render/message.js';
import type { CommandIO } from './types.js';

export interface SourceFile extends ScenarioFile {
  text?: string;
  error?: Message;
}

export async function readSources(paths: readonly string[], io: CommandIO): Promise<{ files: SourceFile[]; unmatched: string[] }> {
  const found = discover(paths, io.cwd);
  const files = await Promise.all(
    found.files.map(async (f): Promise<SourceFile> => {
      try {
        return { ...f, text: await readFile(f.absPath, 'utf8') };
      } catch (e) {
        return { ...f, error: fileMessage('run/read-error', `cannot read ${f.file}: ${(e as Error).message}`, f.file) };
      }
    }),
  );
  return { files, unmatched: found.unmatched };
}
