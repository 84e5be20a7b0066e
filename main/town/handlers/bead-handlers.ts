// The ledger's requests: each one call into the Ledger, authored by the caller.
import type { beadRequests } from '../../../preload/requests/beads.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';
import { bdEnvironment, beadsDirOf } from '../../ledger/bd-env.ts';

export function beadHandlers(town: Town): Pick<TownHandlers, keyof typeof beadRequests> {
  return {
    beadCreate: (args, ctx) => town.ledger.create(args, ctx.actor),
    beadCreateMany: (args, ctx) => town.ledger.createMany(args.beads, ctx.actor),
    beadShow: (args) => town.ledger.show(args.id, { asOf: args.asOf }),
    beadList: (args) => town.ledger.list(args),
    beadUpdate: ({ id, ...patch }, ctx) => town.ledger.update(id, patch, ctx.actor),
    beadClose: (args, ctx) => town.ledger.closeBead(args.id, args.reason, ctx.actor),
    beadReopen: (args, ctx) => town.ledger.reopen(args.id, ctx.actor),
    beadReady: (args) => town.ledger.ready(args),
    beadBlocked: (args) => town.ledger.blocked(args),
    beadSearch: (args) => town.ledger.search(args.query, { limit: args.limit }),
    beadDepAdd: async (args, ctx) => ({ added: await town.ledger.addDependency(args.id, args.dependsOn, args.type, ctx.actor) }),
    beadDepRemove: async (args, ctx) => ({ removed: await town.ledger.removeDependency(args.id, args.dependsOn, ctx.actor) }),
    beadLabelAdd: (args, ctx) => town.ledger.addLabel(args.id, args.label, ctx.actor),
    beadLabelRemove: (args, ctx) => town.ledger.removeLabel(args.id, args.label, ctx.actor),
    beadComment: (args, ctx) => town.ledger.addComment(args.id, args.text, ctx.actor),
    beadHistory: (args) => town.ledger.history(args.id),
    ledgerExport: async () => {
      const jsonl = await town.ledger.exportJsonl();
      return { jsonl, count: jsonl.split('\n').filter((l) => l.trim()).length };
    },
    ledgerImport: (args, ctx) => town.ledger.importJsonl(args.jsonl, ctx.actor),
    ledgerBdEnv: async (args) => {
      const beadsDir = beadsDirOf(town.paths.root);
      return { beadsDir, env: bdEnvironment(town.dolt.connection(), beadsDir, args.actor) };
    },
  };
}
