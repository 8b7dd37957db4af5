import { ErrorCode, WarehouseError } from '../errors/warehouse-error.js';
import { closestName } from './closest-name.js';

/** How far a graph operator reaches: a number of steps, or the whole way. */
export type Depth = number | 'all';

/** One selection criterion, e.g. `2+tag:nightly+` or `@wh_fact_sales`. */
export interface SelectorAtom {
  /** The criterion as written, for error messages. */
  text: string;
  method: SelectorMethod;
  value: string;
  /** Ancestors to add (`+x`, `2+x`); 0 for none. */
  parents: Depth | 0;
  /** Descendants to add (`x+`, `x+1`); 0 for none. */
  children: Depth | 0;
  /** `@x`: x, its descendants and every ancestor of those descendants. */
  childrenWithParents: boolean;
}

/** A union (space-separated terms) of intersections (comma-separated atoms). */
export type Selector = SelectorAtom[][];

export const selectorMethods = [
  'name',
  'tag',
  'domain',
  'package',
  'path',
  'source',
  'access',
  'kind',
  'config.materialized',
  'test_type',
  'test_name',
] as const;
export type SelectorMethod = (typeof selectorMethods)[number];

const atomPattern = /^(@)?(?:(\d*)\+)?([^+]+?)(?:\+(\d*))?$/;

/**
 * Parses dbt's selection grammar: `a b` is a union, `a,b` an intersection, `+x`/`x+` add
 * ancestors/descendants (`2+x`, `x+1` limit the depth), `@x` adds descendants and their
 * ancestors, `method:value` picks by tag, domain, package, path, source, access, kind,
 * materialization, or, for data tests, `test_type:generic|singular|<kind>` and `test_name:`. Several arguments are a union, as if joined by spaces.
 */
export function parseSelector(args: string | readonly string[]): Selector {
  const terms = (typeof args === 'string' ? [args] : args).flatMap((a) => a.split(/\s+/)).filter((t) => t.length > 0);
  return terms.map((term) =>
    term.split(',').map((part) => {
      if (part === '') throw invalid(term, 'an empty part between commas');
      return parseAtom(part);
    }),
  );
}

function parseAtom(text: string): SelectorAtom {
  const match = atomPattern.exec(text);
  if (!match) throw invalid(text, 'expected [@][N+]method:value[+N]');
  const [, at, parentDepth, body, childDepth] = match;
  if (at && parentDepth !== undefined) throw invalid(text, '`@` cannot be combined with a leading `+`');
  const colon = body!.indexOf(':');
  let method: string = 'name';
  let value = body!;
  if (colon >= 0) {
    method = body!.slice(0, colon);
    value = body!.slice(colon + 1);
    if (!(selectorMethods as readonly string[]).includes(method)) {
      const near = closestName(method, selectorMethods);
      throw invalid(text, `unknown method "${method}"${near ? ` (did you mean ${near}?)` : ''}; known: ${selectorMethods.join(', ')}`);
    }
  }
  if (value === '') throw invalid(text, `method ${method} needs a value`);
  return {
    text,
    method: method as SelectorMethod,
    value,
    parents: parentDepth === undefined ? 0 : parentDepth === '' ? 'all' : Number(parentDepth),
    children: childDepth === undefined ? 0 : childDepth === '' ? 'all' : Number(childDepth),
    childrenWithParents: at !== undefined,
  };
}

function invalid(part: string, why: string): WarehouseError {
  return new WarehouseError(ErrorCode.selectorInvalid, `invalid selector "${part}": ${why}`);
}
