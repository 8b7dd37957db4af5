/**
 * Finds the cycles of a directed graph, one path per strongly connected component, each
 * written from its smallest member, e.g. `['a', 'b', 'a']`. Deterministic: nodes and edges
 * are visited in sorted order.
 */
export function findCycles(nodes: Iterable<string>, edgesOf: (node: string) => readonly string[]): string[][] {
  const all = [...nodes].sort();
  const known = new Set(all);
  const next = (n: string) => edgesOf(n).filter((m) => known.has(m)).sort();

  // Tarjan's strongly connected components, iteratively so deep graphs do not overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const root of all) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; edges: string[]; i: number }> = [];
    const enter = (node: string) => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, edges: next(node), i: 0 });
    };
    enter(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.edges.length) {
        const target = frame.edges[frame.i++]!;
        if (!index.has(target)) enter(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && next(frame.node).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }

  return components
    .map((component) => cyclePath(component, next))
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A shortest path from the component's smallest node back to itself, staying inside it. */
function cyclePath(component: string[], next: (node: string) => string[]): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of next(node)) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}
