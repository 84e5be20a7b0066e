// Requests on convoys: bundles of beads fed to polecats in dependency order.
import { z } from 'zod';
import type { ConvoyStatus } from './work-types.ts';
import { allow, BeadIdSchema, request, returns, Title } from '../api-kit.ts';
import { RigName, RuntimeName } from './rigs.ts';

export const convoyRequests = {
  convoyCreate: request(
    z.object({ name: Title, beads: z.array(BeadIdSchema).min(1, 'a convoy needs at least one bead').max(10_000), rig: RigName.optional(), runtime: RuntimeName.optional() }).strict(),
    returns<ConvoyStatus>(),
    allow.roles('mayor', 'crew'),
  ),
  /** One bead per CSV row from the templates ({{column}}); a malformed row rejects the file with its line number. */
  convoyCreateCsv: request(
    z.object({
      name: Title,
      csv: z.string().min(1, 'the CSV file is empty').max(50_000_000),
      titleTemplate: z.string().min(1).max(2000),
      descriptionTemplate: z.string().max(1_000_000).default(''),
      rig: RigName.optional(),
      runtime: RuntimeName.optional(),
    }).strict(),
    returns<ConvoyStatus>(),
    allow.roles('mayor', 'crew'),
  ),
  convoyList: request(z.object({ all: z.boolean().default(false) }).strict(), returns<ConvoyStatus[]>(), allow.anyone),
  convoyStatus: request(z.object({ id: BeadIdSchema }).strict(), returns<ConvoyStatus>(), allow.anyone),
  convoyAdd: request(z.object({ id: BeadIdSchema, beads: z.array(BeadIdSchema).min(1).max(10_000) }).strict(), returns<ConvoyStatus>(), allow.roles('mayor', 'crew')),
  convoyClose: request(z.object({ id: BeadIdSchema, reason: z.string().max(10_000).default('closed by hand') }).strict(), returns<ConvoyStatus>(), allow.roles('mayor', 'crew')),
};
