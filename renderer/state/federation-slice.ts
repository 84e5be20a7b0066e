// The store's federation slice, as pure functions: the town's remotes (with their last push and
// pull) and its view of the wanted board, and the selectors the status bar and the Wanted view read.
//
// Invariants:
// - `info` and `board` are what the town last answered; they are reloaded at every (re)connection,
//   when the Wanted view opens and after each board action (sync, post, claim), never edited here.
// - Selectors return values held in the state or strings, so they are stable for useTown.
import type { ClaimResult, FederationInfo, WantedItem } from '../../preload/requests/federation-types.ts';

export interface FederationSlice {
  info: FederationInfo | null;
  board: WantedItem[];
  /** The last claim made from this window, with its outcome (won, lost, pending). */
  lastClaim: ClaimResult | null;
  busy: boolean;
}

export const emptyFederationSlice = (): FederationSlice => ({ info: null, board: [], lastClaim: null, busy: false });

type WithFederation = { federation: FederationSlice };

/** "Remotes: 2 ok" / "Remotes: 1 failing" / "" (none): the status bar's remotes cell. */
export function remotesSummary(info: FederationInfo | null): string {
  const remotes = info?.remotes ?? [];
  if (!remotes.length) return '';
  const failing = remotes.filter((r) => r.push?.ok === false || r.pull?.ok === false);
  const never = remotes.filter((r) => !r.push && !r.pull);
  if (failing.length) return `Remotes: ${failing.length} failing`;
  if (never.length === remotes.length) return `Remotes: ${remotes.length} never synced`;
  return `Remotes: ${remotes.length} ok`;
}

export const selectRemotesSummary = (s: WithFederation): string => remotesSummary(s.federation.info);
export const selectRemotesFailing = (s: WithFederation): boolean => /failing/.test(remotesSummary(s.federation.info));
export const selectBoard = (s: WithFederation): WantedItem[] => s.federation.board;
export const selectFederationInfo = (s: WithFederation): FederationInfo | null => s.federation.info;
