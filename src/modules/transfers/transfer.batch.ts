import { v7 as uuidv7 } from 'uuid';
import type { PgPool } from '../../db/pg.js';
import { rawTransaction, type RawTx } from '../../db/raw-tx.js';
import type { Stmt } from '../../db/statement.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { failed, withSpan, type Tracing } from '../../shared/tracing.js';
import { trace, type Context } from '@opentelemetry/api';
import { accountRows, selectAccountsOf, updateBalances } from '../accounts/account.sql.js';
import { insertAuditEvents } from '../audit/audit.sql.js';
import { claimSlot, judgeBatch, type JudgePosting } from './transfer-batch.rules.js';
import { afterPosting, hookRowsOf, hookStatements, publishPosted, type PostedRows, type PostingHook } from './transfer.events.js';
import { keyReused, keyVerdict, type AccountLookup, type Refusal } from './transfer.rules.js';
import type { AuditOf, TransferRow } from './transfer.types.js';
import {
  claimedIds,
  claimKeys,
  claimThenLock,
  insertEntries,
  insertTransfers,
  keyOutcome,
  selectKeyOutcome,
  settleKeys,
  type KeySettlement,
} from './transfer.sql.js';

/** What one transfer of a batch came to: its posted rows (entries empty on a replay), or a refusal. */
export type BatchOutcome = PostedRows | { error: Refusal };

/** A transfer waiting for a batch: everything the money transaction needs from its request. */
export interface BatchRequest {
  userId: string;
  key: string | null;
  hash: string;
  lookup: AccountLookup;
  judge: JudgePosting;
  /** Its audit row, written in the batch's commit (a replay or a repeat writes none: the first did). */
  audit?: AuditOf;
}

interface Waiting {
  request: BatchRequest;
  /** The submitting request's trace context (tracing on only). */
  context?: Context;
  resolve: (outcome: BatchOutcome) => void;
  reject: (error: unknown) => void;
}

/** How a request of a batch is answered: judged fresh (claiming its key, if any), a replay of a committed key, or a repeat of an earlier request in the batch with the same key. */
type Role = { kind: 'fresh'; claimId: string | null } | { kind: 'replay' } | { kind: 'repeat'; of: number };

export interface TransferBatcherDeps {
  pool: Pick<PgPool, 'connect'>;
  clock: Clock;
  pubsub: PubSub;
  logger: Logger;
  /** One statement for the whole batch, last of its commit's writes; its rows after commit (transfer.events.ts). */
  postingHook?: PostingHook;
  /** Set: each batch is a span under its first request's, linked to the others'. */
  tracing?: Tracing;
}

/**
 * Group commit for createTransfer: while `lanes` batches are in flight, arriving transfers
 * queue, and the next batch takes up to `maxBatch` of them into one transaction. BEGIN; every
 * claim and then one lock of the union of the batch's accounts in id order, as one statement. Then the rules, in arrival order on running balances (transfer-batch.rules); the
 * replays' stored outcomes, if any; then every write as one statement and COMMIT (db/raw-tx.ts).
 * Events go out after commit, per transfer, in order, before any client is answered.
 */
export class TransferBatcher {
  /** Enough to amortise a commit; few enough that a batch's statements and lock set stay short. */
  static readonly MAX_BATCH = 32;

  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  private publishing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: TransferBatcherDeps,
    private readonly options: { lanes: number; maxBatch?: number },
  ) {}

  /** Transfers waiting for a lane (tests wait on it to know a batch is forming). */
  get queued(): number {
    return this.queue.length;
  }

  submit(request: BatchRequest): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject, context: this.deps.tracing?.active() });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.lanes && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch ?? TransferBatcher.MAX_BATCH);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    let answers: Array<() => BatchOutcome>;
    let hookRows: PostedRows['hookRows'];
    try {
      ({ answers, hookRows } = await (this.deps.tracing ? this.tracedCommit(this.deps.tracing, batch) : this.commit(batch)));
    } catch (error) {
      // Deadlocks and serialization failures were retried already: this fails every transfer of the batch.
      for (const w of batch) w.reject(error);
      return;
    }
    // Batches publish in commit order, so an account's events never overtake each other across lanes.
    const turn = this.publishing.then(() => this.answer(batch, answers, hookRows));
    this.publishing = turn;
    await turn;
  }

  private commit(batch: Waiting[]) {
    return rawTransaction(this.deps.pool, (tx) =>
      transact(
        tx,
        batch.map((w) => w.request),
        this.deps.clock.now(),
        this.deps.postingHook,
      ),
    );
  }

  /**
   * The batch's transaction as a span under the first request's (a batch may start from another
   * request's completion, whose context it must not take), linked to the other requests it commits.
   */
  private async tracedCommit(tracing: Tracing, batch: Waiting[]): ReturnType<TransferBatcher['commit']> {
    const parent = batch[0]!.context ?? tracing.active();
    const links = batch.slice(1).flatMap((w) => {
      const context = w.context && trace.getSpanContext(w.context);
      return context ? [{ context }] : [];
    });
    const span = tracing.start('transfer batch', { attributes: { 'coach.transfers.batch_size': batch.length }, links }, parent);
    try {
      return await tracing.within(withSpan(parent, span), () => this.commit(batch));
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Publishes each posted transfer, then the hook's reaction, then answers; never throws (a failure is its request's). */
  private async answer(batch: Waiting[], answers: Array<() => BatchOutcome>, hookRows: PostedRows['hookRows']): Promise<void> {
    const settled: Array<() => void> = [];
    let first: PostedRows | undefined;
    for (const [i, w] of batch.entries()) {
      try {
        const outcome = answers[i]!();
        if (!('error' in outcome)) {
          await publishPosted(this.deps.pubsub, outcome);
          first ??= outcome;
        }
        settled.push(() => w.resolve(outcome));
      } catch (error) {
        settled.push(() => w.reject(error));
      }
    }
    if (first) await afterPosting(this.deps, { ...first, hookRows });
    for (const settle of settled) settle();
  }
}

/** One batch's transaction; answers are read after commit, so a broken replay fails its own request only. */
async function transact(
  tx: RawTx,
  requests: BatchRequest[],
  now: Date,
  postingHook: PostingHook | undefined,
): Promise<{ answers: Array<() => BatchOutcome>; hookRows: PostedRows['hookRows'] }> {
  const roles = assignRoles(requests);
  // Claimed in key order: two batches sharing keys wait on each other's claims without a cycle.
  const claims = roles
    .flatMap((r, i) => (r.kind === 'fresh' && r.claimId !== null ? [{ i, claimId: r.claimId, slot: claimSlot(requests[i]!.userId, requests[i]!.key)! }] : []))
    .sort((x, y) => (x.slot < y.slot ? -1 : x.slot > y.slot ? 1 : 0));
  const lock = selectAccountsOf(
    requests.flatMap((r) => r.lookup.ids),
    requests.flatMap((r) => (r.lookup.number === null ? [] : [r.lookup.number])),
    true,
  );
  const claiming = claims.map(({ i, claimId }) => ({ id: claimId, userId: requests[i]!.userId, key: requests[i]!.key!, hash: requests[i]!.hash }));
  const [first] = await tx.send(claims.length > 0 ? claimThenLock(claimKeys(claiming, now), lock) : lock);
  // Not among the ids claimed: the key was committed by another transaction (ON CONFLICT waited for it).
  const claimed = claimedIds(first!);
  for (const { i, claimId } of claims) if (!claimed.has(claimId)) roles[i] = { kind: 'replay' };
  const judged = roles.flatMap((r, i) => (r.kind === 'fresh' ? [{ i, claimId: r.claimId }] : []));
  const { verdicts, touched } = judgeBatch(
    judged.map(({ i }) => requests[i]!.judge),
    accountRows(first!),
    now,
  );
  const outcomes = new Map<number, BatchOutcome>();
  const settlements: KeySettlement[] = [];
  judged.forEach(({ i, claimId }, n) => {
    const verdict = verdicts[n]!;
    outcomes.set(i, 'posting' in verdict ? { transfer: verdict.posting.transfer, entries: verdict.posting.entries } : { error: verdict.refusal });
    if (claimId !== null) settlements.push('posting' in verdict ? { claimId, transferId: verdict.posting.transfer.id } : { claimId, ...verdict.refusal });
  });
  const postings = verdicts.flatMap((v) => ('posting' in v ? [v.posting] : []));
  const writes: Stmt[] = [];
  if (postings.length > 0) {
    writes.push(insertTransfers(postings.map((p) => p.transfer)), insertEntries(postings.flatMap((p) => p.entries)), updateBalances(touched, now));
  }
  if (settlements.length > 0) writes.push(settleKeys(settlements, now));
  const audits = judged.flatMap(({ i }) => {
    const audit = requests[i]!.audit;
    return audit ? [audit(outcomes.get(i)!)] : [];
  });
  if (audits.length > 0) writes.push(insertAuditEvents(audits));
  // Last of the writes: it sees every new balance of the batch.
  const hook = hookStatements(
    postingHook,
    postings.flatMap((p) => p.entries),
    now,
  );
  writes.push(...hook);
  const replays = roles.flatMap((r, i) => (r.kind === 'replay' ? [i] : []));
  const stored = replays.length === 0 ? [] : await tx.send(...replays.flatMap((i) => selectKeyOutcome(requests[i]!.userId, requests[i]!.key!)));
  // Each replay's two results, in turn.
  const replayAt = new Map(replays.map((i, n) => [i, 2 * n]));
  const committed = await tx.commit(...writes);
  const answer = (i: number): BatchOutcome => {
    const role = roles[i]!;
    const request = requests[i]!;
    if (role.kind === 'fresh') return outcomes.get(i)!;
    if (role.kind === 'replay') {
      const at = replayAt.get(i)!;
      return asOutcome(keyVerdict(keyOutcome(stored[at]!, stored[at + 1]!), request.hash));
    }
    if (requests[role.of]!.hash !== request.hash) return { error: keyReused() };
    const led = answer(role.of);
    return 'error' in led ? led : { transfer: led.transfer, entries: [] };
  };
  return { answers: requests.map((_, i) => () => answer(i)), hookRows: hookRowsOf(hook, committed) };
}

/** The first request of each (user, key) claims it; later ones in the batch repeat its answer. */
function assignRoles(requests: BatchRequest[]): Role[] {
  const leaders = new Map<string, number>();
  return requests.map((r, i): Role => {
    const slot = claimSlot(r.userId, r.key);
    if (slot === null) return { kind: 'fresh', claimId: null };
    const leader = leaders.get(slot);
    if (leader !== undefined) return { kind: 'repeat', of: leader };
    leaders.set(slot, i);
    return { kind: 'fresh', claimId: uuidv7() };
  });
}

/** A replay answers with the transfer alone: its entries were published by the first request. */
function asOutcome(verdict: { transfer: TransferRow } | { error: Refusal }): BatchOutcome {
  return 'error' in verdict ? verdict : { transfer: verdict.transfer, entries: [] };
}
