// Node module hook: resolve workspace packages through their "source" export condition, so
// the CLI runs the TypeScript sources of every package without a build step.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('source') ? context.conditions : ['source', ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
