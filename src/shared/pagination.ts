import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { badUserInput, type DomainError } from './errors.js';
import { isUuid } from './ids.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType({ description: 'Where a page sits in its list (Relay cursor pagination).' })
export class PageInfo {
  @Field(() => Boolean, { description: 'True when there are more items after this page.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'True when there are items before this page.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { description: 'Cursor of the first edge; pass it as before for the previous page. Null for an empty page.', nullable: true })
  startCursor!: string | null;

  @Field(() => String, { description: 'Cursor of the last edge; pass it as after for the next page. Null for an empty page.', nullable: true })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** What services return for a Relay connection. */
export interface Page<T> {
  edges: Array<Edge<T>>;
  pageInfo: PageInfo;
  totalCount: number;
}

/** Declares `<Name>Edge` and `<Name>Connection` object types for a node type. */
export function ConnectionType<T extends object>(name: string, nodeType: ClassType<T>): ClassType<Page<T>> {
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor.` })
  class EdgeType {
    @Field(() => String, { description: 'Opaque position of this item: pass it as after to get the items that follow it.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (Relay cursor pagination): edges in the list's order, pageInfo for the next page.` })
  class ConnectionClass {
    @Field(() => [EdgeType], { description: "This page's items, in the list's order; [] when there are none." })
    edges!: Array<Edge<T>>;

    @Field(() => PageInfo, { description: 'Cursors and whether more pages exist.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many items the whole list holds, every page together, with the same filters.' })
    totalCount!: number;
  }
  return ConnectionClass;
}

/** `first`/`last` bounds from the contract: 1..100, BAD_USER_INPUT naming the argument otherwise. */
export function pageSize(value: number | null | undefined, field = 'first', fallback = DEFAULT_PAGE_SIZE): number {
  if (value === null || value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw badUserInput([{ field, message: `must be from 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return value;
}

/** Cursors are opaque to clients: base64url of a JSON array of the sort keys. */
export function encodeCursor(keys: Array<string | number>): string {
  return Buffer.from(JSON.stringify(keys)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, field = 'after'): Array<string | number> | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  try {
    const keys: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === 'string' || typeof k === 'number')) {
      return keys as Array<string | number>;
    }
  } catch {
    // reported below
  }
  throw badCursor(field);
}

/** The one answer to a cursor this API did not hand out: BAD_USER_INPUT naming the argument. */
export function badCursor(field = 'after'): DomainError {
  return badUserInput([{ field, message: 'is not a cursor this API gave out' }]);
}

/** A `[seq]` cursor (an integer sort key); null when there is none. */
export function seqCursor(cursor: string | null | undefined, field = 'after'): number | null {
  const keys = decodeCursor(cursor, field);
  if (!keys) return null;
  const [seq] = keys;
  if (keys.length !== 1 || typeof seq !== 'number' || !Number.isInteger(seq)) throw badCursor(field);
  return seq;
}

/** A `[ISO time, id]` cursor (newest-first lists keyed by a timestamp, ties broken by id); null when there is none. */
export function timeIdCursor(cursor: string | null | undefined, field = 'after'): { at: Date; id: string } | null {
  const keys = decodeCursor(cursor, field);
  if (!keys) return null;
  const [at, id] = keys;
  const time = typeof at === 'string' ? new Date(at) : undefined;
  if (!time || Number.isNaN(time.getTime()) || typeof id !== 'string' || keys.length !== 2) throw badCursor(field);
  return { at: time, id };
}

/** A `[uuid]` cursor (lists keyed by a time-ordered uuid v7 id); null when there is none. */
export function uuidCursor(cursor: string | null | undefined, field = 'after'): string | null {
  const keys = decodeCursor(cursor, field);
  if (!keys) return null;
  const [id] = keys;
  if (typeof id !== 'string' || !isUuid(id)) throw badCursor(field);
  return id;
}

/**
 * Builds a page from rows fetched with one extra row (limit + 1): the extra row only
 * says whether another page exists.
 */
export function toPage<T>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => Array<string | number>,
  totalCount: number,
  direction: { forward: boolean; hadCursor: boolean } = { forward: true, hadCursor: false },
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  // Paging backwards fetches newest-first; the page itself is shown in forward order.
  const ordered = direction.forward ? kept : [...kept].reverse();
  const edges = ordered.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: direction.forward ? more : direction.hadCursor,
      hasPreviousPage: direction.forward ? direction.hadCursor : more,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
