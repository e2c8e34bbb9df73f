// `mls lsp`: the language server, speaking LSP over stdin/stdout (lsp/server.ts).
// Runs until the client sends `exit` or closes the pipe.
import { TOOL_VERSION } from '../version.js';
import type { Command } from './types.js';

export const lsp: Command = async (ctx) => {
  const { startServer } = await import('../../lsp/server.js');
  const connection = startServer(ctx.io.stdin, ctx.io.stdout, TOOL_VERSION);
  await new Promise<void>((resolve) => connection.onExit(() => resolve()));
  return 0;
};
