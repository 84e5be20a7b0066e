// Builds a TownClient from any transport that can make a call and deliver events. The method list
// comes from the contract, so each transport only supplies `call` and event plumbing.
import type { EventName, RequestName, TownClient, TownEvents, Unsubscribe } from './contract.ts';
import { REQUEST_NAMES } from './contract.ts';

export interface Transport {
  call(name: RequestName, args: unknown): Promise<unknown>;
  /** Called when the first listener for an event appears, so a transport can subscribe lazily. */
  subscribe?(event: EventName): void;
}

export interface ClientPlumbing {
  client: TownClient;
  /** The transport calls this for each event it receives. */
  emit<E extends EventName>(event: E, payload: TownEvents[E]): void;
  /** The transport calls this for each terminal data frame it receives. */
  emitTerminalData(id: string, data: Uint8Array): void;
}

export function makeClient(transport: Transport): ClientPlumbing {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const dataListeners = new Set<(id: string, data: Uint8Array) => void>();
  const methods: Record<string, (args: unknown) => Promise<unknown>> = {};
  for (const name of REQUEST_NAMES) methods[name] = (args) => transport.call(name, args ?? {});

  const client = {
    ...methods,
    on<E extends EventName>(event: E, listener: (payload: TownEvents[E]) => void): Unsubscribe {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        transport.subscribe?.(event);
      }
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    onTerminalData(listener: (id: string, data: Uint8Array) => void): Unsubscribe {
      dataListeners.add(listener);
      return () => dataListeners.delete(listener);
    },
  } as unknown as TownClient;

  return {
    client,
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) (listener as (p: typeof payload) => void)(payload);
    },
    emitTerminalData(id, data) {
      for (const listener of dataListeners) listener(id, data);
    },
  };
}
