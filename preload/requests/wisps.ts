// Requests on wisps: ephemeral beads in bd's dolt-ignored wisp tables (no commit until squashed).
import { z } from 'zod';
import type { Bead, Comment } from '../types.ts';
import { BEAD_TYPES } from '../types.ts';
import { allow, BeadIdSchema, Label, MetadataSchema, PrefixSchema, request, returns, Title } from '../api-kit.ts';

export const wispRequests = {
  wispCreate: request(
    z.object({
      title: Title,
      description: z.string().max(1_000_000).optional(),
      type: z.enum(BEAD_TYPES).optional(),
      priority: z.number().int().min(0).max(4).optional(),
      prefix: PrefixSchema.optional(),
      labels: z.array(Label).max(100).optional(),
      metadata: MetadataSchema.optional(),
    }).strict(),
    returns<Bead>(),
    allow.anyone,
  ),
  wispList: request(z.object({ prefix: PrefixSchema.optional(), limit: z.number().int().min(1).max(100_000).optional() }).strict(), returns<Bead[]>(), allow.anyone),
  wispShow: request(z.object({ id: BeadIdSchema }).strict(), returns<Bead>(), allow.anyone),
  wispComment: request(z.object({ id: BeadIdSchema, text: z.string().trim().min(1, 'comment must not be empty').max(1_000_000) }).strict(), returns<Comment>(), allow.anyone),
  /** Deletes the wisp; nothing of it stays in history. */
  wispBurn: request(z.object({ id: BeadIdSchema }).strict(), returns<{ burned: boolean }>(), allow.anyone),
  /** Turns the wisp into a real bead with the same id: one Dolt commit by the caller. */
  wispSquash: request(z.object({ id: BeadIdSchema }).strict(), returns<Bead>(), allow.anyone),
  /** Removes wisps unchanged for longer than `olderThanHours` (default: the town's time-to-live, 24 h). */
  wispSweep: request(z.object({ olderThanHours: z.number().min(0).max(100_000).optional() }).strict(), returns<{ removed: string[] }>(), allow.overseer),
};
