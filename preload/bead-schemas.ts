// The ledger domain's input schemas, in one place: the contract's bead and wisp requests are built
// from them (preload/requests/beads.ts, wisps.ts) and the Ledger validates its own callers with them,
// extended where it accepts more (main/ledger/ledger-schemas.ts). They live under preload/ because
// the contract may not import main/ (eslint.config.js); they are zod only, no Node.
import { z } from 'zod';
import { BeadIdSchema, Label, MetadataSchema, PrefixSchema, Title } from './api-kit.ts';
import { BEAD_STATUSES, BEAD_TYPES, DEPENDENCY_TYPES } from './types.ts';

export { BeadIdSchema, Label, MetadataSchema, PrefixSchema, Title };

const Priority = z.number().int().min(0).max(4);
const Description = z.string().max(1_000_000);
const Assignee = z.string().trim().min(1).max(255);
const Limit = z.number().int().min(1).max(100_000);

/** The beads a new bead depends on (written in the same commit). */
export const NewBeadDependencies = z.array(z.object({ dependsOnId: BeadIdSchema, type: z.enum(DEPENDENCY_TYPES).default('blocks') }).strict()).max(100);

/** A new bead: what anyone may ask for (the Ledger's callers may set more, ledger-schemas.ts). */
export const BeadCreateArgs = z.object({
  title: Title,
  description: Description.optional(),
  type: z.enum(BEAD_TYPES).optional(),
  priority: Priority.optional(),
  prefix: PrefixSchema.optional(),
  labels: z.array(Label).max(100).optional(),
  metadata: MetadataSchema.optional(),
  parent: BeadIdSchema.optional(),
  /** The new bead depends on each `dependsOnId` (written in the same commit). */
  dependencies: NewBeadDependencies.optional(),
}).strict();

export const BeadListArgs = z.object({
  status: z.enum(BEAD_STATUSES).optional(),
  type: z.enum(BEAD_TYPES).optional(),
  assignee: z.string().max(255).optional(),
  label: z.string().max(255).optional(),
  prefix: PrefixSchema.optional(),
  limit: Limit.optional(),
}).strict();

/** The fields a bead update may change (the request adds the id, the Ledger adds more). */
export const BeadPatchFields = {
  title: Title.optional(),
  description: Description.optional(),
  type: z.enum(BEAD_TYPES).optional(),
  status: z.enum(BEAD_STATUSES).optional(),
  priority: Priority.optional(),
  assignee: Assignee.nullable().optional(),
  metadata: MetadataSchema.optional(),
};

/** Compare-and-set: refused (conflict) unless the bead's status, read inside the write, is one of these. */
export const ExpectStatus = z.array(z.enum(BEAD_STATUSES)).min(1).max(BEAD_STATUSES.length);

export const BeadUpdateArgs = z.object({ id: BeadIdSchema, ...BeadPatchFields, expectStatus: ExpectStatus.optional() }).strict()
  .refine((u) => Object.keys(u).some((k) => k !== 'id' && k !== 'expectStatus'), 'nothing to update');

export const CloseReason = z.string().max(100_000);
export const ReadyArgs = z.object({ prefix: PrefixSchema.optional(), assignee: z.string().max(255).optional(), limit: Limit.optional() }).strict();
export const SearchArgs = z.object({ query: z.string().trim().min(1, 'search text must not be empty').max(1000), limit: z.number().int().min(1).max(10_000).optional() }).strict();
export const CommentText = z.string().trim().min(1, 'comment must not be empty').max(1_000_000, 'comment longer than 1 MB');
export const DependencyTypeSchema = z.enum(DEPENDENCY_TYPES);

/** A new wisp: a bead's basic fields; no parent, dependencies or status of its own at birth. */
export const WispCreateArgs = z.object({
  title: Title,
  description: Description.optional(),
  type: z.enum(BEAD_TYPES).optional(),
  priority: Priority.optional(),
  prefix: PrefixSchema.optional(),
  assignee: Assignee.nullable().optional(),
  labels: z.array(Label).max(100).optional(),
  metadata: MetadataSchema.optional(),
}).strict();

export const WispListArgs = z.object({ prefix: PrefixSchema.optional(), limit: Limit.optional() }).strict();
