import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) DIGIT[BASE64.charCodeAt(i)] = i;

/** One base64 VLQ number of a source map's `mappings` (what decodeMappings reads back). */
export function vlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}

/** A position in a source file: absolute path and 1-based line. */
export interface SourcePosition {
  file: string;
  line: number;
}

/**
 * Maps positions in a bundle to its TypeScript sources through the bundle's source map, read
 * and decoded on the first lookup. Node can do this too (`--enable-source-maps`), but it parses
 * the map of every module it loads, whether or not anything is ever looked up; a compile needs
 * one lookup per definition and none at all for a package restored from the compile cache.
 */
export class BundlePositions {
  private decoded?: { sources: string[]; lineStarts: number[]; columns: Int32Array; sourceIndexes: Int32Array; sourceLines: Int32Array } | null;

  constructor(private readonly mapFile: string) {}

  /** The source position of a generated one (1-based line and column), or undefined when unmapped. */
  original(line: number, column: number): SourcePosition | undefined {
    const map = this.map();
    if (!map || line < 1) return undefined;
    const { lineStarts, columns, sourceIndexes, sourceLines } = map;
    // the last segment at or before the position, on this line or an earlier one
    for (let l = Math.min(line - 1, lineStarts.length - 2); l >= 0; l--) {
      let found = -1;
      for (let s = lineStarts[l]!; s < lineStarts[l + 1]!; s++) {
        if (l === line - 1 && columns[s]! > column - 1) break;
        if (sourceIndexes[s]! >= 0) found = s;
      }
      if (found >= 0) return { file: map.sources[sourceIndexes[found]!]!, line: sourceLines[found]! + 1 };
    }
    return undefined;
  }

  private map() {
    if (this.decoded !== undefined) return this.decoded;
    try {
      const raw = JSON.parse(readFileSync(this.mapFile, 'utf8')) as { sources: string[]; sourceRoot?: string; mappings: string };
      const base = resolve(dirname(this.mapFile), raw.sourceRoot ?? '');
      // sources are relative to the map: joined by hand, path.resolve per source is slow for thousands
      const baseParts = base.split('/');
      this.decoded = { sources: raw.sources.map((s) => (s.startsWith('/') || s.includes('\\') || s.includes(':') ? resolve(base, s) : joinRelative(baseParts, s))), ...decodeMappings(raw.mappings) };
    } catch {
      this.decoded = null;
    }
    return this.decoded;
  }
}

/** `base/relative` for an absolute POSIX base split on '/', with `.` and `..` segments applied. */
function joinRelative(baseParts: readonly string[], relative: string): string {
  const parts = [...baseParts];
  for (const part of relative.split('/')) {
    if (part === '..') {
      if (parts.length > 1) parts.pop();
    } else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

/** The segments of a `mappings` string (source map v3), flat: generated column, source index, source line. */
function decodeMappings(mappings: string): { lineStarts: number[]; columns: Int32Array; sourceIndexes: Int32Array; sourceLines: Int32Array } {
  const capacity = mappings.length; // a segment takes at least one character
  const columns = new Int32Array(capacity);
  const sourceIndexes = new Int32Array(capacity);
  const sourceLines = new Int32Array(capacity);
  const lineStarts = [0];
  let count = 0;
  let column = 0;
  let source = 0;
  let sourceLine = 0;
  let field = 0;
  let value = 0;
  let shift = 0;
  const fields = [0, 0, 0, 0, 0];
  const endSegment = () => {
    if (field === 0) return;
    column += fields[0]!;
    columns[count] = column;
    if (field >= 4) {
      source += fields[1]!;
      sourceLine += fields[2]!;
      sourceIndexes[count] = source;
      sourceLines[count] = sourceLine;
    } else {
      sourceIndexes[count] = -1;
    }
    count++;
    field = 0;
  };
  for (let i = 0; i < mappings.length; i++) {
    const code = mappings.charCodeAt(i);
    if (code === 59 /* ; */) {
      endSegment();
      lineStarts.push(count);
      column = 0;
    } else if (code === 44 /* , */) {
      endSegment();
    } else {
      const digit = DIGIT[code] ?? -1;
      if (digit < 0) continue;
      value += (digit & 31) << shift;
      if (digit & 32) shift += 5;
      else {
        if (field < fields.length) fields[field] = value & 1 ? -(value >>> 1) : value >>> 1;
        field++;
        value = 0;
        shift = 0;
      }
    }
  }
  endSegment();
  lineStarts.push(count);
  return { lineStarts, columns, sourceIndexes, sourceLines };
}
