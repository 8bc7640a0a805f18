// Money movement (R4.2–R4.9): turns a caller's request into a prepared MovementRequest —
// validated, authorised (a customer moves money only out of their own accounts; another
// customer's object is 404), amounts parsed into minor units — and hands it to the executor,
// which runs it (alone or micro-batched) in one database transaction with its records.
import type { Config } from '../../platform/config.js';
import type { Queryable } from '../../platform/db/pool.js';
import { BankError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { amountProblemText, formatAmount, parseAmount } from '../../platform/money.js';
import { randomHex } from '../../platform/random.js';
import type { AuditActor } from '../audit/types.js';
import { accountIdentity, type AccountIdentity } from '../accounts/identity.js';
import { currencyExponent, findAccountByNumber } from '../accounts/service.js';
import type { Principal } from '../auth/roles.js';
import { internalAccountIdOf } from '../ledger/service.js';
import type { TransferInput } from '../ledger/types.js';
import type { MovementExecutor } from './batcher.js';
import { defaultCategory } from './categories.js';
import { presentTransaction, type TransactionJson } from './present.js';
import * as repo from './repo.js';
import type {
  Channel,
  Counterparty,
  IdempotencyClaim,
  MovementOutcome,
  MovementRequest,
  NewTransaction,
  ScreeningFacts,
  Transaction,
  TransactionType,
} from './types.js';

/** Who asks, from where, and with which idempotency key. */
export interface Caller {
  principal: Principal;
  actor: AuditActor;
  channel: Channel;
  /** The Idempotency-Key header and a hash of the request it came with. */
  idempotency?: { key: string; requestHash: string } | undefined;
}

export interface Reply {
  status: number;
  body: TransactionJson | unknown;
  replayed: boolean;
}

export interface Labels {
  description?: string | undefined;
  category?: string | undefined;
  tags?: string[] | undefined;
}

const isCustomer = (p: Principal) => p.role === 'customer';

/**
 * The identity of an account the principal may act on; another customer's account is "not
 * found". Moving money needs no more: status and balances are checked by the ledger, under the
 * account's lock.
 */
export async function accountFor(
  q: Queryable,
  principal: Principal,
  accountId: string,
): Promise<AccountIdentity> {
  const account = await accountIdentity(q, accountId);
  if (!account || (isCustomer(principal) && account.customerId !== principal.customerId)) {
    throw new BankError('NOT_FOUND', 'No such account');
  }
  return account;
}

export async function parseMoney(
  q: Queryable,
  input: unknown,
  currency: string,
  path = 'body.amount',
): Promise<bigint> {
  const exponent = (await currencyExponent(q, currency)) ?? 2;
  const parsed = parseAmount(input, exponent);
  if (!parsed.ok) {
    throw new BankError('INVALID_AMOUNT', `The amount ${amountProblemText[parsed.problem]}`, {
      errors: [{ path, message: amountProblemText[parsed.problem] }],
    });
  }
  return parsed.minor;
}

/**
 * A transaction's reference: CB, the UTC date (yymmdd) and 64 random bits in hexadecimal.
 * References are unique (transactions.reference), and a clash fails the movement it falls on.
 * Among a million references of one day, the odds of a clash are about 3 in 100 million; with
 * the 40 bits of earlier versions they were nearly 1 in 2.
 */
function newReference(): string {
  const day = new Date().toISOString().slice(2, 10).replaceAll('-', '');
  return `CB${day}${randomHex(8).toUpperCase()}`;
}

function claim(caller: Caller): IdempotencyClaim | undefined {
  const i = caller.idempotency;
  return i && { userId: caller.principal.userId, key: i.key, requestHash: i.requestHash };
}

function toReply(outcome: MovementOutcome): Reply {
  if (outcome.kind === 'failed') throw outcome.error;
  return { status: outcome.status, body: outcome.body, replayed: outcome.kind === 'replay' };
}

async function limitFor(
  q: Queryable,
  config: Config,
  currency: string,
  which: 'deposit' | 'withdrawal',
): Promise<bigint> {
  const exponent = (await currencyExponent(q, currency)) ?? 2;
  const major = BigInt(which === 'deposit' ? config.MAX_SINGLE_DEPOSIT : config.MAX_SINGLE_WITHDRAWAL);
  return major * 10n ** BigInt(exponent);
}

export function createPaymentsService(deps: { pool: Queryable; config: Config; executor: MovementExecutor }) {
  const { pool: q, config, executor } = deps;

  function record(
    caller: Caller,
    t: Omit<
      NewTransaction,
      | 'id'
      | 'reference'
      | 'channel'
      | 'initiatedBy'
      | 'transferId'
      | 'category'
      | 'tags'
      | 'description'
      | 'counterparty'
      | 'reversesTransactionId'
    > &
      Partial<Pick<NewTransaction, 'counterparty' | 'reversesTransactionId'>>,
    labels: Labels,
  ): NewTransaction {
    const id = newId();
    const description = labels.description ?? null;
    // Written out field by field: a spread followed by added fields is V8's slow path on Node 20
    // (docs/benchmarks.md, "object spread").
    return {
      id,
      reference: newReference(),
      type: t.type,
      status: t.status,
      amount: t.amount,
      currency: t.currency,
      fromAccountId: t.fromAccountId,
      toAccountId: t.toAccountId,
      counterparty: t.counterparty ?? null,
      description,
      category: labels.category ?? defaultCategory(t.type, description),
      tags: labels.tags ?? [],
      channel: caller.channel,
      initiatedBy: caller.principal.userId,
      transferId: id,
      reversesTransactionId: t.reversesTransactionId ?? null,
      risk: null,
    };
  }

  function movement(
    caller: Caller,
    tx: NewTransaction,
    transfer: Pick<TransferInput, 'debitAccountId' | 'creditAccountId' | 'phase' | 'timeoutSeconds'>,
    action: string,
    status: 201 | 202 = 201,
    screening?: ScreeningFacts,
  ): MovementRequest {
    return {
      idempotency: claim(caller),
      screening,
      transfers: [
        {
          id: tx.transferId,
          phase: transfer.phase,
          debitAccountId: transfer.debitAccountId,
          creditAccountId: transfer.creditAccountId,
          amount: tx.amount,
          timeoutSeconds: transfer.timeoutSeconds,
          code: tx.type,
          metadata: { transactionId: tx.id },
        },
      ],
      inserts: [tx],
      updates: [],
      audit: [
        {
          actor: caller.actor,
          entityType: 'transaction',
          entityId: tx.id,
          action,
          after: {
            type: tx.type,
            status: tx.status,
            amount: tx.amount.toString(),
            currency: tx.currency,
            from: tx.fromAccountId,
            to: tx.toAccountId,
          },
        },
      ],
      events: [
        {
          topic: action,
          aggregateId: tx.id,
          payload: { transactionId: tx.id, type: tx.type, status: tx.status },
        },
      ],
      replyWith: tx.id,
      replyStatus: status,
    };
  }

  /**
   * What fraud screening needs about money leaving a customer's account (withdrawals, transfers
   * to someone else, external transfers). The channel counts only when the customer acts.
   */
  async function screeningOf(
    caller: Caller,
    from: AccountIdentity,
    amount: bigint,
    payee: string | null,
  ): Promise<ScreeningFacts> {
    const own = isCustomer(caller.principal);
    return {
      accountId: from.id,
      customerId: from.customerId,
      accountType: from.type,
      amount,
      currency: from.currency,
      exponent: (await currencyExponent(q, from.currency)) ?? 2,
      payee,
      ip: own ? (caller.channel.ip ?? null) : null,
      location: own ? (caller.channel.location ?? null) : null,
    };
  }

  /** Any customer's account may receive; knowing its id or number is what a payee needs. */
  const receivingAccount = (input: {
    toAccountId?: string | undefined;
    toAccountNumber?: string | undefined;
  }) =>
    input.toAccountNumber
      ? findAccountByNumber(q, input.toAccountNumber)
      : accountIdentity(q, input.toAccountId ?? '');

  /** Cash at the counter (staff) moves against the vault; a customer's own deposit against clearing. */
  const fundingAccount = (caller: Caller, currency: string) =>
    internalAccountIdOf(currency, isCustomer(caller.principal) ? 'CLEARING' : 'VAULT');

  /**
   * A deposit or withdrawal: money in or out of one account against the funding account, within
   * the configured single-movement limit. Only withdrawals leave the customer, so only they are
   * screened.
   */
  async function counterMovement(
    caller: Caller,
    input: { accountId: string; amount: unknown } & Labels,
    kind: 'deposit' | 'withdrawal',
  ): Promise<Reply> {
    const account = await accountFor(q, caller.principal, input.accountId);
    const amount = await parseMoney(q, input.amount, account.currency);
    if (amount > (await limitFor(q, config, account.currency, kind))) {
      const max = kind === 'deposit' ? config.MAX_SINGLE_DEPOSIT : config.MAX_SINGLE_WITHDRAWAL;
      throw new BankError('LIMIT_EXCEEDED', `A single ${kind} may be at most ${max} ${account.currency}`);
    }
    const incoming = kind === 'deposit';
    const tx = record(
      caller,
      {
        type: incoming ? 'DEPOSIT' : 'WITHDRAWAL',
        status: 'COMPLETED',
        amount,
        currency: account.currency,
        fromAccountId: incoming ? null : account.id,
        toAccountId: incoming ? account.id : null,
      },
      input,
    );
    const funding = fundingAccount(caller, account.currency);
    const legs = incoming
      ? { debitAccountId: funding, creditAccountId: account.id }
      : { debitAccountId: account.id, creditAccountId: funding };
    const screening = incoming ? undefined : await screeningOf(caller, account, amount, null);
    return toReply(await executor.submit(movement(caller, tx, legs, `transaction.${kind}`, 201, screening)));
  }

  return {
    async deposit(caller: Caller, input: { accountId: string; amount: unknown } & Labels): Promise<Reply> {
      return counterMovement(caller, input, 'deposit');
    },

    async withdraw(caller: Caller, input: { accountId: string; amount: unknown } & Labels): Promise<Reply> {
      return counterMovement(caller, input, 'withdrawal');
    },

    async transfer(
      caller: Caller,
      input: {
        fromAccountId: string;
        toAccountId?: string | undefined;
        toAccountNumber?: string | undefined;
        toExternal?: Counterparty | undefined;
        amount: unknown;
      } & Labels,
    ): Promise<Reply> {
      // Both accounts are looked up at once (one coalesced query); errors keep their order:
      // the paying account, then the amount, then the receiving account.
      const [paying, receiving] = await Promise.allSettled([
        accountFor(q, caller.principal, input.fromAccountId),
        input.toExternal ? undefined : receivingAccount(input),
      ]);
      if (paying.status === 'rejected') throw paying.reason;
      const from = paying.value;
      const amount = await parseMoney(q, input.amount, from.currency);
      if (input.toExternal) {
        const tx = record(
          caller,
          {
            type: 'EXTERNAL_OUT',
            status: 'PENDING',
            amount,
            currency: from.currency,
            fromAccountId: from.id,
            toAccountId: null,
            counterparty: input.toExternal,
          },
          input,
        );
        const payee = `external:${input.toExternal.bankCode}:${input.toExternal.accountNumber}`;
        const m = movement(
          caller,
          tx,
          {
            phase: 'pending',
            debitAccountId: from.id,
            creditAccountId: internalAccountIdOf(from.currency, 'CLEARING'),
          },
          'transaction.external_out',
          201,
          await screeningOf(caller, from, amount, payee),
        );
        return toReply(await executor.submit(m));
      }
      if (receiving.status === 'rejected') throw receiving.reason;
      const to = receiving.value;
      if (!to) throw new BankError('NOT_FOUND', 'No such receiving account');
      if (to.id === from.id) throw new BankError('INVALID_REQUEST', 'The two accounts must be different');
      if (to.currency !== from.currency)
        throw new BankError(
          'CURRENCY_MISMATCH',
          `The receiving account holds ${to.currency}, not ${from.currency}`,
        );
      const tx = record(
        caller,
        {
          type: 'TRANSFER',
          status: 'COMPLETED',
          amount,
          currency: from.currency,
          fromAccountId: from.id,
          toAccountId: to.id,
        },
        input,
      );
      // Between the customer's own accounts no money leaves the customer: not screened.
      const screening =
        to.customerId === from.customerId
          ? undefined
          : await screeningOf(caller, from, amount, `account:${to.id}`);
      return toReply(
        await executor.submit(
          movement(
            caller,
            tx,
            { debitAccountId: from.id, creditAccountId: to.id },
            'transaction.transfer',
            201,
            screening,
          ),
        ),
      );
    },

    /** A two-phase movement: reserve now, capture or void later (or let it expire). */
    async hold(
      caller: Caller,
      input: {
        accountId: string;
        toAccountId?: string | undefined;
        amount: unknown;
        timeoutSeconds?: number | undefined;
      } & Labels,
    ): Promise<Reply> {
      const from = await accountFor(q, caller.principal, input.accountId);
      const amount = await parseMoney(q, input.amount, from.currency);
      let to: AccountIdentity | undefined;
      if (input.toAccountId) {
        to = await accountFor(q, caller.principal, input.toAccountId);
        if (to.id === from.id) throw new BankError('INVALID_REQUEST', 'The two accounts must be different');
        if (to.currency !== from.currency)
          throw new BankError('CURRENCY_MISMATCH', 'Both accounts must hold the same currency');
      }
      const tx = record(
        caller,
        {
          type: to ? 'TRANSFER' : 'WITHDRAWAL',
          status: 'PENDING',
          amount,
          currency: from.currency,
          fromAccountId: from.id,
          toAccountId: to?.id ?? null,
        },
        input,
      );
      const m = movement(
        caller,
        tx,
        {
          phase: 'pending',
          debitAccountId: from.id,
          creditAccountId: to?.id ?? internalAccountIdOf(from.currency, 'CLEARING'),
          ...(input.timeoutSeconds ? { timeoutSeconds: input.timeoutSeconds } : {}),
        },
        'transaction.hold',
      );
      return toReply(await executor.submit(m));
    },

    /** Posts (all or part of) or voids a pending transaction: holds, and external transfers at settlement. */
    async settle(
      caller: Caller,
      transactionId: string,
      outcome: { post: true; amount?: unknown } | { post: false; reason?: string },
    ): Promise<Reply> {
      const t = await transactionFor(q, caller.principal, transactionId);
      if (t.status !== 'PENDING')
        throw new BankError('CONFLICT', `The transaction is ${t.status.toLowerCase()}, not pending`);
      const amount =
        outcome.post && outcome.amount !== undefined
          ? await parseMoney(q, outcome.amount, t.currency)
          : undefined;
      const settlementId = newId();
      const idem = claim(caller);
      const action = outcome.post ? 'transaction.settled' : 'transaction.voided';
      const m: MovementRequest = {
        ...(idem ? { idempotency: idem } : {}),
        transfers: [
          {
            id: settlementId,
            phase: outcome.post ? 'post_pending' : 'void_pending',
            pendingId: t.transferId,
            ...(amount !== undefined ? { amount } : {}),
            code: t.type,
            metadata: { transactionId: t.id, ...(outcome.post ? {} : { reason: outcome.reason ?? null }) },
          },
        ],
        inserts: [],
        updates: [
          {
            id: t.id,
            status: outcome.post ? 'COMPLETED' : 'FAILED',
            settlementTransferId: settlementId,
            ...(amount !== undefined ? { amount } : {}),
          },
        ],
        audit: [
          {
            actor: caller.actor,
            entityType: 'transaction',
            entityId: t.id,
            action,
            before: { status: t.status },
            after: {
              status: outcome.post ? 'COMPLETED' : 'FAILED',
              ...(outcome.post ? {} : { reason: outcome.reason ?? null }),
            },
          },
        ],
        events: [{ topic: action, aggregateId: t.id, payload: { transactionId: t.id } }],
        replyWith: t.id,
        replyStatus: 200,
      };
      return toReply(await executor.submit(m));
    },

    /** Staff undo a completed movement: a REVERSAL moves the money back; the original becomes REVERSED. */
    async reverse(caller: Caller, transactionId: string, labels: Labels): Promise<Reply> {
      const t = await transactionFor(q, caller.principal, transactionId);
      if (t.type === 'REVERSAL') throw new BankError('CONFLICT', 'A reversal cannot itself be reversed');
      if (t.status === 'REVERSED')
        throw new BankError('CONFLICT', 'The transaction has already been reversed');
      if (t.status !== 'COMPLETED')
        throw new BankError(
          'CONFLICT',
          `Only a completed transaction can be reversed (this one is ${t.status.toLowerCase()})`,
        );
      const rev = record(
        caller,
        {
          type: 'REVERSAL',
          status: 'COMPLETED',
          amount: t.amount,
          currency: t.currency,
          fromAccountId: t.toAccountId,
          toAccountId: t.fromAccountId,
          counterparty: t.counterparty,
          reversesTransactionId: t.id,
        },
        {
          description: labels.description ?? `Reversal of ${t.reference}`,
          category: t.category ?? undefined,
        },
      );
      const idem = claim(caller);
      const m: MovementRequest = {
        ...(idem ? { idempotency: idem } : {}),
        transfers: [
          {
            id: rev.transferId,
            reversesId: t.settlementTransferId ?? t.transferId,
            code: 'REVERSAL',
            metadata: { transactionId: rev.id, reverses: t.id },
          },
        ],
        inserts: [rev],
        updates: [{ id: t.id, status: 'REVERSED' }],
        audit: [
          {
            actor: caller.actor,
            entityType: 'transaction',
            entityId: t.id,
            action: 'transaction.reversed',
            before: { status: t.status },
            after: { status: 'REVERSED', reversal: rev.id },
          },
        ],
        events: [
          {
            topic: 'transaction.reversed',
            aggregateId: t.id,
            payload: { transactionId: t.id, reversalId: rev.id },
          },
        ],
        replyWith: rev.id,
        replyStatus: 201,
      };
      return toReply(await executor.submit(m));
    },

    /** Money arriving from another bank (the integration or staff reports it). */
    async inbound(
      caller: Caller,
      input: {
        toAccountId?: string | undefined;
        toAccountNumber?: string | undefined;
        amount: unknown;
        currency: string;
        counterparty: Counterparty;
      } & Labels,
    ): Promise<Reply> {
      const to = await receivingAccount(input);
      if (!to) throw new BankError('NOT_FOUND', 'No such receiving account');
      if (to.currency !== input.currency)
        throw new BankError('CURRENCY_MISMATCH', `The account holds ${to.currency}, not ${input.currency}`);
      const amount = await parseMoney(q, input.amount, to.currency);
      const tx = record(
        caller,
        {
          type: 'EXTERNAL_IN',
          status: 'COMPLETED',
          amount,
          currency: to.currency,
          fromAccountId: null,
          toAccountId: to.id,
          counterparty: input.counterparty,
        },
        input,
      );
      return toReply(
        await executor.submit(
          movement(
            caller,
            tx,
            { debitAccountId: internalAccountIdOf(to.currency, 'CLEARING'), creditAccountId: to.id },
            'transaction.external_in',
          ),
        ),
      );
    },

    async get(principal: Principal, id: string): Promise<TransactionJson> {
      const t = await transactionFor(q, principal, id);
      return presentTransaction(t, (await currencyExponent(q, t.currency)) ?? 2);
    },

    async label(
      caller: Caller,
      id: string,
      labels: { category?: string | null | undefined; tags?: string[] | undefined },
    ): Promise<TransactionJson> {
      const t = await transactionFor(q, caller.principal, id);
      await repo.updateLabels(q, t.id, {
        ...(labels.category !== undefined ? { category: labels.category } : {}),
        ...(labels.tags !== undefined ? { tags: [...new Set(labels.tags)] } : {}),
      });
      return this.get(caller.principal, id);
    },
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;

/** The transaction if the caller may see it: a customer only when one side is their account. */
export async function transactionFor(q: Queryable, principal: Principal, id: string): Promise<Transaction> {
  const t = await repo.selectTransaction(q, id);
  if (!t) throw new BankError('NOT_FOUND', 'No such transaction');
  if (isCustomer(principal)) {
    const sides = await Promise.all(
      [t.fromAccountId, t.toAccountId].map((a) => (a ? accountIdentity(q, a) : undefined)),
    );
    if (!sides.some((a) => a?.customerId === principal.customerId))
      throw new BankError('NOT_FOUND', 'No such transaction');
  }
  return t;
}

export { formatAmount, type TransactionType };
