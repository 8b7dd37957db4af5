import { createHash } from 'node:crypto';
import { ErrorCode, type Problem } from '../errors/warehouse-error.js';
import type { Columns } from '../model/columns.js';
import type { ColumnTest, RelationTest, TestKind, TestOptions } from './data-test-config.js';

/** One data test, normalized: what it checks, on which relation and column, and how it is judged. */
export interface DataTest {
  name: string;
  kind: TestKind;
  /** Id of the tested model or source node. */
  attachedTo: string;
  column?: string;
  options: TestOptions;
  /** The kind's own parameters (values, to/field, expression, columns, min/max, sql). */
  params: Record<string, unknown>;
}

const KINDS = new Set<TestKind>(['unique', 'not_null', 'accepted_values', 'relationships', 'expression', 'row_count', 'sql']);

/** Postgres truncates names at 63 bytes; failures are stored in a table named after the test. */
const MAX_TEST_NAME = 63;

/**
 * The data tests a model or source declares, on its columns and on the whole relation, with
 * names derived as dbt does (`not_null_<model>_<column>`), and a problem for each test that
 * names a column the relation does not have or a kind that does not exist.
 */
export function collectTests(
  subject: { id: string; label: string; name: string; columns: Columns; tests?: readonly RelationTest[] },
): { tests: DataTest[]; problems: Problem[] } {
  const tests: DataTest[] = [];
  const problems: Problem[] = [];
  const problem = (message: string) => problems.push({ code: ErrorCode.testInvalid, model: subject.name, message: `${subject.label}: ${message}` });

  for (const [column, spec] of Object.entries(subject.columns)) {
    for (const raw of spec.tests ?? []) {
      const test = (typeof raw === 'string' ? { type: raw } : raw) as Exclude<ColumnTest, string>;
      const kind = String(test.type);
      if (!KINDS.has(kind as TestKind) || kind === 'row_count' || kind === 'sql') {
        problem(`column ${column} has a test of unknown type ${JSON.stringify(test.type)} (column tests: unique, not_null, accepted_values, relationships, expression)`);
        continue;
      }
      const { type, name, description, severity, warnIf, errorIf, where, storeFailures, scope, ...params } = test as Exclude<ColumnTest, string> &
        TestOptions & Record<string, unknown>;
      const suffix = type === 'relationships' ? `__${targetName(params.to)}` : type === 'expression' ? `__${shortHash(String(params.expression))}` : '';
      tests.push({
        name: name ?? testName(`${type}_${subject.name}_${column}${suffix}`),
        kind: type as TestKind,
        attachedTo: subject.id,
        column,
        options: clean({ description, severity, warnIf, errorIf, where, storeFailures, scope }),
        params,
      });
    }
  }

  for (const test of subject.tests ?? []) {
    const kind = String((test as { type: unknown }).type);
    if (!KINDS.has(kind as TestKind) || kind === 'not_null' || kind === 'accepted_values' || kind === 'relationships') {
      problem(`has a test of unknown type ${JSON.stringify((test as { type: unknown }).type)} (model tests: unique, expression, row_count, sql)`);
      continue;
    }
    const { type, name, description, severity, warnIf, errorIf, where, storeFailures, scope, ...params } = test as RelationTest & TestOptions & Record<string, unknown>;
    if (type === 'unique') {
      const columns = (params as { columns?: readonly string[] }).columns ?? [];
      if (columns.length === 0) problem('a unique test needs columns');
      for (const c of columns) if (!(c in subject.columns)) problem(`its unique test names column ${c}, which it does not have`);
    }
    if ((type === 'expression' || type === 'sql') && !name) problem(`its ${type} test needs a name`);
    const derived = type === 'unique' ? `unique_${subject.name}_${((params as { columns?: string[] }).columns ?? []).join('__')}` : `${type}_${subject.name}`;
    tests.push({
      name: name ?? testName(derived),
      kind: type as TestKind,
      attachedTo: subject.id,
      options: clean({ description, severity, warnIf, errorIf, where, storeFailures, scope }),
      params,
    });
  }

  for (const test of tests) {
    if (test.options.severity !== undefined && test.options.severity !== 'warn' && test.options.severity !== 'error') {
      problem(`test ${test.name} has severity ${JSON.stringify(test.options.severity)}; use warn or error`);
    }
    if (test.options.scope !== undefined && test.options.scope !== 'changed' && test.options.scope !== 'all') {
      problem(`test ${test.name} has scope ${JSON.stringify(test.options.scope)}; use changed or all`);
    }
    if (!/^[a-z_][a-z0-9_]*$/.test(test.name)) problem(`test name ${JSON.stringify(test.name)} must be a lower-case identifier`);
  }
  return { tests, problems };
}

function targetName(to: unknown): string {
  if (typeof to === 'string') return to;
  if (to && typeof to === 'object' && 'name' in to) return String((to as { name: unknown }).name);
  return 'unknown';
}

/** Long names are cut and made unique with a hash of the whole. */
function testName(name: string): string {
  const safe = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return safe.length <= MAX_TEST_NAME ? safe : `${safe.slice(0, MAX_TEST_NAME - 9)}_${shortHash(safe)}`;
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

function clean(options: TestOptions): TestOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TestOptions;
}
