// `mls lsp`: the language server over stdio (vscode-languageserver). Each open
// document is analysed on open and on every change (analyze.ts: the compiler's
// messages and the bindings); the handlers answer from the latest analysis.
import { createConnection, TextDocuments, TextDocumentSyncKind, type Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { formatSource } from '../grammar/format.js';
import { analyze, type Analysis } from './analyze.js';
import { complete } from './completion.js';
import { fixFor, toDiagnostic } from './diagnostics.js';
import { hover } from './hover.js';
import { definition, documentSymbols } from './symbols.js';

/**
 * analyze() on a document; if it throws (a bug), the document still gets one
 * `mls/internal` diagnostic instead of the server dying mid-session.
 */
function analyzeSafely(text: string, file: string): Analysis {
  try {
    return analyze(text, file);
  } catch (e) {
    const blank = analyze('', file);
    const message = e instanceof Error ? e.message : String(e);
    blank.messages.splice(0, blank.messages.length, {
      id: 'mls/internal', severity: 'error', text: `internal language server error: ${message}`,
      location: { file, line: 1, column: 1, length: 0 }, notes: [{ text: 'this is a bug in mls; please report it with the input file' }],
    });
    return blank;
  }
}

/** The path messages name (as `mls check` would), or the URI for unsaved documents. */
function fileOf(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

export function startServer(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, version: string): Connection {
  const connection = createConnection(input, output);
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, { version: number; analysis: Analysis }>();

  const analysisOf = (uri: string): Analysis | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const cached = analyses.get(uri);
    if (cached && cached.version === doc.version) return cached.analysis;
    const analysis = analyzeSafely(doc.getText(), fileOf(uri));
    analyses.set(uri, { version: doc.version, analysis });
    return analysis;
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: [' ', '='] },
      definitionProvider: true,
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
    },
    serverInfo: { name: 'mls', version },
  }));

  documents.onDidChangeContent(({ document }) => {
    const a = analysisOf(document.uri);
    if (!a) return;
    void connection.sendDiagnostics({
      uri: document.uri,
      version: document.version,
      diagnostics: a.messages.map((m) => toDiagnostic(m, document.uri, a.file)),
    });
  });
  documents.onDidClose(({ document }) => {
    analyses.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onHover(({ textDocument, position }) => {
    const a = analysisOf(textDocument.uri);
    return (a && hover(a, position)) ?? null;
  });
  connection.onCompletion(({ textDocument, position }) => {
    const a = analysisOf(textDocument.uri);
    return a ? complete(a, position) : [];
  });
  connection.onDefinition(({ textDocument, position }) => {
    const a = analysisOf(textDocument.uri);
    const range = a && definition(a, position);
    return range ? { uri: textDocument.uri, range } : null;
  });
  connection.onDocumentSymbol(({ textDocument }) => {
    const a = analysisOf(textDocument.uri);
    return a ? documentSymbols(a) : [];
  });
  connection.onDocumentFormatting(({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    // The same formatter as `mls fmt`; a file with syntax errors is left alone (its diagnostics say why).
    const out = formatSource(doc.getText(), fileOf(textDocument.uri));
    if (out.text === undefined || out.text === doc.getText()) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, newText: out.text }];
  });
  connection.onCodeAction(({ textDocument, context }) =>
    context.diagnostics.flatMap((d) => {
      const fix = fixFor(d, textDocument.uri);
      return fix ? [fix] : [];
    }),
  );

  documents.listen(connection);
  connection.listen();
  return connection;
}
