// Requests on formulas and molecules (workflows of steps as beads), gates, and convoy planning.
import { z } from 'zod';
import type { SlingManyResult } from './work-types.ts';
import type { ConvoyLaunchResult, ConvoyPlan, FormulaDetail, FormulaInfo, GateInfo, MoleculeNext, MoleculeStatus } from './molecule-types.ts';
import { allow, BeadIdSchema, request, returns, Title } from '../api-kit.ts';
import { RigName, RuntimeName } from './rigs.ts';
import { AgentAddress } from './work.ts';

const FormulaName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'formula names hold letters, digits, - and _');
const Selection = z.object({
  beads: z.array(BeadIdSchema).max(10_000).optional(),
  /** Every child of this epic (parent-child), instead of a list. */
  epic: BeadIdSchema.optional(),
}).strict();

const ConvoySelection = Selection.extend({ name: Title.optional(), rig: RigName.optional(), runtime: RuntimeName.optional() });

export const moleculeRequests = {
  formulaList: request(z.object({ rig: RigName.optional() }).strict(), returns<FormulaInfo[]>(), allow.anyone),
  formulaShow: request(z.object({ name: FormulaName, rig: RigName.optional() }).strict(), returns<FormulaDetail>(), allow.anyone),
  /** Validates, then writes the molecule: its root bead, then its steps with their dependencies. */
  formulaCook: request(
    z.object({
      name: FormulaName,
      vars: z.record(z.string().max(100), z.string().max(100_000)).default({}),
      /** The work bead it is cooked on (its polecat walks the steps); its rig's formulas apply. */
      on: BeadIdSchema.optional(),
      rig: RigName.optional(),
    }).strict(),
    returns<MoleculeStatus>(),
    allow.roles('mayor', 'crew'),
  ),
  moleculeStatus: request(z.object({ id: BeadIdSchema }).strict(), returns<MoleculeStatus>(), allow.anyone),
  moleculeList: request(z.object({ all: z.boolean().default(false) }).strict(), returns<MoleculeStatus[]>(), allow.anyone),
  /** The current step of the molecule on an agent's hook (the caller's by default). */
  moleculeNext: request(z.object({ agent: AgentAddress.optional() }).strict(), returns<MoleculeNext>(), allow.anyone),
  /** Slings a molecule: sequential → one polecat walks it; parallel → its steps as a convoy. */
  moleculeSling: request(z.object({ id: BeadIdSchema, target: z.string().max(255).optional(), runtime: RuntimeName.optional() }).strict(), returns<SlingManyResult>(), allow.roles('mayor', 'crew')),
  gateList: request(z.object({ all: z.boolean().default(false) }).strict(), returns<GateInfo[]>(), allow.anyone),
  /** Releases a human-approval gate. */
  gateApprove: request(z.object({ id: BeadIdSchema, note: z.string().max(10_000).optional() }).strict(), returns<GateInfo>(), allow.roles('mayor')),
  /** The waves (topological layers) of beads, or an epic's children; writes nothing. */
  convoyStage: request(Selection, returns<ConvoyPlan>(), allow.anyone),
  /** Plans, then stores a staged convoy of the beads in wave order (status deferred): nothing is slung until launch. */
  convoyStageStore: request(ConvoySelection, returns<ConvoyLaunchResult>(), allow.roles('mayor', 'crew')),
  /**
   * Starts a staged convoy (`beads: [CONVOY]`), or stages then starts a convoy of the beads: wave 1
   * is slung now, later waves as earlier ones land.
   */
  convoyLaunch: request(
    ConvoySelection,
    returns<ConvoyLaunchResult>(),
    allow.roles('mayor', 'crew'),
  ),
};
