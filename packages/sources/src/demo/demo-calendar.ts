/**
 * Days of the demo world, counted from its epoch. Everything the generator makes is tied to
 * a day index, so a period can be generated on its own and comes out the same.
 */

/** The first day of the demo world. */
export const EPOCH = '2025-01-01';
const EPOCH_MS = Date.parse(`${EPOCH}T00:00:00Z`);
const DAY_MS = 86_400_000;

export function dayIndex(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new Error(`not a date: ${JSON.stringify(date)} (expected YYYY-MM-DD)`);
  }
  return Math.round((Date.parse(`${date}T00:00:00Z`) - EPOCH_MS) / DAY_MS);
}

export function dateOf(day: number): string {
  return new Date(EPOCH_MS + day * DAY_MS).toISOString().slice(0, 10);
}

/** An ISO timestamp `seconds` into the day. */
export function timestampOf(day: number, seconds: number): string {
  return new Date(EPOCH_MS + day * DAY_MS + Math.floor(seconds) * 1000).toISOString();
}

/** When the nightly delivery of a day lands: 02:00 UTC the next morning. */
export function loadedAtOf(day: number): string {
  return timestampOf(day + 1, 2 * 3600);
}

/** 0 = Monday ... 6 = Sunday. */
export function weekdayOf(day: number): number {
  return (new Date(EPOCH_MS + day * DAY_MS).getUTCDay() + 6) % 7;
}

/** Relative order volume of a day: weekends and November/December are busier. */
export function demandFactor(day: number): number {
  const weekday = [0.9, 0.92, 0.95, 1.0, 1.1, 1.25, 0.95][weekdayOf(day)]!;
  const month = new Date(EPOCH_MS + day * DAY_MS).getUTCMonth();
  const season = [0.85, 0.8, 0.9, 0.95, 1.0, 0.95, 0.95, 0.95, 1.0, 1.05, 1.3, 1.5][month]!;
  return weekday * season;
}
