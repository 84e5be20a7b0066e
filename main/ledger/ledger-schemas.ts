// Input schemas for every Ledger method. The Ledger validates with these itself (callers may be the
// TownApi, the CLI, a supervisor or a test), and the lead can reuse them as contract request schemas.
import { z } from 'zod';
import { BeadIdSchema, MetadataSchema, PrefixSchema, requests, TownError } from '../../preload/contract.ts';
import { BEAD_STATUSES, BEAD_TYPES, DEPENDENCY_TYPES } from '../../preload/types.ts';

export { BeadIdSchema, MetadataSchema, PrefixSchema };

/** Who made a write: an agent address (`gastown/polecats/nux`), `mayor`, `human`… becomes the Dolt commit author. */
export const ActorSchema = z
  .string()
  .trim()
  .min(1, 'actor must not be empty')
  .max(200, 'actor longer than 200 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._@/+-]*$/, 'actor may contain letters, digits, space and . _ @ / + - only');

const IsoTimeSchema = z.iso.datetime({ offset: true });

export const DependencyTypeSchema = z.enum(DEPENDENCY_TYPES);
export const LabelSchema = z.string().trim().min(1, 'label must not be empty').max(255, 'label longer than 255 characters');

const base = requests.beadCreate.args;

/** create(): the contract's beadCreate fields plus what supervisors and imports need. */
export const BeadCreateInputSchema = base.extend({
  assignee: z.string().trim().min(1).max(255).nullable().optional(),
  owner: z.string().max(255).optional(),
  status: z.enum(BEAD_STATUSES).optional(),
  metadata: MetadataSchema.optional(),
  /** Creates a child `<parent>.<n>` with a parent-child dependency. */
  parent: BeadIdSchema.optional(),
  /** Dependencies of the new bead: it depends on each `dependsOnId`. */
  dependencies: z.array(z.object({ dependsOnId: BeadIdSchema, type: DependencyTypeSchema.default('blocks') }).strict()).max(100).optional(),
  deferUntil: IsoTimeSchema.nullable().optional(),
}).strict();
export type BeadCreateInput = z.input<typeof BeadCreateInputSchema>;

/** createWisp(): a bead's basic fields; wisps have no parent, dependencies or status of their own at birth. */
export const WispCreateInputSchema = z.object({
  title: base.shape.title,
  description: z.string().max(1_000_000).optional(),
  type: z.enum(BEAD_TYPES).optional(),
  priority: z.number().int().min(0).max(4).optional(),
  prefix: PrefixSchema.optional(),
  assignee: z.string().trim().min(1).max(255).nullable().optional(),
  labels: z.array(LabelSchema).max(100).optional(),
  metadata: MetadataSchema.optional(),
}).strict();
export type WispCreateInput = z.input<typeof WispCreateInputSchema>;

export const WispListSchema = z.object({
  prefix: PrefixSchema.optional(),
  limit: z.number().int().min(1).max(100_000).optional(),
}).strict();

export const BeadUpdateSchema = z.object({
  title: base.shape.title.optional(),
  description: z.string().max(1_000_000).optional(),
  type: z.enum(BEAD_TYPES).optional(),
  status: z.enum(BEAD_STATUSES).optional(),
  priority: z.number().int().min(0).max(4).optional(),
  assignee: z.string().trim().min(1).max(255).nullable().optional(),
  owner: z.string().max(255).optional(),
  metadata: MetadataSchema.optional(),
  deferUntil: IsoTimeSchema.nullable().optional(),
  /** Compare-and-set: the write is refused (conflict) unless the current status is one of these. */
  expectStatus: z.array(z.enum(BEAD_STATUSES)).min(1).optional(),
}).strict().refine((u) => Object.keys(u).some((k) => k !== 'expectStatus'), 'nothing to update');
export type BeadUpdate = z.input<typeof BeadUpdateSchema>;

export const BeadListFilterSchema = requests.beadList.args;
export type BeadListFilter = z.input<typeof BeadListFilterSchema>;

export const ReadyFilterSchema = z.object({
  prefix: PrefixSchema.optional(),
  assignee: z.string().max(255).optional(),
  limit: z.number().int().min(1).max(100_000).optional(),
}).strict();
export type ReadyFilter = z.input<typeof ReadyFilterSchema>;

export const SearchSchema = z.object({
  query: z.string().trim().min(1, 'search text must not be empty').max(1000),
  limit: z.number().int().min(1).max(10_000).optional(),
}).strict();

/** A Dolt commit hash, `HEAD`, `HEAD~n`, a branch name, or an ISO time for as-of reads. */
export const AsOfSchema = z.union([
  z.string().regex(/^[0-9a-v]{32}$/, 'not a commit hash'),
  z.string().regex(/^(HEAD|main)(~\d{1,6})?$/, 'not a ref'),
  IsoTimeSchema,
]);

export const CloseSchema = z.object({ reason: z.string().max(100_000).default('') }).strict();
export const CommentTextSchema = z.string().trim().min(1, 'comment must not be empty').max(1_000_000, 'comment longer than 1 MB');

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
