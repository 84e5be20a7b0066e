// Which bead's detail is open. Any view opens it with `openBeadDetail(id)`; the shell shows it over
// the current view. Kept apart from the rest of the store so views of every kind can share it.
import type { StoreApi } from 'zustand/vanilla';

export interface BeadDetailSlice {
  /** The bead whose detail panel is open, or null. */
  detailBeadId: string | null;
}

export const emptyBeadDetailSlice = (): BeadDetailSlice => ({ detailBeadId: null });

export function beadDetailActions(store: StoreApi<BeadDetailSlice>) {
  return {
    openBeadDetail(id: string): void {
      store.setState({ detailBeadId: id });
    },
    closeBeadDetail(): void {
      store.setState({ detailBeadId: null });
    },
  };
}
