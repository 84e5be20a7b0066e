// Input schemas for every Ledger method. The ledger domain's schemas are defined once in
// preload/bead-schemas.ts (the contract's requests are built from them); this file takes them as they
// are and extends the ones where the Ledger's own callers (supervisors, the work loop, imports, tests)
// may ask for more than a request may. The Ledger validates with these itself.
import { z } from 'zod';
import { TownError } from '../../preload/errors.ts';
import { BEAD_STATUSES, BEAD_TYPES } from '../../preload/types.ts';
import {
  BeadCreateArgs, BeadIdSchema, BeadListArgs, BeadPatchFields, CloseReason, CommentText, DependencyTypeSchema, ExpectStatus, Label, MetadataSchema,
  PrefixSchema, ReadyArgs, SearchArgs, WispCreateArgs, WispListArgs,
} from '../../preload/bead-schemas.ts';

export { BeadIdSchema, DependencyTypeSchema, MetadataSchema, PrefixSchema };

/** Who made a write: an agent address (`gastown/polecats/nux`), `mayor`, `human`… becomes the Dolt commit author. */
export const ActorSchema = z
  .string()
  .trim()
  .min(1, 'actor must not be empty')
  .max(200, 'actor longer than 200 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._@/+-]*$/, 'actor may contain letters, digits, space and . _ @ / + - only');

const IsoTimeSchema = z.iso.datetime({ offset: true });

export const LabelSchema = Label;

/** create(): the contract's beadCreate fields plus what supervisors and imports need. */
export const BeadCreateInputSchema = BeadCreateArgs.extend({
  assignee: z.string().trim().min(1).max(255).nullable().optional(),
  owner: z.string().max(255).optional(),
  status: z.enum(BEAD_STATUSES).optional(),
  deferUntil: IsoTimeSchema.nullable().optional(),
  /** createMany only: the parent is the batch's item at this (earlier) index, made in the same commit. */
  parentRef: z.number().int().min(0).optional(),
  /** Dependencies on an existing bead (`dependsOnId`) or, in createMany, on the batch's item at the
   *  (earlier) index `ref`: a molecule, its steps and their chain in one commit. */
  dependencies: z.array(z.union([
    z.object({ dependsOnId: BeadIdSchema, type: DependencyTypeSchema.default('blocks') }).strict(),
    z.object({ ref: z.number().int().min(0), type: DependencyTypeSchema.default('blocks') }).strict(),
  ])).max(100).optional(),
  /** createMany only: metadata values that are the ids of earlier items of the batch (a key path each). */
  metadataRefs: z.array(z.object({ path: z.array(z.string().min(1).max(100)).min(1).max(8), ref: z.number().int().min(0) }).strict()).max(100).optional(),
}).strict().refine((p) => !(p.parent && p.parentRef !== undefined), 'give parent or parentRef, not both');
export type BeadCreateInput = z.input<typeof BeadCreateInputSchema>;

/** createWisp(): the contract's wispCreate fields. */
export const WispCreateInputSchema = WispCreateArgs;
export type WispCreateInput = z.input<typeof WispCreateInputSchema>;
export const WispListSchema = WispListArgs;

/** update(): the contract's beadUpdate fields (without the id) plus owner, deferUntil, a compare-and-set and labels to add. */
export const BeadUpdateSchema = z.object({
  ...BeadPatchFields,
  owner: z.string().max(255).optional(),
  deferUntil: IsoTimeSchema.nullable().optional(),
  /** Compare-and-set: the write is refused (conflict) unless the current status is one of these. */
  expectStatus: ExpectStatus.optional(),
  /** Compare-and-set: the write is refused (conflict) unless the current assignee is this one (null: none). */
  expectAssignee: z.string().max(255).nullable().optional(),
  /** Labels added in the same write (one commit with the fields): e.g. a hold and its gt:needs-human. */
  addLabels: z.array(LabelSchema).max(20).optional(),
}).strict().refine((u) => Object.keys(u).some((k) => k !== 'expectStatus' && k !== 'expectAssignee'), 'nothing to update');
export type BeadUpdate = z.input<typeof BeadUpdateSchema>;

/** list(): the contract's beadList fields, plus (in-process callers only) several statuses or types
 *  at once, only beads with an assignee (`assigned`), and types left out (`notTypes`). */
export const BeadListFilterSchema = BeadListArgs.extend({
  statuses: z.array(z.enum(BEAD_STATUSES)).min(1).max(BEAD_STATUSES.length).optional(),
  types: z.array(z.enum(BEAD_TYPES)).min(1).max(BEAD_TYPES.length).optional(),
  assigned: z.literal(true).optional(),
  notTypes: z.array(z.string().min(1).max(64)).min(1).max(50).optional(),
});
export type BeadListFilter = z.input<typeof BeadListFilterSchema>;

/** ready(): the contract's beadReady fields, plus (in-process callers only) a set of ids to look among. */
export const ReadyFilterSchema = ReadyArgs.extend({ ids: z.array(BeadIdSchema).max(1000).optional() });
export type ReadyFilter = z.input<typeof ReadyFilterSchema>;

export const SearchSchema = SearchArgs;

/** A Dolt commit hash, `HEAD`, `HEAD~n`, a branch name, or an ISO time for as-of reads. */
export const AsOfSchema = z.union([
  z.string().regex(/^[0-9a-v]{32}$/, 'not a commit hash'),
  z.string().regex(/^(HEAD|main)(~\d{1,6})?$/, 'not a ref'),
  IsoTimeSchema,
]);

export const CloseSchema = z.object({ reason: CloseReason.default('') }).strict();
export const CommentTextSchema = CommentText;

/** Parse with a schema and turn the first problem into TownError('invalid', 'where: why'). */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new TownError('invalid', `${what}: ${where}${issue.message}`);
  }
  return r.data;
}
