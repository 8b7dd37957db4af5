/**
 * Whether a compile that ran in its own process leaves a compile server behind for the next
 * one, as Gradle and Nx start their daemons: `WAREHOUSE_COMPILE_SERVER=on` always, `off`
 * never (nor is a running one used); by default only for a person at a terminal outside CI,
 * where the next compile is likely seconds away. Scripts, CI and tests get no process they
 * did not ask for.
 */
export function startsCompileServer(env: NodeJS.ProcessEnv, atTerminal: boolean): boolean {
  const setting = env.WAREHOUSE_COMPILE_SERVER;
  if (setting === 'off') return false;
  if (setting === 'on') return true;
  return atTerminal && !env.CI;
}
