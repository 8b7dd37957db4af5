/**
 * `-c jit=off -c work_mem=256MB`: settings as libpq startup options (spaces escaped), as a pg
 * connection's `options` or psql's `PGOPTIONS` take them. A module of its own so that using it
 * does not load the pg driver.
 */
export function startupOptions(settings: Readonly<Record<string, string | number | boolean>>): string {
  return Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${String(value).replace(/[\\ ]/g, (c) => `\\${c}`)}`)
    .join(' ');
}
