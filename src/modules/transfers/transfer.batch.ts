import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { PgPool } from '../../db/pg.js';
import { rawTransaction, type RawTx } from '../../db/raw-tx.js';
import { checkedStatement, prepared, STALE_READ, stmt, type PgResult, type Stmt } from '../../db/statement.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { failed, withSpan, type Tracing } from '../../shared/tracing.js';
import { trace, type Context } from '@opentelemetry/api';
import { accountRows, lockUnchanged, selectAccountsOf, updateBalances, updateLockedBalances } from '../accounts/account.sql.js';
import type { AccountRow } from '../accounts/account.rules.js';
import { insertAuditEvents, type AuditRow } from '../audit/audit.sql.js';
import { claimSlot, judgeBatch, type JudgePosting } from './transfer-batch.rules.js';
import { afterPosting, hookRowsOf, hookStatements, publishPosted, type PostedRows, type PostingHook } from './transfer.events.js';
import { keyReused, keyVerdict, type AccountLookup, type Posting, type Refusal } from './transfer.rules.js';
import type { AuditOf, TransferRow } from './transfer.types.js';
import {
  claimedIds,
  claimKeys,
  claimSettledKeys,
  claimThenLock,
  foundKeys,
  insertEntries,
  insertTransfers,
  keyOutcome,
  readWithKeys,
  selectKeyOutcome,
  settleKeys,
  type KeySettlement,
} from './transfer.sql.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** How long a committed write's prediction stays for reads that crossed its commit (their responses are a round trip behind). */
const PREDICTION_KEPT_MS = 1_000;

/** PostgreSQL's deadlock_detected: the unlocked path gives way to the locked one. */
const DEADLOCK = '40P01';

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
  /** Told which path each batch committed on (metrics). */
  paths?: (path: 'unlocked' | 'locked') => void;
  /** Set: each batch is a span under its first request's, linked to the others'. */
  tracing?: Tracing;
}

/**
 * Group commit for createTransfer: while `lanes` batches are in flight, arriving transfers
 * queue, and the next batch takes up to `maxBatch` of them into one transaction. A batch runs
 * the unlocked path first (two round trips: read, then one checked write: transactUnlocked) and
 * the locked one (four: transactLocked) only when what it read changed before its write. A
 * batch sharing an account with an unlocked write in flight here does not wait for it: it judges
 * on what that write will leave (`predicted`), and its own write queues behind that one's row
 * locks in PostgreSQL, so batches of one hot account follow each other one statement apart. The rules run in arrival order on running
 * balances (transfer-batch.rules) on both paths. Events go out after commit, per transfer, in
 * order, before any client is answered.
 */
export class TransferBatcher {
  /** Enough to amortise a commit; few enough that a batch's statements and lock set stay short. */
  static readonly MAX_BATCH = 32;

  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  private publishing: Promise<void> = Promise.resolve();
  /**
   * What the unlocked writes in flight here will leave in the accounts they post to, by account
   * (the latest batch's): a batch that reads one of them judges on this, not on the row it read,
   * which that write may not have reached yet. Its check then expects this state, so if the write
   * before it is undone instead, the check fails and the locked path runs.
   */
  private readonly predicted = new Map<string, { row: AccountRow; owner: symbol }>();

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
    const requests = batch.map((w) => w.request);
    let answers: Array<() => BatchOutcome>;
    let hookRows: PostedRows['hookRows'];
    try {
      ({ answers, hookRows } = await (this.deps.tracing ? this.tracedTransact(this.deps.tracing, batch) : this.transact(requests)));
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

  /** The unlocked path first; when what it read changed before its write, the locked path (which retries serialization failures and deadlocks itself). */
  private async transact(requests: BatchRequest[]): Promise<Settled> {
    const unlocked = this.predicting();
    const client = await this.deps.pool.connect();
    let settled: Settled | null = null;
    try {
      settled = await transactUnlocked(client, requests, this.deps.clock.now(), this.deps.postingHook, unlocked);
    } finally {
      client.release();
      unlocked.ended(settled !== null);
    }
    this.deps.paths?.(settled === null ? 'locked' : 'unlocked');
    if (settled) return settled;
    const locked = this.predicting();
    let committed: Settled | undefined;
    try {
      committed = await rawTransaction(this.deps.pool, (tx) => transactLocked(tx, requests, this.deps.clock.now(), this.deps.postingHook, locked.judged));
      return committed;
    } finally {
      locked.ended(committed !== undefined);
    }
  }

  /**
   * One write's part in `predicted`: what it judged it will leave, told before it writes; when it
   * ends, undone writes' predictions go at once, committed ones a moment later (a read that
   * crossed the commit may still need them; one that follows it shows the same entry seq or more).
   */
  private predicting() {
    const owner = Symbol('batch');
    const drop = () => {
      for (const [id, p] of this.predicted) if (p.owner === owner) this.predicted.delete(id);
    };
    return {
      predicted: (accountId: string) => this.predicted.get(accountId)?.row,
      judged: (touched: AccountRow[]) => {
        for (const row of touched) this.predicted.set(row.id, { row, owner });
      },
      ended: (committed: boolean) => {
        if (committed) setTimeout(drop, PREDICTION_KEPT_MS).unref();
        else drop();
      },
    };
  }

  /**
   * The batch's transaction as a span under the first request's (a batch may start from another
   * request's completion, whose context it must not take), linked to the other requests it commits.
   */
  private async tracedTransact(tracing: Tracing, batch: Waiting[]): Promise<Settled> {
    const parent = batch[0]!.context ?? tracing.active();
    const links = batch.slice(1).flatMap((w) => {
      const context = w.context && trace.getSpanContext(w.context);
      return context ? [{ context }] : [];
    });
    const span = tracing.start('transfer batch', { attributes: { 'coach.transfers.batch_size': batch.length }, links }, parent);
    try {
      return await tracing.within(withSpan(parent, span), () => this.transact(batch.map((w) => w.request)));
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

/** What a batch's transaction came to: an answer per request (read after commit, so a broken replay fails its own request only) and the hook's rows. */
interface Settled {
  answers: Array<() => BatchOutcome>;
  hookRows: PostedRows['hookRows'];
}

/** A batch judged on the accounts it read: what each fresh request came to, and what commit writes. */
interface Judged {
  outcomes: Map<number, BatchOutcome>;
  settlements: Array<{ i: number; settlement: KeySettlement }>;
  postings: Posting[];
  touched: AccountRow[];
  audits: AuditRow[];
  hook: Stmt[];
}

/** The rules on the rows read, in arrival order (transfer-batch.rules), for every request whose role is fresh. */
function judge(requests: BatchRequest[], roles: Role[], accounts: Map<string, AccountRow>, now: Date, postingHook: PostingHook | undefined): Judged {
  const judged = roles.flatMap((r, i) => (r.kind === 'fresh' ? [{ i, claimId: r.claimId }] : []));
  const { verdicts, touched } = judgeBatch(
    judged.map(({ i }) => requests[i]!.judge),
    accounts,
    now,
  );
  const outcomes = new Map<number, BatchOutcome>();
  const settlements: Judged['settlements'] = [];
  judged.forEach(({ i, claimId }, n) => {
    const verdict = verdicts[n]!;
    outcomes.set(i, 'posting' in verdict ? { transfer: verdict.posting.transfer, entries: verdict.posting.entries } : { error: verdict.refusal });
    if (claimId !== null) {
      settlements.push({ i, settlement: 'posting' in verdict ? { claimId, transferId: verdict.posting.transfer.id } : { claimId, ...verdict.refusal } });
    }
  });
  const postings = verdicts.flatMap((v) => ('posting' in v ? [v.posting] : []));
  const audits = judged.flatMap(({ i }) => {
    const audit = requests[i]!.audit;
    return audit ? [audit(outcomes.get(i)!)] : [];
  });
  const hook = hookStatements(
    postingHook,
    postings.flatMap((p) => p.entries),
    now,
  );
  return { outcomes, settlements, postings, touched, audits, hook };
}

/** The postings' rows and the audit rows: the writes both paths commit besides keys, balances and the hook. */
function postingWrites(j: Judged): Stmt[] {
  const writes: Stmt[] = [];
  if (j.postings.length > 0) writes.push(insertTransfers(j.postings.map((p) => p.transfer)), insertEntries(j.postings.flatMap((p) => p.entries)));
  if (j.audits.length > 0) writes.push(insertAuditEvents(j.audits));
  return writes;
}

/** Each request's answer: its own outcome, its key's stored one (a replay: `stored` has its two results), or its leader's. */
function answersOf(
  requests: BatchRequest[],
  roles: Role[],
  outcomes: Map<number, BatchOutcome>,
  stored: Map<number, [PgResult, PgResult]>,
): Settled['answers'] {
  const answer = (i: number): BatchOutcome => {
    const role = roles[i]!;
    const request = requests[i]!;
    if (role.kind === 'fresh') return outcomes.get(i)!;
    if (role.kind === 'replay') {
      const [key, transfer] = stored.get(i)!;
      return asOutcome(keyVerdict(keyOutcome(key, transfer), request.hash));
    }
    if (requests[role.of]!.hash !== request.hash) return { error: keyReused() };
    const led = answer(role.of);
    return 'error' in led ? led : { transfer: led.transfer, entries: [] };
  };
  return requests.map((_, i) => () => answer(i));
}

/** The stored outcomes of the replays, two results each, read on `send` (after the keys' commit). */
async function storedOutcomes(
  requests: BatchRequest[],
  roles: Role[],
  send: (stmts: Stmt[]) => Promise<PgResult[]>,
): Promise<Map<number, [PgResult, PgResult]>> {
  const replays = roles.flatMap((r, i) => (r.kind === 'replay' ? [i] : []));
  if (replays.length === 0) return new Map();
  const results = await send(replays.flatMap((i) => selectKeyOutcome(requests[i]!.userId, requests[i]!.key!)));
  return new Map(replays.map((i, n) => [i, [results[2 * n]!, results[2 * n + 1]!]]));
}

/** Every account the batch's requests name, by id or by number; `lock`: FOR UPDATE. */
function lookups(requests: BatchRequest[], lock: boolean): Stmt {
  return selectAccountsOf(
    requests.flatMap((r) => r.lookup.ids),
    requests.flatMap((r) => (r.lookup.number === null ? [] : [r.lookup.number])),
    lock,
  );
}

/**
 * The unlocked path, two round trips and no BEGIN or COMMIT: one statement reads the accounts
 * and which keys are taken; the rules run (on what a write in flight here will leave, where the
 * read is behind it); one statement claims the keys with their outcomes, locks the accounts read
 * in id order, checks each still has the balance, entry seq and status judged on, and writes
 * everything (db/statement.ts checkedStatement). Null when the check failed: something else
 * changed in between, nothing was written, and the locked path runs instead.
 */
async function transactUnlocked(
  client: Queryable,
  requests: BatchRequest[],
  now: Date,
  postingHook: PostingHook | undefined,
  inFlight: { predicted: (accountId: string) => AccountRow | undefined; judged: (touched: AccountRow[]) => void },
): Promise<Settled | null> {
  const roles = assignRoles(requests);
  const keyed = roles.flatMap((r, i) => (r.kind === 'fresh' && r.claimId !== null ? [i] : []));
  const read = await run(
    client,
    readWithKeys(
      lookups(requests, false),
      keyed.map((i) => ({ userId: requests[i]!.userId, key: requests[i]!.key! })),
    ),
  );
  const taken = new Set(foundKeys(read).map(([userId, key]) => claimSlot(userId, key)));
  for (const i of keyed) if (taken.has(claimSlot(requests[i]!.userId, requests[i]!.key))) roles[i] = { kind: 'replay' };
  const accounts = accountRows(read);
  // A write in flight here that posts to an account the read shows before it: judged on what it will leave.
  // Entry seqs only grow, so a read that already shows that write (or a later one) is kept.
  for (const [id, row] of accounts) {
    const next = inFlight.predicted(id);
    if (next && next.entrySeq > row.entrySeq) accounts.set(id, next);
  }
  const expected = [...accounts.values()];
  const j = judge(requests, roles, accounts, now, postingHook);
  inFlight.judged(j.touched);
  const parts: Array<{ name: string; stmt: Stmt; materialized?: boolean }> = [];
  const checks: Stmt[] = [];
  if (j.settlements.length > 0) {
    const claims = j.settlements.map(({ i, settlement }) => ({
      id: settlement.claimId,
      userId: requests[i]!.userId,
      key: requests[i]!.key!,
      hash: requests[i]!.hash,
      settlement,
    }));
    parts.push({ name: 'claimed', stmt: claimSettledKeys(claims, now) });
    checks.push(stmt(`(select count(*) from "claimed") = ?`, [claims.length]));
  }
  if (expected.length > 0) {
    const { lock, unchanged } = lockUnchanged(expected, j.settlements.length > 0 ? 'claimed' : null);
    parts.push({ name: 'lock', stmt: lock, materialized: true });
    checks.push(unchanged);
  }
  const writes = postingWrites(j);
  if (j.touched.length > 0) writes.push(updateLockedBalances(j.touched, now));
  writes.forEach((w, n) => parts.push({ name: `w${n}`, stmt: w }));
  let committed: PgResult;
  try {
    committed = await run(client, checkedStatement(parts, checks, 'accounts or keys of a transfer batch', j.hook[0]));
  } catch (error) {
    // Stale: a change committed since the read. Deadlock: a locked transaction met this one's locks.
    const code = (error as { code?: unknown }).code;
    if (code === STALE_READ || code === DEADLOCK) return null;
    throw error;
  }
  const hookRows = j.hook.length > 0 ? (committed.rows[0]!.rows as PgResult['rows']) : undefined;
  const stored = await storedOutcomes(requests, roles, async (stmts) => {
    const results: PgResult[] = [];
    for (const s of stmts) results.push(await run(client, s));
    return results;
  });
  return { answers: answersOf(requests, roles, j.outcomes, stored), hookRows };
}

/**
 * The locked path (four round trips): BEGIN; every claim and then one lock of the union of the
 * batch's accounts in id order, as one statement; the rules; the replays' stored outcomes, if
 * any; every write as one statement and COMMIT (db/raw-tx.ts).
 */
async function transactLocked(
  tx: RawTx,
  requests: BatchRequest[],
  now: Date,
  postingHook: PostingHook | undefined,
  judged: (touched: AccountRow[]) => void,
): Promise<Settled> {
  const roles = assignRoles(requests);
  // Claimed in key order: two batches sharing keys wait on each other's claims without a cycle.
  const claims = roles
    .flatMap((r, i) => (r.kind === 'fresh' && r.claimId !== null ? [{ i, claimId: r.claimId, slot: claimSlot(requests[i]!.userId, requests[i]!.key)! }] : []))
    .sort((x, y) => (x.slot < y.slot ? -1 : x.slot > y.slot ? 1 : 0));
  const lock = lookups(requests, true);
  const claiming = claims.map(({ i, claimId }) => ({ id: claimId, userId: requests[i]!.userId, key: requests[i]!.key!, hash: requests[i]!.hash }));
  const [first] = await tx.send(claims.length > 0 ? claimThenLock(claimKeys(claiming, now), lock) : lock);
  // Not among the ids claimed: the key was committed by another transaction (ON CONFLICT waited for it).
  const claimed = claimedIds(first!);
  for (const { i, claimId } of claims) if (!claimed.has(claimId)) roles[i] = { kind: 'replay' };
  const j = judge(requests, roles, accountRows(first!), now, postingHook);
  judged(j.touched);
  const writes = postingWrites(j);
  if (j.touched.length > 0) writes.push(updateBalances(j.touched, now));
  if (j.settlements.length > 0)
    writes.push(
      settleKeys(
        j.settlements.map((s) => s.settlement),
        now,
      ),
    );
  // Last of the writes: its rows are the commit's result.
  writes.push(...j.hook);
  const stored = await storedOutcomes(requests, roles, (stmts) => tx.send(...stmts));
  const committed = await tx.commit(...writes);
  return { answers: answersOf(requests, roles, j.outcomes, stored), hookRows: hookRowsOf(j.hook, committed) };
}

function run(client: Queryable, s: Stmt): Promise<PgResult> {
  return client.query(prepared(s));
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
