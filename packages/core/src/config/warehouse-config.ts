import { resolve } from 'node:path';
import { z } from 'zod';
import type { AdapterSettings } from '../adapter/create-adapter.js';
import { ErrorCode, WarehouseError } from '../errors/warehouse-error.js';

const identifierPrefix = z.string().regex(/^[a-z_][a-z0-9_]*$|^$/, 'must be empty or a lower-case SQL identifier prefix');

/** Settings shared by every kind of target. */
const targetBase = {
  /** Prepended to every domain schema (`ci_` gives `ci_sales`, ...). */
  schemaPrefix: identifierPrefix.default(''),
  /** Models built at once on this target; defaults to the project's `threads`. */
  threads: z.number().int().min(1).max(64).optional(),
};

/**
 * Server settings every connection of a run starts with (`SET name = value`), e.g.
 * `{ jit: 'off', work_mem: '256MB' }`. Only for PostgreSQL servers; PGlite ignores them.
 */
const sessionSettings = z
  .record(z.string().regex(/^[a-z_][a-z0-9_.]*$/, 'must be a PostgreSQL setting name'), z.union([z.string().regex(/^[\w.:/ -]*$/, 'must be a plain value'), z.number(), z.boolean()]))
  .default({});

const pgTarget = z.strictObject({
  type: z.literal('pg'),
  /** The environment variable holding the connection URL. Connection settings never live in this file. */
  urlEnv: z.string().default('DATABASE_URL'),
  sessionSettings,
  ...targetBase,
});

const pgliteTarget = z.strictObject({
  type: z.literal('pglite'),
  /** Folder of the embedded database, relative to the project root. */
  dataDir: z.string().default('.warehouse/dev'),
  ...targetBase,
});

/** `pg` when the URL variable is set, else the embedded database: the zero-setup default. */
const autoTarget = z.strictObject({
  type: z.literal('auto'),
  urlEnv: z.string().default('DATABASE_URL'),
  dataDir: z.string().default('.warehouse/dev'),
  sessionSettings,
  ...targetBase,
});

const target = z.discriminatedUnion('type', [pgTarget, pgliteTarget, autoTarget]);

export const warehouseConfigSchema = z
  .strictObject({
    name: z.string().default('warehouse'),
    defaultTarget: z.string().default('dev'),
    threads: z.number().int().min(1).max(64).default(4),
    targets: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'target names are lower-case words'), target).default({
      dev: { type: 'auto', urlEnv: 'DATABASE_URL', dataDir: '.warehouse/dev', schemaPrefix: '', sessionSettings: {} },
    }),
    /** Named selections, used with `--selector <name>`, e.g. `nightly: { select: ['tag:nightly'] }`. */
    selectors: z
      .record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'selector names are lower-case words'), z.strictObject({
        description: z.string().optional(),
        select: z.array(z.string()).min(1),
        exclude: z.array(z.string()).optional(),
      }))
      .default({}),
    /**
     * Database roles mirroring the access rules: `<prefix><domain>` reads its domain, the public
     * models of the packages it depends on, and the sources. Needs CREATEROLE (or existing roles).
     */
    roles: z
      .strictObject({
        enabled: z.boolean().default(true),
        prefix: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier prefix').default('wh_'),
      })
      .default({ enabled: true, prefix: 'wh_' }),
    swap: z
      .strictObject({
        /** How long a swap waits for readers' locks before backing off and trying again. */
        lockTimeoutMs: z.number().int().min(1).default(10_000),
        attempts: z.number().int().min(1).default(5),
      })
      .default({ lockTimeoutMs: 10_000, attempts: 5 }),
  })
  .superRefine((config, context) => {
    if (!(config.defaultTarget in config.targets)) {
      context.addIssue({
        code: 'custom',
        path: ['defaultTarget'],
        message: `names target "${config.defaultTarget}", which is not in targets (${Object.keys(config.targets).join(', ')})`,
      });
    }
  });

export type WarehouseConfigInput = z.input<typeof warehouseConfigSchema>;
export type WarehouseConfig = z.output<typeof warehouseConfigSchema>;
export type TargetConfig = WarehouseConfig['targets'][string];

/**
 * Declares the project configuration (`warehouse.config.ts` at the repository root).
 *
 * @example
 * export default defineConfig({
 *   defaultTarget: 'dev',
 *   targets: { dev: { type: 'auto' }, prod: { type: 'pg', urlEnv: 'DATABASE_URL', threads: 8 } },
 * });
 */
export function defineConfig(config: WarehouseConfigInput): WarehouseConfigInput {
  return config;
}

export interface ParsedConfig {
  config: WarehouseConfig | undefined;
  warnings: string[];
  errors: string[];
}

/** Validates a configuration; never throws. Unknown keys are warnings, everything else errors. */
export function parseConfig(input: unknown, file = 'warehouse.config.ts'): ParsedConfig {
  const result = warehouseConfigSchema.safeParse(input ?? {});
  if (result.success) return { config: result.data, warnings: [], errors: [] };
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const line = `${file}: ${path}: ${issue.message}`;
    if (issue.code === 'unrecognized_keys') warnings.push(line);
    else errors.push(line);
  }
  warnings.sort();
  if (errors.length > 0) return { config: undefined, warnings, errors };
  // Only unknown keys: report them, and use the rest.
  const stripped = stripUnknown(input, result.error.issues);
  const again = warehouseConfigSchema.safeParse(stripped);
  return again.success
    ? { config: again.data, warnings, errors }
    : { config: undefined, warnings, errors: again.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`) };
}

function stripUnknown(input: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(input) as Record<string, unknown>;
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    let at: any = copy;
    for (const key of issue.path) at = at?.[key as string];
    for (const key of issue.keys) if (at && typeof at === 'object') delete at[key];
  }
  return copy;
}

/** A target with its connection settings read from the environment. */
export interface ResolvedTarget {
  name: string;
  adapter: AdapterSettings;
  schemaPrefix: string;
  threads: number;
}

/**
 * Resolves a target by name (or the default) against the environment. Throws CONFIG_INVALID
 * naming the target and variable when a server target has no URL.
 */
export function resolveTarget(
  config: WarehouseConfig,
  request: { name?: string | undefined; threads?: number | undefined },
  env: Record<string, string | undefined>,
  rootDir: string,
): ResolvedTarget {
  const targetName = request.name ?? env.WAREHOUSE_TARGET ?? config.defaultTarget;
  const target = config.targets[targetName];
  if (!target) {
    throw new WarehouseError(
      ErrorCode.configInvalid,
      `unknown target "${targetName}"; warehouse.config.ts defines: ${Object.keys(config.targets).join(', ')}`,
    );
  }
  const requested = request.threads ?? target.threads ?? config.threads;
  const url = target.type === 'pglite' ? undefined : env[target.urlEnv];
  if (target.type === 'pg' && !url) {
    throw new WarehouseError(ErrorCode.configInvalid, `target "${targetName}" connects to PostgreSQL, but ${target.urlEnv} is not set`);
  }
  if (url) {
    return {
      name: targetName,
      adapter: {
        type: 'pg',
        url,
        maxConnections: requested + 1,
        ...('sessionSettings' in target && Object.keys(target.sessionSettings).length > 0 ? { sessionSettings: target.sessionSettings } : {}),
      },
      schemaPrefix: target.schemaPrefix,
      threads: requested,
    };
  }
  const dataDir = 'dataDir' in target ? target.dataDir : '.warehouse/dev';
  return {
    name: targetName,
    adapter: { type: 'pglite', dataDir: dataDir.startsWith('memory://') ? dataDir : resolve(rootDir, dataDir) },
    schemaPrefix: target.schemaPrefix,
    threads: 1,
  };
}
