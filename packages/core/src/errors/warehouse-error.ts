/**
 * Stable error codes. Callers branch on `code`, never on message text, so messages can
 * keep improving without breaking anyone.
 */
export const ErrorCode = {
  configNotFound: 'CONFIG_NOT_FOUND',
  configInvalid: 'CONFIG_INVALID',
  packageLoadFailed: 'PACKAGE_LOAD_FAILED',
  modelInvalid: 'MODEL_INVALID',
  sourceInvalid: 'SOURCE_INVALID',
  modelSqlFailed: 'MODEL_SQL_FAILED',
  duplicateModel: 'DUPLICATE_MODEL',
  missingModel: 'MISSING_MODEL',
  missingSource: 'MISSING_SOURCE',
  undeclaredDependency: 'UNDECLARED_DEPENDENCY',
  accessViolation: 'ACCESS_VIOLATION',
  domainMismatch: 'DOMAIN_MISMATCH',
  modelCycle: 'MODEL_CYCLE',
  packageCycle: 'PACKAGE_CYCLE',
  contractInvalid: 'CONTRACT_INVALID',
  contractMismatch: 'CONTRACT_MISMATCH',
  selectorInvalid: 'SELECTOR_INVALID',
  connectionFailed: 'CONNECTION_FAILED',
  sqlFailed: 'SQL_FAILED',
  dependentObject: 'DEPENDENT_OBJECT',
  cancelled: 'CANCELLED',
  graphInvalid: 'GRAPH_INVALID',
  testInvalid: 'TEST_INVALID',
  deprecatedModel: 'DEPRECATED_MODEL',
  loadInvalid: 'LOAD_INVALID',
  loadRejected: 'LOAD_REJECTED',
  loadRepeated: 'LOAD_REPEATED',
  loadIndexFailed: 'LOAD_INDEX_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One problem found while validating a project; validation reports all of them at once. */
export interface Problem {
  code: ErrorCode;
  /** The model (or source, or package) the problem is about, when there is one. */
  model?: string;
  message: string;
}

/**
 * The one error class of the warehouse. The message names the model, file, column or row
 * it is about; `problems` carries every finding when one error stands for many.
 */
export class WarehouseError extends Error {
  readonly code: ErrorCode;
  readonly problems: readonly Problem[];
  /** Facts for machines (a line number, a SQLSTATE); the message already says them for people. */
  readonly details: Readonly<Record<string, string | number>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; problems?: readonly Problem[]; details?: Record<string, string | number> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WarehouseError';
    this.code = code;
    this.problems = options.problems ?? [];
    this.details = options.details ?? {};
  }
}

/** True when `error` is a WarehouseError, optionally with the given code. */
export function isWarehouseError(error: unknown, code?: ErrorCode): error is WarehouseError {
  return error instanceof WarehouseError && (code === undefined || error.code === code);
}
