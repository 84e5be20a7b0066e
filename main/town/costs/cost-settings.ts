// The town's cost settings: <town>/settings/costs.json (all optional) and its budgets,
// <town>/settings/budgets.json (written by `gt budget set`, may be edited by hand).
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Budget } from '../../../preload/requests/cost-types.ts';
import { readSettingsFile } from '../settings-file.ts';
import { budgetId } from './budgets.ts';

const Dollars = z.number().min(0).max(100_000);
const PriceSchema = z.object({ input: Dollars, output: Dollars, cacheWrite: Dollars.default(0), cacheRead: Dollars.default(0) }).strict();

export const CostSettingsSchema = z.object({
  /** Model → US dollars per million tokens; added to (or replacing) the shipped defaults. */
  prices: z.record(z.string().min(1).max(200), PriceSchema).default({}),
  /** At 100% of a budget, also pause (SIGSTOP) the running agents of its scope. */
  pauseAgentsOnBudget: z.boolean().default(false),
  /** How often running agents' usage files are read. */
  pollMs: z.number().int().min(200).max(600_000).default(2_000),
}).strict();
export type CostSettings = z.output<typeof CostSettingsSchema>;

const BudgetSchema = z.object({
  scope: z.enum(['town', 'rig', 'convoy']),
  target: z.string().min(1).max(200).nullable().default(null),
  amount: z.number().positive().max(1_000_000_000),
  period: z.enum(['day', 'total']).default('total'),
}).strict();
const BudgetsSchema = z.object({ budgets: z.array(BudgetSchema).max(10_000).default([]) }).strict();

export const costSettingsFile = (townRoot: string): string => join(townRoot, 'settings', 'costs.json');
export const budgetsFile = (townRoot: string): string => join(townRoot, 'settings', 'budgets.json');

export function readCostSettings(townRoot: string): CostSettings {
  return readSettingsFile(costSettingsFile(townRoot), CostSettingsSchema);
}

export function readBudgets(townRoot: string): Budget[] {
  const file = budgetsFile(townRoot);
  if (!existsSync(file)) return [];
  return readSettingsFile(file, BudgetsSchema).budgets.map((b) => ({ ...b, target: b.scope === 'town' ? null : b.target, id: budgetId(b.scope, b.target, b.period) }));
}

export function writeBudgets(townRoot: string, budgets: Budget[]): void {
  const file = budgetsFile(townRoot);
  mkdirSync(join(townRoot, 'settings'), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ budgets: budgets.map(({ scope, target, amount, period }) => ({ scope, target, amount, period })) }, null, 2) + '\n');
  renameSync(tmp, file);
}
