// Requests on wisps: ephemeral beads in bd's dolt-ignored wisp tables (no commit until squashed).
import { z } from 'zod';
import type { Bead, Comment } from '../types.ts';
import { allow, request, returns } from '../api-kit.ts';
import { BeadIdSchema, CommentText, WispCreateArgs, WispListArgs } from '../bead-schemas.ts';

export const wispRequests = {
  wispCreate: request(
    WispCreateArgs,
    returns<Bead>(),
    allow.anyone,
  ),
  wispList: request(WispListArgs, returns<Bead[]>(), allow.anyone),
  wispShow: request(z.object({ id: BeadIdSchema }).strict(), returns<Bead>(), allow.anyone),
  wispComment: request(z.object({ id: BeadIdSchema, text: CommentText }).strict(), returns<Comment>(), allow.anyone),
  /** Deletes the wisp; nothing of it stays in history. */
  wispBurn: request(z.object({ id: BeadIdSchema }).strict(), returns<{ burned: boolean }>(), allow.anyone),
  /** Turns the wisp into a real bead with the same id: one Dolt commit by the caller. */
  wispSquash: request(z.object({ id: BeadIdSchema }).strict(), returns<Bead>(), allow.anyone),
  /** Removes wisps unchanged for longer than `olderThanHours` (default: the town's time-to-live, 24 h). */
  wispSweep: request(z.object({ olderThanHours: z.number().min(0).max(100_000).optional() }).strict(), returns<{ removed: string[] }>(), allow.overseer),
};
