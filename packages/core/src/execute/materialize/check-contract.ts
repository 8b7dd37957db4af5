import { ErrorCode, WarehouseError } from '../../errors/warehouse-error.js';
import { canonicalPgType, pgTypeFits } from '../../model/column-types.js';
import type { Columns } from '../../model/columns.js';
import type { RelationColumn } from './relation-columns.js';

/**
 * Compares a query's output columns with a model's contract and throws one
 * CONTRACT_MISMATCH error listing every difference: missing, unexpected and retyped columns.
 */
export function checkContract(model: string, contract: Columns, actual: readonly RelationColumn[]): void {
  const differences: string[] = [];
  const actualByName = new Map(actual.map((c) => [c.name, c]));
  for (const [name, spec] of Object.entries(contract)) {
    const found = actualByName.get(name);
    const expected = canonicalPgType(spec.type) ?? spec.type;
    if (!found) differences.push(`  - ${name}: expected ${expected}, but the query has no such column`);
    else if (!pgTypeFits(spec.type, found.type)) differences.push(`  - ${name}: expected ${expected}, got ${found.type}`);
  }
  for (const column of actual) {
    if (!(column.name in contract)) differences.push(`  - ${column.name}: not in the contract (the query returns it as ${column.type})`);
  }
  if (differences.length > 0) {
    throw new WarehouseError(
      ErrorCode.contractMismatch,
      `model ${model}: the query does not match its contract (${differences.length} difference(s)):\n${differences.join('\n')}`,
    );
  }
}
