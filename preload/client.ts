// Builds a TownClient from any transport that can make a call and deliver events. The method list
// comes from the contract, so each transport only supplies `call` and event plumbing.
// This file imports the contract for its types only: the `gt` CLI loads it on every call and must
// not pay for building the contract's schemas (zod). A transport that needs real methods (the
// preload: contextBridge copies own properties) passes the contract's REQUEST_NAMES; otherwise a
// method is made on first use for whatever request name is asked for, and the Town validates it.
import type { EventName, RequestName, TownClient, TownEvents, Unsubscribe } from './contract.ts';
import { TownError } from './errors.ts';
import type { ClientMessage, ServerMessage } from './wire.ts';

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

export function makeClient(transport: Transport, names?: readonly RequestName[]): ClientPlumbing {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const dataListeners = new Set<(id: string, data: Uint8Array) => void>();
  const methods: Record<string, (args: unknown) => Promise<unknown>> = {};
  for (const name of names ?? []) methods[name] = (args) => transport.call(name, args ?? {});

  const base = {
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
  };
  const client = (names
    ? base
    : new Proxy(base, {
      get(target, prop, receiver) {
        if (typeof prop !== 'string' || prop in target || prop === 'then') return Reflect.get(target, prop, receiver);
        const method = (args: unknown) => transport.call(prop as RequestName, args ?? {});
        (target as Record<string, unknown>)[prop] = method;
        return method;
      },
    })) as unknown as TownClient;

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

export interface StreamClient extends ClientPlumbing {
  /** Handles one JSON message from the town: settles a pending request or delivers an event. */
  receive(msg: ServerMessage): void;
  /** Rejects every request still waiting (the connection is gone). */
  failAll(err: TownError): void;
}

/**
 * The request/response bookkeeping shared by the stream transports (the CLI's socket, a browser's
 * WebSocket): ids, pending promises, subscriptions. The transport supplies framing and `send`.
 */
export function makeStreamClient(send: (msg: ClientMessage) => void, isOpen: () => boolean = () => true): StreamClient {
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let nextId = 1;
  const plumbing = makeClient({
    call(name, args) {
      if (!isOpen()) return Promise.reject(new TownError('unavailable', 'not connected to the town'));
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        send({ t: 'req', id, name, args });
      });
    },
    subscribe(event) {
      send({ t: 'sub', events: [event] });
    },
  });
  return {
    ...plumbing,
    receive(msg) {
      if (msg.t === 'res') {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.ok) p?.resolve(msg.result);
        else p?.reject(TownError.from(msg.error));
      } else if (msg.t === 'evt') {
        plumbing.emit(msg.name, msg.payload as never);
      }
    },
    failAll(err) {
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    },
  };
}
