import { sql, type RawBuilder } from 'kysely';
import { isModel } from '../model/define-model.js';
import { isSource } from '../model/define-source.js';
import { queryBuilder, sqlText, type SqlSource } from './sql-text.js';

/**
 * A SQL body (a model's, a custom test's or a KPI's `sql` function) recorded once as text with
 * holes: every relation or value it asked its context for (`ref`, `source`, `self`, `selfMax`,
 * `eventTimeFilter`, the KPI period) is a hole, filled in when the SQL is rendered for a
 * target. A body is a function of its context, so recording it once per value of
 * `isIncremental()` captures everything it can produce; rendering is then string work, and
 * the template is plain data that a compile cache can keep. The one exception is a body that
 * reads `target.name`: its text may differ per target, so it is recorded per target.
 */
export type Hole =
  | { kind: 'ref'; name: string; version?: number }
  | { kind: 'source'; system: string; name: string }
  | { kind: 'self' }
  | { kind: 'selfMax'; column: string }
  /** `expression` is the text of the expression the body passed, with its own holes. */
  | { kind: 'eventTimeFilter'; expression: string }
  | { kind: 'period'; part: PeriodPart };

export type PeriodPart = 'from' | 'to' | 'previousFrom' | 'previousTo';

/** One run of a body: its text and holes, or the message it failed with. */
export type TemplateVariant =
  | { text: string; holes: Hole[]; askedIncremental: boolean }
  | { error: string; holes: Hole[]; askedIncremental: boolean };

export interface SqlTemplate {
  /** The body run with `isIncremental()` false (and for tests and KPIs, the only run). */
  full: TemplateVariant;
  /** The body run with `isIncremental()` true; only recorded when the full run asked it. */
  incremental?: TemplateVariant;
  /** Set when the body read `target.name`: the template holds for that target only. */
  target?: string;
}

/** What kind of body: which holes its context offers. */
export type BodyKind = 'model' | 'test' | 'kpi';

type Body = (context: never) => unknown;

const OPEN = '\uE000';
const CLOSE = '\uE001';
const HOLE = /\uE000(\d+)\uE001/g;
const marker = (index: number) => `${OPEN}${index}${CLOSE}`;

/** Templates attached to replay functions (restored definitions carry no live body). */
const ATTACHED = Symbol.for('warehouse.sqlTemplate');
/** Templates recorded from live bodies, per kind and (for bodies that read it) target. */
const recorded = new WeakMap<Body, Map<string, SqlTemplate>>();

/**
 * The template of a body for a target: the one attached to a restored body, else recorded
 * from the live function (once; again per target only for a body that reads the target).
 */
export function templateOf(body: unknown, kind: BodyKind, targetName: string): SqlTemplate {
  const attached = (body as { [ATTACHED]?: SqlTemplate } | undefined)?.[ATTACHED];
  if (attached) return attached;
  if (typeof body !== 'function') return { full: { error: `sql must be a function, got ${describe(body)}`, holes: [], askedIncremental: false } };
  let byKey = recorded.get(body as Body);
  if (!byKey) recorded.set(body as Body, (byKey = new Map()));
  const neutral = byKey.get(kind);
  if (neutral && neutral.target === undefined) return neutral;
  const key = `${kind}\0${targetName}`;
  const existing = byKey.get(key);
  if (existing) return existing;
  const template = recordSql(body as Body, kind, targetName);
  byKey.set(template.target === undefined ? kind : key, template);
  return template;
}

/** Runs a body with a recording context: once, and again with `isIncremental()` true if it asked. */
export function recordSql(body: Body, kind: BodyKind, targetName: string): SqlTemplate {
  let usedTarget = false;
  const onTarget = () => (usedTarget = true);
  const full = recordVariant(body, kind, false, targetName, onTarget);
  const incremental = kind === 'model' && full.askedIncremental ? recordVariant(body, kind, true, targetName, onTarget) : undefined;
  return { full, ...(incremental ? { incremental } : {}), ...(usedTarget ? { target: targetName } : {}) };
}

function recordVariant(body: Body, kind: BodyKind, incremental: boolean, targetName: string, onTarget: () => void): TemplateVariant {
  const holes: Hole[] = [];
  let askedIncremental = false;
  const hole = (h: Hole): RawBuilder<any> => {
    holes.push(h);
    return sql.raw(marker(holes.length - 1));
  };
  const context: Record<string, unknown> = {
    ref: (target: unknown, options?: { version?: number }) => {
      if (typeof target === 'string') return hole({ kind: 'ref', name: target, ...(options?.version === undefined ? {} : { version: options.version }) });
      if (isModel(target)) return hole({ kind: 'ref', name: target.name, ...(target.version === undefined ? {} : { version: target.version }) });
      throw new TypeError(`ref() takes a model or a model name, got ${describe(target)}`);
    },
    source: (target: unknown, table?: string) => {
      const [system, name] = isSource(target) ? [target.system, target.name] : [target, table];
      if (typeof system !== 'string' || typeof name !== 'string') {
        throw new TypeError(`source() takes a source, or a system and a table name, got ${describe(target)}`);
      }
      return hole({ kind: 'source', system, name });
    },
    db: queryBuilder,
    // a getter on the name, not on target: spreading the context must not count as a read
    target: {
      get name() {
        onTarget();
        return targetName;
      },
    },
  };
  if (kind === 'model') {
    Object.defineProperty(context, 'self', { enumerable: true, get: () => hole({ kind: 'self' }) });
    context.isIncremental = () => {
      askedIncremental = true;
      return incremental;
    };
    context.selfMax = (column: string) => hole({ kind: 'selfMax', column });
    // as the body wrote it: a RawBuilder is embedded, anything else becomes a literal
    context.eventTimeFilter = (expression: unknown) => hole({ kind: 'eventTimeFilter', expression: sqlText(sql`${expression}`) });
  } else if (kind === 'test') {
    Object.defineProperty(context, 'self', { enumerable: true, get: () => hole({ kind: 'self' }) });
  } else {
    context.period = {
      from: hole({ kind: 'period', part: 'from' }),
      to: hole({ kind: 'period', part: 'to' }),
      previousFrom: hole({ kind: 'period', part: 'previousFrom' }),
      previousTo: hole({ kind: 'period', part: 'previousTo' }),
    };
  }
  try {
    const result = (body as (context: unknown) => unknown)(context);
    if (!result || typeof (result as { toOperationNode?: unknown }).toOperationNode !== 'function') {
      throw new TypeError(`sql() must return a kysely sql\`...\` template or query builder, got ${describe(result)}`);
    }
    return { text: sqlText(result as SqlSource).trim(), holes, askedIncremental };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), holes, askedIncremental };
  }
}

/**
 * Renders a variant: each hole in order is turned into text by `fill` (which may record what
 * was read), and the text gets them in place. `fill` gets the text rendered so far for the
 * earlier holes, for an event-time expression that contains some.
 */
export function fillTemplate(variant: TemplateVariant, fill: (hole: Hole, substitute: (text: string) => string) => string): string | { error: string } {
  const texts: string[] = [];
  const substitute = (text: string) => (text.includes(OPEN) ? text.replace(HOLE, (_, i: string) => texts[Number(i)] ?? '') : text);
  for (const hole of variant.holes) texts.push(fill(hole, substitute));
  if ('error' in variant) return { error: variant.error };
  return substitute(variant.text);
}

/**
 * A function standing in for a body that is known only by its template (a definition restored
 * from the compile cache): called with a context, it asks the context for every hole in the
 * recorded order and returns the SQL with them in place, as the original body would.
 */
export function replayBody(template: SqlTemplate): Body {
  const replay = (context: Record<string, any>): SqlSource => {
    const variant = template.incremental && context.isIncremental?.() ? template.incremental : template.full;
    const values: RawBuilder<unknown>[] = [];
    const compose = (text: string): RawBuilder<unknown> => {
      const parts = text.split(HOLE);
      // split with a capture group alternates text and hole indexes
      return sql.join(
        parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : values[Number(part)]!)),
        sql``,
      );
    };
    for (const hole of variant.holes) {
      if (hole.kind === 'ref') values.push(context.ref(hole.name, hole.version === undefined ? undefined : { version: hole.version }));
      else if (hole.kind === 'source') values.push(context.source(hole.system, hole.name));
      else if (hole.kind === 'self') values.push(context.self);
      else if (hole.kind === 'selfMax') values.push(context.selfMax(hole.column));
      else if (hole.kind === 'eventTimeFilter') values.push(context.eventTimeFilter(compose(hole.expression)));
      else values.push(context.period[hole.part]);
    }
    if ('error' in variant) throw new Error(variant.error);
    return compose(variant.text);
  };
  return Object.assign(replay, { [ATTACHED]: template }) as Body;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
