import { randomBytes } from 'node:crypto';
import { accountsOf, historyOf, type SandboxAccount, type SandboxInstitution, type SandboxTransaction } from './demo-data.js';

/*
 * Items (one user's link to one institution) and their change logs. /transactions/sync reads
 * the log from a cursor, as Plaid's does: `added` / `modified` / `removed`, `has_more` while a
 * snapshot is being paged; a change landing in the log mid-pagination fails the next page
 * with TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION, and the client starts again from its
 * last committed cursor.
 */

type Change = { kind: 'added' | 'modified'; txn: SandboxTransaction } | { kind: 'removed'; txn: SandboxTransaction };

export interface Item {
  itemId: string;
  accessToken: string;
  institution: SandboxInstitution;
  accounts: SandboxAccount[];
  log: Change[];
  loginRequired: boolean;
  webhook: string | null;
  removed: boolean;
}

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const token = (prefix: string) => `${prefix}-sandbox-${randomBytes(12).toString('hex')}`;

export class ItemStore {
  private readonly byId = new Map<string, Item>();
  private readonly byToken = new Map<string, Item>();

  constructor(private readonly today: () => Date) {}

  create(institution: SandboxInstitution, webhook: string | null): Item {
    const itemId = token('item');
    const item: Item = {
      itemId,
      accessToken: token('access'),
      institution,
      accounts: accountsOf(institution, itemId),
      log: historyOf(institution, itemId, this.today()).map((txn) => ({ kind: 'added' as const, txn })),
      loginRequired: false,
      webhook,
      removed: false,
    };
    this.byId.set(itemId, item);
    this.byToken.set(item.accessToken, item);
    return item;
  }

  byItemId(itemId: string): Item {
    const item = this.byId.get(itemId);
    if (!item) throw new SandboxError(400, 'ITEM_NOT_FOUND', 'no such item');
    return item;
  }

  /** The item behind an access token even while it needs a sign-in: update mode (relink) starts from it. */
  forRelink(accessToken: string): Item {
    const item = this.byToken.get(accessToken);
    if (!item || item.removed) throw new SandboxError(400, 'INVALID_ACCESS_TOKEN', 'the access token is not valid');
    return item;
  }

  /** The item an access token opens; ITEM_LOGIN_REQUIRED while the bank wants the user back. */
  open(accessToken: string): Item {
    const item = this.byToken.get(accessToken);
    if (!item || item.removed) throw new SandboxError(400, 'INVALID_ACCESS_TOKEN', 'the access token is not valid');
    if (item.loginRequired) throw new SandboxError(400, 'ITEM_LOGIN_REQUIRED', 'the user must sign in to the bank again');
    return item;
  }

  /** One page of changes after `cursor` (count at most 500). */
  sync(item: Item, cursor: string, count: number) {
    const [from, snapshot] = parseCursor(cursor, item.log.length);
    if (from < snapshot && item.log.length !== snapshot) {
      throw new SandboxError(
        400,
        'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION',
        'the transactions changed while they were being paged: start again from the first cursor',
      );
    }
    const end = Math.min(from + Math.max(1, Math.min(count, 500)), snapshot);
    // The last state of each transaction in this page, as one entry.
    const last = new Map<string, Change>();
    for (const change of item.log.slice(from, end)) last.set(change.txn.transaction_id, change);
    const changes = [...last.values()];
    return {
      added: changes.filter((c) => c.kind === 'added').map((c) => c.txn),
      modified: changes.filter((c) => c.kind === 'modified').map((c) => c.txn),
      removed: changes.filter((c) => c.kind === 'removed').map((c) => ({ transaction_id: c.txn.transaction_id, account_id: c.txn.account_id })),
      next_cursor: end < snapshot ? `${end}.${snapshot}` : `${end}.${end}`,
      has_more: end < snapshot,
    };
  }

  /** Test control: what a client that has synced everything holds, its transactions and its cursor. */
  snapshot(item: Item): { transactions: SandboxTransaction[]; cursor: string } {
    return { transactions: [...live(item).values()], cursor: `${item.log.length}.${item.log.length}` };
  }

  /** Test control: new transactions, as a bank would post them. */
  add(item: Item, txns: SandboxTransaction[]): void {
    for (const txn of txns) item.log.push({ kind: 'added', txn });
  }

  /** Test control: every pending transaction posts under a new id that points back at the pending one. */
  postPending(item: Item): number {
    const pending = [...live(item).values()].filter((t) => t.pending);
    for (const txn of pending) {
      item.log.push({ kind: 'removed', txn });
      item.log.push({
        kind: 'added',
        txn: { ...txn, transaction_id: `${txn.transaction_id}-posted`, pending: false, pending_transaction_id: txn.transaction_id },
      });
    }
    return pending.length;
  }

  /** Test control: the bank changes a transaction (its amount or name). */
  modify(item: Item, txn: SandboxTransaction): void {
    item.log.push({ kind: 'modified', txn });
  }

  /** Test control: the bank drops a transaction (a pending one that never posts). */
  remove(item: Item, transactionId: string): void {
    const txn = [...item.log].reverse().find((c) => c.txn.transaction_id === transactionId)?.txn;
    if (txn) item.log.push({ kind: 'removed', txn });
  }

  removeItem(item: Item): void {
    item.removed = true;
  }
}

/** The transactions the log leaves standing, by id. */
function live(item: Item): Map<string, SandboxTransaction> {
  const standing = new Map<string, SandboxTransaction>();
  for (const c of item.log) {
    if (c.kind === 'removed') standing.delete(c.txn.transaction_id);
    else standing.set(c.txn.transaction_id, c.txn);
  }
  return standing;
}

function parseCursor(cursor: string, length: number): [number, number] {
  if (cursor === '') return [0, length];
  const m = /^(\d+)\.(\d+)$/.exec(cursor);
  if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) > length) throw new SandboxError(400, 'INVALID_CURSOR', 'the cursor is not one this sandbox gave out');
  const [from, snapshot] = [Number(m[1]), Number(m[2])];
  // At the end of a snapshot, the next call pages whatever came since.
  return from === snapshot ? [from, length] : [from, snapshot];
}
