import { describe, expect, it } from 'vitest';
import { buildGraph, type Columns, type ModelNode } from '@warehouse/core';
import { loadProject } from '../src/project/load-project.js';
import { REPO_ROOT } from './support/cli.js';

const graph = buildGraph(await loadProject(REPO_ROOT));
const models = [...graph.nodes.values()].filter((n): n is ModelNode => n.type === 'model');

/** The warehouse's own conventions, checked on the real project. */
describe('the warehouse project', () => {
  it('has the ten seed models, each in its owning domain', () => {
    const owners = Object.fromEntries(models.filter((m) => m.name.startsWith('wh_')).map((m) => [m.name, m.model.domain]));
    expect(owners).toEqual({
      wh_dim_product: 'inventory',
      wh_dim_location: 'inventory',
      wh_fact_inventory: 'inventory',
      wh_dim_media_channels: 'marketing',
      wh_dim_offers: 'marketing',
      wh_dim_audience_segments: 'marketing',
      wh_dim_consumer: 'customer',
      wh_fact_interactions: 'customer',
      wh_fact_loyalty: 'customer',
      wh_fact_sales: 'sales',
    });
  });

  it('documents every model and every column, and names an owner', () => {
    for (const { model } of models) {
      expect(model.description.length, model.name).toBeGreaterThan(20);
      expect(model.owner, model.name).toMatch(/@/);
      for (const [column, spec] of Object.entries(model.columns as Columns)) expect(spec.description, `${model.name}.${column}`).toBeTruthy();
    }
  });

  it('makes a model public only when another domain reads it', () => {
    for (const node of models) {
      const readByOtherPackage = (graph.children.get(node.id) ?? []).some((child) => graph.nodes.get(child)!.package !== node.package);
      const readByOtherKpi = [...graph.kpis.values()].some((k) => k.package !== node.package && k.dependsOn.includes(node.id));
      expect(node.model.access === 'public', node.name).toBe(readByOtherPackage || readByOtherKpi);
    }
  });

  it('has the KPIs each domain publishes', () => {
    const byDomain: Record<string, string[]> = {};
    for (const { kpi } of graph.kpis.values()) (byDomain[kpi.domain] ??= []).push(kpi.name);
    for (const list of Object.values(byDomain)) list.sort();
    expect(byDomain).toEqual({
      sales: ['active_consumers', 'average_basket', 'gross_margin', 'offer_redemption_rate', 'retention', 'return_rate', 'revenue'],
      inventory: ['sell_through', 'stock_cover_days'],
      customer: ['cost_per_interaction', 'engaged_consumers', 'loyalty_redemption_rate'],
      marketing: ['cost_per_click', 'media_spend'],
    });
  });
});
