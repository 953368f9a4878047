/** The three dialect tables, and lookups by name. */
import type { Dialect, DialectTable, VariableDefinition } from '../model.js';
import { MAAS360_TABLE } from './maas360.js';
import { MOBILEIRON_TABLE } from './mobileiron.js';
import { WORKSPACE_ONE_TABLE } from './workspace-one.js';

export const TABLES: Readonly<Record<Dialect, DialectTable>> = {
  mobileiron: MOBILEIRON_TABLE,
  'workspace-one': WORKSPACE_ONE_TABLE,
  maas360: MAAS360_TABLE,
};

const byName = new Map<Dialect, Map<string, VariableDefinition>>(
  Object.values(TABLES).map((t) => [t.dialect, new Map(t.variables.map((v) => [v.name, v]))]),
);

export function findVariable(dialect: Dialect, name: string): VariableDefinition | undefined {
  return byName.get(dialect)!.get(name);
}

/** A known name that differs from `name` only in case, for "did you mean" hints. */
export function similarVariable(dialect: Dialect, name: string): VariableDefinition | undefined {
  const lower = name.toLowerCase();
  return TABLES[dialect].variables.find((v) => v.name.toLowerCase() === lower);
}

export { MAAS360_TABLE, MOBILEIRON_TABLE, WORKSPACE_ONE_TABLE };
