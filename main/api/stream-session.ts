// One client connection of a stream transport (the CLI's socket or a WebSocket), speaking the
// messages of preload/wire.ts to the Town. The transports differ only in framing and in how the
// client proved who it is, so that part is shared here.
import { z } from 'zod';
import type { CallContext, EventName } from '../../preload/contract.ts';
import { EVENT_NAMES, REQUEST_NAMES, TownError } from '../../preload/contract.ts';
import type { ServerMessage } from '../../preload/wire.ts';
import type { Town } from '../town/town.ts';

const RequestMessage = z.object({
  t: z.literal('req'),
  id: z.number().int().nonnegative(),
  name: z.enum(REQUEST_NAMES as [string, ...string[]]),
  args: z.unknown(),
});
const SubscribeMessage = z.object({ t: z.literal('sub'), events: z.array(z.enum(EVENT_NAMES)).max(EVENT_NAMES.length) });
const Message = z.discriminatedUnion('t', [RequestMessage, SubscribeMessage]);

export interface StreamSessionOptions {
  town: Town;
  ctx: CallContext;
  send: (msg: ServerMessage) => void;
  sendTerminalData?: (id: string, data: Uint8Array) => void;
  /** Called when the peer sent something that is not a message at all; the transport closes. */
  onProtocolError: (why: string) => void;
}

export class StreamSession {
  private readonly subscribed = new Set<EventName>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly opts: StreamSessionOptions) {
    this.unsubscribe.push(
      opts.town.onEvent((name, payload) => {
        if (this.subscribed.has(name)) opts.send({ t: 'evt', name, payload } as ServerMessage);
      }),
    );
    const sendData = opts.sendTerminalData;
    if (sendData) {
      this.unsubscribe.push(
        opts.town.onTerminalData((consumer, id, data) => {
          if (consumer === opts.ctx.consumer) sendData(id, data);
        }),
      );
    }
  }

  /** Handles one decoded JSON message from the peer. */
  receive(raw: unknown): void {
    const parsed = Message.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number') {
        this.opts.send({ t: 'res', id, ok: false, error: new TownError('invalid', `malformed request: ${parsed.error.issues[0].message}`).toJSON() });
      } else {
        this.opts.onProtocolError('malformed message');
      }
      return;
    }
    const msg = parsed.data;
    if (msg.t === 'sub') {
      for (const e of msg.events) this.subscribed.add(e);
      return;
    }
    this.opts.town.call(msg.name, msg.args, this.opts.ctx).then(
      (result) => this.opts.send({ t: 'res', id: msg.id, ok: true, result: result ?? null }),
      (err: unknown) => this.opts.send({ t: 'res', id: msg.id, ok: false, error: TownError.from(err).toJSON() }),
    );
  }

  close(): void {
    for (const u of this.unsubscribe) u();
    this.opts.town.disconnect(this.opts.ctx.consumer);
  }
}
