// Who may make a request: each request in the contract declares its rule (api-kit.ts's `request`
// requires one), and Town.call checks it through `checkCaller` before anything else runs.
//
// Invariants:
// - The caller is the actor the transport authenticated: an agent's own token proves its address.
//   The owner (the UI, a human's `gt` with the token in secrets.json, the town in-process) may make
//   every request, whatever actor it names (the name only becomes the author of what it writes);
//   so may the actor `overseer`. Rules only narrow what agents may do.
// - A role is read from the address alone: `mayor`, `<rig>/crew/<name>`, `<rig>/polecats/<name>`.
//   Any other address is an agent with no role: it may make only `anyone` and `self` requests.
// - `self`: a request naming an agent in `field` may name only the caller, unless the caller is the
//   overseer or has one of the rule's roles. Absent, the request acts on the caller.
// - Pure: no I/O; a refusal is a TownError `forbidden` naming who asked, what, and who may.
import { TownError } from './errors.ts';

export const CALLER_ROLES = ['mayor', 'crew', 'polecat'] as const;
export type CallerRole = (typeof CALLER_ROLES)[number];

export type CallerRule<Field extends string = string> =
  /** The overseer and every agent. */
  | { kind: 'anyone' }
  /** Only the town's owner. */
  | { kind: 'overseer' }
  /** The overseer and agents of these roles. */
  | { kind: 'roles'; roles: readonly CallerRole[] }
  /** Any caller for itself: args[field] (when given) must be the caller, unless it is the overseer or has one of `roles`. */
  | { kind: 'self'; field: Field; roles: readonly CallerRole[] };

/** The rules requests are declared with, e.g. `request(args, returns<X>(), allow.self('agent'))`. */
export const allow = {
  anyone: { kind: 'anyone' } as const,
  overseer: { kind: 'overseer' } as const,
  roles: (...roles: CallerRole[]) => ({ kind: 'roles', roles }) as const,
  /** The request acts on the agent named in `field` (default: the caller); the overseer and agents of `also` may name any agent. */
  self: <F extends string>(field: F, ...also: CallerRole[]) => ({ kind: 'self', field, roles: also }) as const,
};

/** The caller's role, from its address; null for an address of no known role. */
export function callerRole(actor: string): CallerRole | 'overseer' | null {
  if (actor === 'overseer' || actor === 'mayor') return actor;
  const parts = actor.split('/');
  if (parts.length === 3 && parts[0] && parts[2]) {
    if (parts[1] === 'crew') return 'crew';
    if (parts[1] === 'polecats') return 'polecat';
  }
  return null;
}

/** Who a rule admits, in words: "only the overseer or the mayor may". */
export function describeRule(rule: CallerRule): string {
  const who = (roles: readonly CallerRole[]): string => ['the overseer', ...roles.map((r) => (r === 'mayor' ? 'the mayor' : r === 'crew' ? 'crew' : 'polecats'))].join(' or ');
  switch (rule.kind) {
    case 'anyone':
      return 'anyone may';
    case 'overseer':
      return 'only the overseer may';
    case 'roles':
      return `only ${who(rule.roles)} may`;
    case 'self':
      return `an agent may only name itself as ${rule.field}; ${who(rule.roles)} may name any agent`;
  }
}

/** Who is calling: its address, and whether it holds the owner's credential. */
export interface Caller {
  actor: string;
  owner?: boolean;
}

/** Throws `forbidden` unless the rule admits this caller with these (raw) arguments. */
export function checkCaller(name: string, rule: CallerRule, caller: Caller, rawArgs: unknown): void {
  const { actor } = caller;
  const role = callerRole(actor);
  if (caller.owner === true || role === 'overseer' || rule.kind === 'anyone') return;
  if (rule.kind === 'roles' && role !== null && rule.roles.includes(role)) return;
  if (rule.kind === 'self') {
    const target = rawArgs && typeof rawArgs === 'object' ? (rawArgs as Record<string, unknown>)[rule.field] : undefined;
    if (target === undefined || target === actor || (role !== null && rule.roles.includes(role))) return;
    throw new TownError('forbidden', `forbidden: ${actor} may not ${name} for ${typeof target === 'string' ? target : 'another agent'}: ${describeRule(rule)}`);
  }
  throw new TownError('forbidden', `forbidden: ${actor} may not ${name}: ${describeRule(rule)}`);
}
