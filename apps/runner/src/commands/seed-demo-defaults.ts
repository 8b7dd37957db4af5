/** What `seed-demo` and `demo` deliver when not told otherwise: 2025 at scale 0.05 (~50k order lines). */
export const SEED_DEMO_DEFAULTS = { scale: 0.05, seed: 42, from: '2025-01-01', to: '2025-12-31' } as const;
