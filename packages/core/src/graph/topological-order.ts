/**
 * Orders nodes so that each comes after everything it depends on; among nodes that are ready
 * at the same time, the smallest name goes first, so the order is the same on every run.
 * Nodes on a cycle are left out (validation reports cycles separately).
 */
export function topologicalOrder(nodes: Iterable<string>, dependsOn: (node: string) => readonly string[]): string[] {
  // nodes by rank in name order: the heap then compares numbers, not strings
  const names = [...new Set(nodes)].sort();
  const rank = new Map(names.map((name, i) => [name, i]));
  const pending = new Int32Array(names.length);
  const dependents: number[][] = names.map(() => []);
  for (let i = 0; i < names.length; i++) {
    let count = 0;
    const seen = new Set<number>();
    for (const dep of dependsOn(names[i]!)) {
      const d = rank.get(dep);
      if (d === undefined || seen.has(d)) continue;
      seen.add(d);
      dependents[d]!.push(i);
      count++;
    }
    pending[i] = count;
  }
  const ready = new MinHeap();
  for (let i = 0; i < names.length; i++) if (pending[i] === 0) ready.push(i);
  const order: string[] = [];
  while (ready.size > 0) {
    const node = ready.pop();
    order.push(names[node]!);
    for (const dependent of dependents[node]!) if (--pending[dependent]! === 0) ready.push(dependent);
  }
  return order;
}

/** A binary min-heap of numbers. */
class MinHeap {
  private items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: number): void {
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

  pop(): number {
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
