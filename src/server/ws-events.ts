import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { OperationContext } from './context.js';

type Rendering = ExecutionResult | Promise<ExecutionResult>;

/**
 * graphql-ws's `subscribe` hook: graphql-js's subscribe, with two changes.
 * - Each event renders with a context of its own (so its own EntityManager fork, if a
 *   resolver asks); the subscription itself keeps only its caller.
 * - An event published once reaches every local subscriber as the same object, so each
 *   distinct rendering of it (document, operation, variables, caller) executes once and
 *   is shared: five tabs watching one run cost one execution per token, not five, and the
 *   transports serialize it once for all of them (subscriptions/frames.ts). Sharing never
 *   crosses callers: each subscriber was authorized by its own subscribe, and keeps its own
 *   iterator, socket, slow-reader cut and session ending.
 */
export function sharedRenderingSubscribe(): (args: ExecutionArgs) => Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> {
  const renderings = new SharedRenderings();
  return async (args) => {
    const operation = args.contextValue as OperationContext;
    // The subscribe resolver's fork and services serve the setup only, then go.
    const source = await createSourceEventStream({ ...args, contextValue: operation.fresh() });
    if (!(Symbol.asyncIterator in source)) return source;
    return new RenderedEvents(source[Symbol.asyncIterator](), renderings, args, operation);
  };
}

/**
 * `source` with each item mapped; closing it closes the source. graphql-js's
 * mapAsyncIterator, with one promise an item when `map` answers at once, and as one object
 * with its methods on a prototype: every open subscription holds one.
 */
export function mapEvents<T, R>(source: AsyncIterator<T>, map: (item: T) => R | Promise<R>): AsyncIterableIterator<R> {
  return new MappedEvents(source, map);
}

/** Maps with `mapper`, or with a subclass's own `map`. */
class MappedEvents<T, R> implements AsyncIterableIterator<R> {
  /** Bound once: `next` hands it to every item's promise. */
  private readonly step = (item: IteratorResult<T>): IteratorResult<R> | Promise<IteratorResult<R>> => {
    if (item.done) return { value: undefined, done: true };
    let value: R | Promise<R>;
    try {
      value = this.map(item.value);
    } catch (error) {
      return this.throw(error);
    }
    return value instanceof Promise
      ? value.then(
          (v: R) => ({ value: v, done: false }),
          (error: unknown) => this.throw(error),
        )
      : { value, done: false };
  };

  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly mapper?: (item: T) => R | Promise<R>,
  ) {}

  protected map(item: T): R | Promise<R> {
    return this.mapper!(item);
  }

  next(): Promise<IteratorResult<R>> {
    return this.source.next().then(this.step);
  }

  async return(): Promise<IteratorResult<R>> {
    await this.source.return?.();
    return { value: undefined, done: true };
  }

  /** Closes the source, then rejects with `error`. */
  throw(error: unknown): Promise<IteratorResult<R>> {
    return this.return().then(() => Promise.reject(error));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<R> {
    return this;
  }
}

/** Every subscription's renderings, by event then by rendering key; one per subscribe hook. */
class SharedRenderings {
  private readonly rendered = new WeakMap<object, Map<string, Rendering>>();
  private readonly documentIds = new WeakMap<DocumentNode, number>();
  private nextDocumentId = 0;

  key(args: ExecutionArgs, operation: OperationContext): string {
    let id = this.documentIds.get(args.document);
    if (id === undefined) this.documentIds.set(args.document, (id = this.nextDocumentId++));
    const auth = operation.auth;
    // The caller as resolvers see it: who and in what role. Not the sign-in session: nothing reachable
    // from Subscription reads it (tests/unit/shared-renderings.test.ts), so a user's devices share too.
    return JSON.stringify([id, args.operationName ?? null, args.variableValues ?? null, auth?.userId ?? null, auth?.role ?? null]);
  }

  /** The rendering of `payload` under `key`: made by `run` for the first subscriber asking, the same for the rest. */
  of(payload: object, key: string, run: () => Rendering): Rendering {
    let renderings = this.rendered.get(payload);
    if (!renderings) this.rendered.set(payload, (renderings = new Map()));
    const kept = renderings.get(key);
    if (kept) return kept;
    const rendering = run();
    renderings.set(key, rendering);
    // Settled, the later subscribers take the result itself rather than await it.
    if (rendering instanceof Promise)
      rendering.then(
        (value) => renderings.set(key, value),
        () => {},
      );
    return rendering;
  }
}

/** One subscription's events, rendered: its state is fields and its map a method, so an open one holds no closure. */
class RenderedEvents extends MappedEvents<unknown, ExecutionResult> {
  private key: string | undefined;

  constructor(
    source: AsyncIterator<unknown>,
    private readonly renderings: SharedRenderings,
    private readonly args: ExecutionArgs,
    private readonly operation: OperationContext,
  ) {
    super(source);
  }

  protected override map(payload: unknown): Rendering {
    if (typeof payload !== 'object' || payload === null) return this.run(payload);
    this.key ??= this.renderings.key(this.args, this.operation);
    return this.renderings.of(payload, this.key, () => this.run(payload));
  }

  private run(payload: unknown): Rendering {
    return execute({ ...this.args, rootValue: payload, contextValue: this.operation.fresh() });
  }
}
