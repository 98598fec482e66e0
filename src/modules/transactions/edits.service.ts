import { v7 as uuidv7 } from 'uuid';
import type { CoreDeps } from '../../deps.js';
import { badUserInput } from '../../shared/errors.js';
import type { AuthInfo } from '../auth/auth.types.js';
import type { Bound } from './bound.js';
import { updateManualCategory, updateManualJar, upsertEditCategory, upsertEditJar, upsertRule } from './edits.sql.js';
import type { TransactionFeed } from './feed.service.js';
import { TransactionDirection, TransactionSource } from './transaction.enums.js';
import type { CategorizeTransactionInput } from './transaction.inputs.js';
import type { TransactionView } from './transaction.types.js';

/**
 * The user's category and jar for a feed row. A card payment's category is the merchant's,
 * and its jar move is the budget's payment_jar_assignment; everything else is written here,
 * beside the row (transfers) or on it (manual transactions). Ledger rows never change.
 */
export class TransactionEditService {
  constructor(
    private readonly deps: Pick<CoreDeps, 'clock' | 'moneyPool'>,
    private readonly feed: Pick<TransactionFeed, 'get' | 'forget'>,
  ) {}

  async categorize(auth: AuthInfo, id: string, input: CategorizeTransactionInput): Promise<TransactionView> {
    const tx = await this.feed.get(auth, id);
    if (tx.source === TransactionSource.CARD) {
      throw badUserInput([{ field: 'id', message: "a card payment's category is the merchant's: move it to a jar instead (assignTransactionToJar)" }]);
    }
    const at = this.deps.clock.now();
    const writes: Bound[] = [
      tx.source === TransactionSource.MANUAL
        ? updateManualCategory(auth.userId, tx.id, input.category, at)
        : upsertEditCategory({ id: uuidv7(), userId: auth.userId, transactionId: tx.id, category: input.category, at }),
    ];
    if (input.rememberForCounterparty && tx.counterparty) {
      writes.push(upsertRule({ id: uuidv7(), userId: auth.userId, counterparty: tx.counterparty, category: input.category, at }));
    }
    for (const write of writes) await this.deps.moneyPool.query(write.text, write.values);
    this.feed.forget();
    return this.feed.get(auth, tx.id);
  }

  /** Moves a transfer or manual transaction to a jar the caller checked (null: its category's). */
  async setJar(auth: AuthInfo, tx: TransactionView, jarId: string | null): Promise<TransactionView> {
    if (tx.source === TransactionSource.CARD) throw new Error('card payments move through the budget');
    if (tx.direction === TransactionDirection.IN) throw badUserInput([{ field: 'id', message: 'only spending (OUT) counts in a jar' }]);
    const at = this.deps.clock.now();
    const write =
      tx.source === TransactionSource.MANUAL
        ? updateManualJar(auth.userId, tx.id, jarId, at)
        : upsertEditJar({ id: uuidv7(), userId: auth.userId, transactionId: tx.id, jarId, at });
    await this.deps.moneyPool.query(write.text, write.values);
    this.feed.forget();
    return this.feed.get(auth, tx.id);
  }
}
