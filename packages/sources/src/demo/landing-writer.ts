import type { Adapter, AnySource } from '@warehouse/core';
import type { DeliveryFiles } from './delivery-files.js';

type Cell = string | number | boolean | null;

const FLUSH_BYTES = 4 * 1024 * 1024;

/** A value as Postgres CSV expects it: empty and unquoted is NULL, quoted empty is ''. */
function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  if (value === '' || /[",\n\r]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

/** Where the rows of a landed table go, a piece of CSV lines at a time, in the order produced. */
type Sink = (source: AnySource, chunk: string) => Promise<void>;

/** Rows into the landing tables, with COPY. */
export const landingTablesSink =
  (adapter: Adapter): Sink =>
  async (source, chunk) => {
    await adapter.copyCsv({ schema: source.schema, table: source.name, columns: Object.keys(source.columns) }, [chunk]);
  };

/** Rows into delivery files, `<dir>/<system>/<table>.csv` (see DeliveryFiles). */
export const deliveryFilesSink = (files: DeliveryFiles): Sink => (source, chunk) => files.append(source, chunk);

/**
 * Buffers rows per landed table and writes them to its sink in large pieces (never row by row).
 * Rows are given in the column order of the source declaration.
 */
export class LandingWriter {
  private readonly buffers = new Map<AnySource, { lines: string[]; bytes: number }>();
  readonly rowCounts = new Map<string, number>();
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly sink: Sink) {}

  /** Adds a row; `values` are in the order of `source.columns`. */
  add(source: AnySource, values: readonly Cell[]): void {
    let buffer = this.buffers.get(source);
    if (!buffer) {
      buffer = { lines: [], bytes: 0 };
      this.buffers.set(source, buffer);
    }
    const line = `${values.map(csvCell).join(',')}\n`;
    buffer.lines.push(line);
    buffer.bytes += line.length;
    this.rowCounts.set(source.id, (this.rowCounts.get(source.id) ?? 0) + 1);
    if (buffer.bytes >= FLUSH_BYTES) this.flushOne(source);
  }

  /** Waits for the COPYs started so far (call it between days, to bound memory). */
  async settle(): Promise<void> {
    await this.pending;
    if (this.failure) throw this.failure;
  }

  /** Writes everything added so far; rethrows a failed COPY. */
  async flush(): Promise<void> {
    for (const source of this.buffers.keys()) this.flushOne(source);
    await this.settle();
  }

  private flushOne(source: AnySource): void {
    const buffer = this.buffers.get(source);
    if (!buffer || buffer.lines.length === 0) return;
    const chunk = buffer.lines.join('');
    buffer.lines = [];
    buffer.bytes = 0;
    // one write at a time, in the order the rows were produced
    this.pending = this.pending
      .then(async () => {
        if (!this.failure) await this.sink(source, chunk);
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      });
  }
}
