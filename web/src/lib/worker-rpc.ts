/**
 * The playground's page ↔ worker messages, both halves: a page calls `client.call('train', …)` and
 * gets a promise; the worker answers it and may send events (progress) at any time. Errors cross as
 * their message, so a page shows them with ctx.showError instead of an uncaught exception.
 *
 *   page → worker  { id, type, payload }
 *   worker → page  { id, ok: true, result } | { id, ok: false, error } | { event, data }
 */

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** The page's side: one module worker from the build's workers/NAME.js. */
export class WorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private dead: Error | null = null;

  constructor(name: string, onEvent: (event: string, data: unknown) => void, onFatal?: (message: string) => void) {
    this.worker = new Worker(new URL(`workers/${name}.js`, document.baseURI), { type: 'module', name });
    this.worker.onmessage = (ev: MessageEvent) => {
      const m = ev.data as { id?: number; ok?: boolean; result?: unknown; error?: string; event?: string; data?: unknown };
      if (m.event !== undefined) {
        onEvent(m.event, m.data);
        return;
      }
      const p = m.id !== undefined ? this.pending.get(m.id) : undefined;
      if (!p) return;
      this.pending.delete(m.id!);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error ?? 'the worker failed'));
    };
    this.worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.fail(new Error(`${name}: ${ev.message || 'the worker could not start'}`));
      onFatal?.(this.dead!.message);
    };
  }

  private fail(e: Error): void {
    this.dead = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Sends a request; resolves with the worker's answer. */
  call<T>(type: string, payload: unknown = null, transfer: Transferable[] = []): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, type, payload }, transfer);
    });
  }

  /** A message that needs no answer (pause, stop). */
  send(type: string, payload: unknown = null): void {
    if (!this.dead) this.worker.postMessage({ type, payload });
  }

  /**
   * Ends the worker (the page is leaving). Pending calls are dropped, not rejected: their handlers
   * belong to a page that is gone, and a rejection would put its message on the next page.
   */
  terminate(): void {
    this.worker.terminate();
    this.dead = new Error('stopped');
    this.pending.clear();
  }
}

/** What a worker's handler gets besides its payload. */
export interface HandlerContext {
  /** Sends an event to the page. */
  emit(event: string, data: unknown, transfer?: Transferable[]): void;
}

export type Handler = (payload: any, ctx: HandlerContext) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The worker's side: answers each request with its handler's (awaited) result or error. Also gives
 * the worker a real setImmediate: the engine's trainer yields between steps with it when present,
 * and a worker's setTimeout(0) is clamped to 4 ms once nested, which would cost every step 4 ms.
 */
export function serveWorker(handlers: Record<string, Handler>): void {
  const scope = self as unknown as { postMessage(m: unknown, t?: Transferable[]): void; onmessage: ((ev: MessageEvent) => void) | null };
  installSetImmediate();
  const ctx: HandlerContext = { emit: (event, data, transfer = []) => scope.postMessage({ event, data }, transfer) };
  scope.onmessage = (ev: MessageEvent) => {
    const { id, type, payload } = ev.data as { id?: number; type: string; payload: unknown };
    const h = handlers[type];
    void (async () => {
      try {
        if (!h) throw new Error(`unknown request '${type}'`);
        const result = await h(payload, ctx);
        if (id !== undefined) scope.postMessage({ id, ok: true, result });
      } catch (e) {
        if (id !== undefined) scope.postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
        else ctx.emit('error', e instanceof Error ? e.message : String(e));
      }
    })();
  };
}

function installSetImmediate(): void {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (g.setImmediate) return;
  const channel = new MessageChannel();
  const queue: (() => void)[] = [];
  channel.port1.onmessage = () => queue.shift()?.();
  g.setImmediate = (f: () => void) => {
    queue.push(f);
    channel.port2.postMessage(0);
  };
}
