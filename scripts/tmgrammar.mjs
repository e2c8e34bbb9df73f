#!/usr/bin/env node
// Write editors/vscode/syntaxes/mls.tmLanguage.json from lsp/textmate.ts (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { tmGrammar } from '../dist/lsp/textmate.js';

const out = new URL('../editors/vscode/syntaxes/mls.tmLanguage.json', import.meta.url);
writeFileSync(out, JSON.stringify(tmGrammar(), null, 2) + '\n');
process.stderr.write(`wrote ${out.pathname}\n`);
