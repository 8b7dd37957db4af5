/**
 * Orders nodes so that each comes after everything it depends on; among nodes that are ready
 * at the same time, the smallest name goes first, so the order is the same on every run.
 * Nodes on a cycle are left out (validation reports cycles separately).
 */
export function topologicalOrder(nodes: Iterable<string>, dependsOn: (node: string) => readonly string[]): string[] {
  const all = new Set(nodes);
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const node of all) {
    const deps = new Set(dependsOn(node).filter((d) => all.has(d)));
    pending.set(node, deps.size);
    for (const dep of deps) {
      const list = dependents.get(dep);
      if (list) list.push(node);
      else dependents.set(dep, [node]);
    }
  }
  const ready = new MinHeap();
  for (const [node, count] of pending) if (count === 0) ready.push(node);
  const order: string[] = [];
  while (ready.size > 0) {
    const node = ready.pop();
    order.push(node);
    for (const dependent of dependents.get(node) ?? []) {
      const left = pending.get(dependent)! - 1;
      pending.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  return order;
}

/** A binary min-heap of strings. */
class MinHeap {
  private items: string[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: string): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= items[i]!) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  pop(): string {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && items[left]! < items[smallest]!) smallest = left;
        if (right < items.length && items[right]! < items[smallest]!) smallest = right;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i]!, items[smallest]!];
        i = smallest;
      }
    }
    return top;
  }
}
