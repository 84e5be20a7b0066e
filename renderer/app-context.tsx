// The app's singletons, made once at start and handed to React through a context: the store (with
// its actions) and the terminal registry. Views read the store only through useTown(selector).
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { TownState, TownStore } from './state/town-store.ts';
import type { TerminalRegistry } from './terminals/terminal-registry.ts';

export interface AppServices {
  store: TownStore['store'];
  actions: TownStore['actions'];
  terminals: TerminalRegistry;
}

export const ServicesContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('useServices outside the app');
  return s;
}

export function useTown<T>(selector: (s: TownState) => T): T {
  return useStore(useServices().store, selector);
}
