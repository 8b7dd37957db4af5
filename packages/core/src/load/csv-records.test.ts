import { describe, expect, it } from 'vitest';
import { csvRecords, lastRecordEnd, parseCsvRecord, wholeRecords } from './csv-records.js';

async function* piecesOf(text: string, sizes: number[]): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const csv = 'id,note\n1,"a\nb"\n2,"say ""hi"", then\n\nleave"\n3,é\n';

describe('whole records', () => {
  it('cuts only between records, whatever the pieces the file was read in', async () => {
    for (const sizes of [[1], [2, 3], [5], [7, 1, 13], [1000]]) {
      const chunks = await all(wholeRecords(piecesOf(csv, sizes)));
      expect(Buffer.concat(chunks).toString()).toBe(csv);
      // every chunk ends at a record end: parsing each alone gives the records of the whole
      for (const chunk of chunks) expect(chunk.at(-1)).toBe(0x0a);
      const records = chunks.flatMap((c) => c.toString().split(/\n(?=\d|id)/));
      expect(records.length).toBe(4);
    }
  });

  it('finds the last newline outside quotes', () => {
    expect(lastRecordEnd(Buffer.from('1,"x\ny"\n2,"open\n'))).toBe(7);
    expect(lastRecordEnd(Buffer.from('1,"x\n'))).toBe(-1);
    expect(lastRecordEnd(Buffer.from('"'))).toBe(-1);
    expect(lastRecordEnd(Buffer.from(''))).toBe(-1);
  });
});

describe('csv records', () => {
  it('numbers records by the line they start on, counts fields outside quotes, skips blank lines', async () => {
    const text = `${csv}\r\n4,x,extra\r\n`;
    const records = await all(csvRecords(piecesOf(text, [3]), ','));
    expect(records.map((r) => [r.line, r.fields, r.bytes.toString()])).toEqual([
      [1, 2, 'id,note'],
      [2, 2, '1,"a\nb"'],
      [4, 2, '2,"say ""hi"", then\n\nleave"'],
      [7, 2, '3,é'],
      [9, 3, '4,x,extra'],
    ]);
    // each record's end is just after its line ending in the input
    for (const r of records) {
      const upTo = Buffer.from(text).subarray(0, r.end).toString();
      expect(upTo.endsWith(`${r.bytes.toString()}\n`) || upTo.endsWith(`${r.bytes.toString()}\r\n`)).toBe(true);
    }
  });

  it('reports a record it cannot copy as it is', async () => {
    const records = await all(csvRecords(piecesOf('1,a\u0000b\n2,"never closed\n', [4]), ','));
    expect(records.map((r) => [r.line, r.problem])).toEqual([
      [1, 'contains a NUL byte, which Postgres cannot store in text'],
      [2, 'has a quoted field that is never closed'],
    ]);
  });

  it('unquotes the fields of a header', () => {
    expect(parseCsvRecord('id,"a, b","say ""x"""', ',')).toEqual(['id', 'a, b', 'say "x"']);
    expect(parseCsvRecord('id\tname\r\n', '\t')).toEqual(['id', 'name']);
  });
});
