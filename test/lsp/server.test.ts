// `mls lsp` spoken to over real JSON-RPC: the built CLI is spawned and a
// vscode-jsonrpc client sends what an editor would.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { BIN, ROOT, cleanEnv } from '../runner/helpers.js';

interface Pos { line: number; character: number }
interface Rng { start: Pos; end: Pos }
interface Diag { range: Rng; code: string; message: string; severity: number; data?: unknown; relatedInformation?: unknown[] }

const uri = 'file:///tmp/lsp-test/scenario.mls';
const TEXT = [
  'scenario "lsp"',                           // 0
  'buf = mmap 16p rw private anon locked',    // 1
  'kid = fork',                               // 2
  'in kid: mlock buf 4p',                     // 3
  'mlock2 buf onfalt',                        // 4
  'expect buf flags has lo, resident == 16p', // 5
  'expect lockd_vm == 16p',                   // 6
  'munmap   buf+1p 1p',                       // 7
  '',
].join('\n');

function start(t: { teardown(fn: () => void): void }): { c: MessageConnection; diagnostics: (n: number) => Promise<Diag[]>; exited: Promise<number | null>; stderr: () => string; closeInput: () => void } {
  const child = spawn(process.execPath, [BIN, 'lsp', '--stdio'], { cwd: ROOT, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const c = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published: Diag[][] = [];
  const waiters: Array<() => void> = [];
  c.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diag[] }) => {
    if (p.uri !== uri) return;
    published.push(p.diagnostics);
    for (const w of waiters.splice(0)) w();
  });
  c.listen();
  t.teardown(() => {
    if (child.exitCode === null) child.kill();
  });
  const diagnostics = async (n: number): Promise<Diag[]> => {
    while (published.length < n) await new Promise<void>((r) => waiters.push(r));
    return published[n - 1]!;
  };
  return { c, diagnostics, exited, stderr: () => stderr, closeInput: () => child.stdin.end() };
}

t.test('a session: diagnostics, hover, definition, symbols, completion, fixes, formatting', async (t) => {
  const { c, diagnostics, exited, stderr } = start(t);
  const init = await c.sendRequest<{ capabilities: Record<string, unknown>; serverInfo: { name: string } }>('initialize', { processId: null, rootUri: null, capabilities: {} });
  t.equal(init.serverInfo.name, 'mls');
  t.ok(init.capabilities['hoverProvider'] && init.capabilities['definitionProvider'] && init.capabilities['documentFormattingProvider']);
  await c.sendNotification('initialized', {});
  await c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'mls', version: 1, text: TEXT } });
  const q = <R>(method: string, params: object = {}) => c.sendRequest<R>(method, { textDocument: { uri }, ...params });

  const diags = await diagnostics(1);
  t.same(diags.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.character]), [
    ['mls/unknown-flag', 4, 11, 17],
    ['mls/unknown-field', 6, 7, 15],
  ], 'the compiler\'s messages, with their ids and spans');
  t.match(diags[0]!.message, /unknown mlock2 flag "onfalt"\nnote: did you mean "onfault"\?/, 'notes follow the text');

  const fixes = await q<Array<{ title: string; edit: { changes: Record<string, Array<{ range: Rng; newText: string }>> } }>>('textDocument/codeAction', {
    range: diags[1]!.range, context: { diagnostics: [diags[1]] },
  });
  t.equal(fixes.length, 1);
  t.same(fixes[0]!.edit.changes[uri], [{ range: diags[1]!.range, newText: 'locked_vm' }], 'the quick fix writes the suggestion');

  // An edit: fix both names; the next publication is clean.
  await c.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [
      { range: diags[1]!.range, text: 'locked_vm' },
      { range: diags[0]!.range, text: 'onfault' },
    ],
  });
  t.same(await diagnostics(2), [], 'diagnostics as you type');

  const region = await q<{ contents: { value: string }; range: Rng }>('textDocument/hover', { position: { line: 3, character: 15 } });
  t.match(region.contents.value, /region `buf`: 16p \(65536 bytes\)/);
  t.match(region.contents.value, /bound on line 2 by `mmap` in process `main` \(inherited by `kid`\)/);
  t.same(region.range, { start: { line: 3, character: 14 }, end: { line: 3, character: 17 } });

  const flag = await q<{ contents: { value: string } }>('textDocument/hover', { position: { line: 1, character: 33 } });
  t.match(flag.contents.value, /§3\.3 Mappings and files/);
  t.match(flag.contents.value, /\| `locked` \| MAP_LOCKED/, 'the SPEC row of the mmap flag');
  const field = await q<{ contents: { value: string } }>('textDocument/hover', { position: { line: 5, character: 12 } });
  t.match(field.contents.value, /\| `flags` \| region \| smaps VmFlags/, 'the SPEC row of the field');
  const stmt = await q<{ contents: { value: string } }>('textDocument/hover', { position: { line: 4, character: 2 } });
  t.match(stmt.contents.value, /\| `mlock2` \| `mlock2 <range> \[onfault\]`/, 'the statement row');
  t.match(stmt.contents.value, /mlock2 buf 16p onfault +# MLOCK_ONFAULT = 1/, 'and its SPEC examples');
  t.equal(await q('textDocument/hover', { position: { line: 8, character: 0 } }), null, 'nothing to say on an empty line');

  const def = await q<{ uri: string; range: Rng }>('textDocument/definition', { position: { line: 7, character: 10 } });
  t.same(def, { uri, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } } }, '`buf+1p` → the mmap that bound buf');
  const proc = await q<{ range: Rng }>('textDocument/definition', { position: { line: 3, character: 4 } });
  t.same(proc.range.start, { line: 2, character: 0 }, '`in kid` → the fork');

  const symbols = await q<Array<{ name: string; children: Array<{ name: string; detail: string }> }>>('textDocument/documentSymbol');
  t.equal(symbols[0]!.name, 'lsp');
  t.same(symbols[0]!.children.map((s) => [s.name, s.detail]), [['buf', 'mmap in main'], ['kid', 'process']]);

  const labels = async (line: number, character: number) =>
    (await q<Array<{ label: string }>>('textDocument/completion', { position: { line, character } })).map((i) => i.label);
  const first = await labels(8, 0);
  t.ok(['mmap', 'mlock', 'expect', 'scenario', 'kernel', 'in'].every((w) => first.includes(w)), 'statements and headers at a line start');
  t.notOk(first.includes('buf'), 'no region at a line start');
  const afterMlock2 = await labels(4, 11);
  t.ok(afterMlock2.includes('onfault') && afterMlock2.includes('buf') && afterMlock2.includes('heap'), 'mlock2 flags and regions in scope');
  t.notOk(afterMlock2.includes('populate'), 'not another statement\'s flags');

  const edits = await q<Array<{ newText: string }>>('textDocument/formatting', { options: { tabSize: 2, insertSpaces: true } });
  t.equal(edits.length, 1);
  t.match(edits[0]!.newText, /\nmunmap buf \+ 1p 1p\n$/, 'formatted by `mls fmt`\'s formatter');

  await c.sendRequest('shutdown');
  await c.sendNotification('exit');
  t.equal(await exited, 0, 'exits 0 after shutdown and exit');
  t.equal(stderr(), '', 'nothing on stderr');
});

t.test('completion of profiles, errnos and fields; several errors on one document', async (t) => {
  const { c, diagnostics, exited, closeInput } = start(t);
  await c.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
  const text = 'scenario "x"\nkernel \nb = mmap 1p rw private anon\nmlock b => \nmlock b => ENOMEM on \nexpect b \n';
  await c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'mls', version: 1, text } });
  const labels = async (line: number, character: number) =>
    (await c.sendRequest<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri }, position: { line, character } })).map((i) => i.label);
  t.ok((await labels(1, 7)).includes('linux-6.18+posix-mlock'), 'profile names after `kernel`');
  const results = await labels(3, 11);
  t.ok(results.includes('ENOMEM') && results.includes('ok') && results.includes('SIGSEGV'), 'results after =>');
  t.ok((await labels(4, 21)).includes('linux-4.4'), 'profiles after `on`');
  const fields = await labels(5, 9);
  t.ok(fields.includes('resident_map') && fields.includes('b'), 'fields and regions after `expect`');
  const diags = await diagnostics(1);
  t.same(diags.map((d) => [d.code, d.range.start.line]), [['mls/parse', 1], ['mls/parse', 3], ['mls/parse', 4], ['mls/unknown-field', 5]], 'every unfinished line, not only the first');
  closeInput();
  t.equal(await exited, 1, 'the editor went away without shutdown: the server exits (1, as LSP says)');
});
