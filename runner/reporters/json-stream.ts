// JSON.stringify(value, null, 2), written in pieces: the containers of the top
// `depth` levels are walked here and everything below them stringified whole,
// re-indented (a JSON string never holds a raw newline, so every '\n' of a
// piece is a line break). A run's document can pass V8's longest string.

/** Write JSON.stringify(value, null, 2) through out, byte for byte the same. */
export function writeJson(value: unknown, out: (s: string) => void, depth = 4): void {
  emit(value, '', depth, out);
}

function emit(v: unknown, indent: string, depth: number, out: (s: string) => void): void {
  if (depth === 0 || v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    const text = JSON.stringify(v, null, 2);
    out(indent === '' ? text : text.replace(/\n/g, `\n${indent}`));
    return;
  }
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) { out('[]'); return; }
    out('[');
    v.forEach((x, i) => {
      out(`${i ? ',' : ''}\n${inner}`);
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') out('null');
      else emit(x, inner, depth - 1, out);
    });
    out(`\n${indent}]`);
    return;
  }
  const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol');
  if (entries.length === 0) { out('{}'); return; }
  out('{');
  entries.forEach(([k, x], i) => {
    out(`${i ? ',' : ''}\n${inner}${JSON.stringify(k)}: `);
    emit(x, inner, depth - 1, out);
  });
  out(`\n${indent}}`);
}
