import { sql, type Kysely } from 'kysely';
import { sqlText } from '../compile/sql-text.js';
import { ErrorCode, WarehouseError } from '../errors/warehouse-error.js';
import { changedRowsPathOf, type PlannedTest } from './plan.js';
import type { NodeStatus } from './run-result.js';

export interface TestOutcome {
  status: NodeStatus;
  failures: number;
  message: string;
  failuresRelation?: string;
}

/**
 * Runs one data test in the caller's transaction: counts the failing rows and judges them
 * against the test's severity and thresholds. With `storeFailures`, the failing rows replace
 * `<audit schema>.<test name>` (dropped when the test passes).
 */
export async function runTest(
  transaction: Kysely<any>,
  test: PlannedTest,
  options: { storeFailures: boolean; auditSchema: string; onStatement: (sql: string) => void; changedRowsOnly?: boolean },
): Promise<TestOutcome> {
  const failingSql = options.changedRowsOnly && test.changedRowsSql ? test.changedRowsSql : test.sql;
  const compiledPath = failingSql === test.sql ? test.compiledPath : changedRowsPathOf(test.compiledPath);
  const run = async (statement: string) => {
    options.onStatement(statement);
    try {
      return await sql.raw(statement).execute(transaction);
    } catch (error) {
      throw new WarehouseError(ErrorCode.sqlFailed, `test ${test.name} failed to run: ${(error as Error).message} (SQL in ${compiledPath})`, { cause: error });
    }
  };
  if (test.guaranteedBy && !options.storeFailures) {
    return { status: 'success', failures: 0, message: `${test.test.kind} on ${describeTarget(test)}: passed, guaranteed by ${test.guaranteedBy} (not queried)` };
  }
  const counted = await run(sqlText(sql`select count(*) as failures from (${sql.raw(failingSql)}) as failing`));
  const failures = Number((counted.rows[0] as { failures: string }).failures);
  const { severity = 'error', warnIf = 0, errorIf = 0 } = test.test.options;
  const status: NodeStatus = severity === 'error' && failures > errorIf ? 'error' : failures > warnIf ? 'warn' : 'success';

  let failuresRelation: string | undefined;
  if (options.storeFailures || test.test.options.storeFailures) {
    const table = sql.id(options.auditSchema, test.name);
    await run(sqlText(sql`drop table if exists ${table}`));
    if (failures > 0) {
      await run(sqlText(sql`create table ${table} as ${sql.raw(failingSql)}`));
      failuresRelation = `${options.auditSchema}.${test.name}`;
    }
  }
  const where = `${describeTarget(test)}${failingSql === test.sql ? '' : ' (rows this run changed)'}`;
  const judged = status === 'success' ? 'passed' : `${failures} failing row(s)${status === 'warn' ? ' (warning)' : ''}`;
  const stored = failuresRelation ? `; stored in ${failuresRelation}` : '';
  return {
    status,
    failures,
    message: `${test.test.kind} on ${where}: ${judged}${stored}`,
    ...(failuresRelation ? { failuresRelation } : {}),
  };
}

/** `model.column`, or the model, a test is about. */
function describeTarget(test: PlannedTest): string {
  const subject = test.test.attachedTo.replace(/^\w+\./, '');
  return test.test.column ? `${subject}.${test.test.column}` : subject;
}
