import { isUtf8 } from 'node:buffer';

/**
 * Reading CSV as Postgres' COPY does (RFC 4180: fields in double quotes may hold delimiters,
 * newlines and doubled quotes), on bytes: the quote, delimiter and newline are ASCII, and no
 * byte of a multi-byte UTF-8 character equals an ASCII one.
 */

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

/**
 * The input cut into chunks of whole records: each chunk ends just after a newline outside
 * quotes (the last may end without one). COPY on PGlite takes a load in pieces, and a record
 * must not straddle two.
 */
export async function* wholeRecords(bytes: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  for await (const chunk of bytes) {
    const buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const end = lastRecordEnd(buffer);
    if (end < 0) {
      carry = buffer;
      continue;
    }
    yield buffer.subarray(0, end + 1);
    carry = end + 1 < buffer.length ? buffer.subarray(end + 1) : undefined;
  }
  if (carry && carry.length > 0) yield carry;
}

/** The position of the last newline of `buffer` outside quotes (it starts outside), or -1. */
export function lastRecordEnd(buffer: Buffer): number {
  let position = 0;
  let quoted = false;
  let last = -1;
  for (;;) {
    const quote = buffer.indexOf(QUOTE, position);
    if (!quoted) {
      const segmentEnd = quote === -1 ? buffer.length : quote;
      if (segmentEnd > position) {
        const newline = buffer.lastIndexOf(NEWLINE, segmentEnd - 1);
        if (newline >= position) last = newline;
      }
    }
    if (quote === -1) return last;
    quoted = !quoted;
    position = quote + 1;
  }
}

/** The fields of one record, unquoted (for a header line). */
export function parseCsvRecord(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field.replace(/\r?\n?$/, ''));
  return fields;
}

/** One record of a CSV file, as the checked load sees it. */
export interface CsvRecord {
  /** The file line the record starts on (1-based). */
  line: number;
  /** The record's bytes, without its line ending. */
  bytes: Buffer;
  /** How many fields it has. */
  fields: number;
  /** Where the next record may start: the offset in the input just after this one's line ending. */
  end: number;
  /** Why it cannot be copied as it is (structure or encoding), if it cannot. */
  problem?: string;
}

/**
 * Every record of a CSV file with its line number and field count, blank lines left out. A
 * quoted field still open at the end of the file makes the last record a problem.
 */
export async function* csvRecords(bytes: AsyncIterable<Buffer>, delimiter: string): AsyncGenerator<CsvRecord> {
  const separator = delimiter.charCodeAt(0);
  let line = 1;
  let offset = 0;
  for await (const chunk of wholeRecords(bytes)) {
    let start = 0;
    let fields = 1;
    let quoted = false;
    let newlines = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === QUOTE) quoted = !quoted;
      else if (byte === NEWLINE) {
        newlines++;
        if (!quoted) {
          const record = recordOf(chunk, start, i, line, fields, offset + i + 1);
          if (record) yield record;
          line += newlines;
          newlines = 0;
          start = i + 1;
          fields = 1;
        }
      } else if (byte === separator && !quoted) fields++;
    }
    if (start < chunk.length) {
      const record = recordOf(chunk, start, chunk.length, line, fields, offset + chunk.length);
      if (record) yield quoted ? { ...record, problem: 'has a quoted field that is never closed' } : record;
      line += newlines;
    }
    offset += chunk.length;
  }
}

function recordOf(chunk: Buffer, start: number, stop: number, line: number, fields: number, end: number): CsvRecord | undefined {
  if (stop > start && chunk[stop - 1] === RETURN) stop--;
  if (stop === start) return undefined; // a blank line holds no record
  const bytes = chunk.subarray(start, stop);
  if (bytes.includes(0)) return { line, bytes, fields, end, problem: 'contains a NUL byte, which Postgres cannot store in text' };
  if (!isUtf8(bytes)) return { line, bytes, fields, end, problem: 'is not valid UTF-8' };
  return { line, bytes, fields, end };
}

/** A value as one CSV field: quoted, quotes doubled. */
export function quoteCsvField(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** Whether text holds these bytes exactly: they are UTF-8 and hold no NUL (Postgres' text cannot). */
export const textHoldsExactly = (bytes: Buffer): boolean => !bytes.includes(0) && isUtf8(bytes);

/** A record's bytes as a bytea literal in hex (`\x...`), for the quarantine when text cannot hold them. */
export const byteaHex = (bytes: Buffer): string => `\\x${bytes.toString('hex')}`;

/** Text of a record for people and the quarantine table: invalid UTF-8 replaced, NUL shown as ␀. */
export function printableRecord(bytes: Buffer): string {
  return bytes.toString('utf8').replace(/\0/g, '\u2400');
}
