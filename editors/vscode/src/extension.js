// The VS Code side of mls: starts `mls lsp` (stdio) for .mls files. All the
// language knowledge is in the server; highlighting is the TextMate grammar.
// Bundled to dist/extension.js by scripts/build.mjs (vscode-languageclient inside).
import { window, workspace } from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';

let client;

export async function activate(context) {
  const command = workspace.getConfiguration('mls').get('server.path') || 'mls';
  // No transport: the client spawns `<command> lsp` and speaks over its stdin/stdout.
  const server = { command, args: ['lsp'] };
  client = new LanguageClient('mls', 'mls language server', server, { documentSelector: [{ language: 'mls' }] });
  try {
    await client.start();
  } catch (e) {
    window.showErrorMessage(`mls: cannot start \`${command} lsp\` (set mls.server.path): ${e instanceof Error ? e.message : e}`);
    return;
  }
  context.subscriptions.push(client);
}

export function deactivate() {
  return client?.stop();
}
