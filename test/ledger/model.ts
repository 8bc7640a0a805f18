// A deliberately simple in-memory ledger, written from the rules in docs/ledger.md and not from
// the engine's code, used as the oracle for the property test: same inputs, same results, same
// balances. It processes one transfer at a time and copies everything for a linked chain.
import type { TransferInput, TransferResultCode } from '../../src/modules/ledger/types.js';

export interface ModelAccount {
  id: string;
  currency: string;
  status: 'ACTIVE' | 'FROZEN' | 'CLOSED';
  dmnec: boolean;
  cmned: boolean;
  limit: bigint;
  dp: bigint;
  cp: bigint;
  dq: bigint;
  cq: bigint;
}

interface ModelTransfer {
  input: TransferInput;
  phase: string;
  debit: string;
  credit: string;
  amount: bigint;
  resolution?: string;
  reversed: boolean;
  expiresAt: boolean; // has a deadline
  aged: boolean; // its deadline has passed
}

type State = { accounts: Map<string, ModelAccount>; transfers: Map<string, ModelTransfer> };

const copy = (s: State): State => ({
  accounts: new Map([...s.accounts].map(([k, v]) => [k, { ...v }])),
  transfers: new Map([...s.transfers].map(([k, v]) => [k, { ...v }])),
});

export class LedgerModel {
  state: State = { accounts: new Map(), transfers: new Map() };

  addAccount(a: ModelAccount): void {
    this.state.accounts.set(a.id, { ...a });
  }

  balances(): Map<string, ModelAccount> {
    return this.state.accounts;
  }

  /** The deadline of an open hold passes (the test moves the hold's deadline into the past). */
  age(id: string): boolean {
    const t = this.state.transfers.get(id);
    if (!t || t.phase !== 'pending' || t.resolution || !t.expiresAt) return false;
    t.aged = true;
    return true;
  }

  /** The sweeper expires every aged open hold. */
  sweep(): void {
    for (const t of this.state.transfers.values()) {
      if (t.phase === 'pending' && !t.resolution && t.aged) {
        this.state.accounts.get(t.debit)!.dq -= t.amount;
        this.state.accounts.get(t.credit)!.cq -= t.amount;
        t.resolution = 'expire_pending';
      }
    }
  }

  submit(batch: TransferInput[]): TransferResultCode[] {
    const results: TransferResultCode[] = [];
    let i = 0;
    while (i < batch.length) {
      let j = i;
      while (j < batch.length && batch[j]!.linked) j++;
      const open = j === batch.length;
      const last = open ? batch.length - 1 : j;
      const chain = batch.slice(i, last + 1);
      const trial = copy(this.state);
      const codes: TransferResultCode[] = [];
      let failed = -1;
      for (let k = 0; k < chain.length; k++) {
        const code = open && k === chain.length - 1 ? 'linked_event_chain_open' : this.one(trial, chain[k]!);
        codes.push(code);
        if (code !== 'ok' && code !== 'exists') {
          failed = k;
          break;
        }
      }
      if (failed >= 0) {
        for (let k = 0; k < chain.length; k++)
          results.push(k === failed ? codes[k]! : chain.length > 1 ? 'linked_event_failed' : codes[k]!);
      } else {
        this.state = trial;
        results.push(...codes);
      }
      i = last + 1;
    }
    return results;
  }

  private one(s: State, t: TransferInput): TransferResultCode {
    const phase = t.phase ?? 'single';
    const prior = s.transfers.get(t.id);
    if (prior) {
      const p = prior.input;
      const same =
        (p.phase ?? 'single') === phase &&
        p.code === t.code &&
        (p.pendingId ?? null) === (t.pendingId ?? null) &&
        (p.reversesId ?? null) === (t.reversesId ?? null) &&
        (p.timeoutSeconds ?? null) === (t.timeoutSeconds ?? null) &&
        (t.debitAccountId === undefined || t.debitAccountId === prior.debit) &&
        (t.creditAccountId === undefined || t.creditAccountId === prior.credit) &&
        (t.amount === undefined || t.amount === prior.amount);
      return same ? 'exists' : 'exists_with_different_fields';
    }
    const acct = (id: string | undefined) => (id === undefined ? undefined : s.accounts.get(id));
    const statusOf = (a: ModelAccount, side: 'debit' | 'credit'): TransferResultCode | undefined =>
      a.status === 'CLOSED'
        ? `${side}_account_closed`
        : a.status === 'FROZEN'
          ? `${side}_account_frozen`
          : undefined;

    if (phase === 'single' || phase === 'pending') {
      if (t.pendingId !== undefined) return 'pending_id_not_allowed';
      if (t.timeoutSeconds !== undefined && phase !== 'pending')
        return 'timeout_reserved_for_pending_transfer';
      if (t.timeoutSeconds !== undefined && t.timeoutSeconds <= 0) return 'timeout_must_be_positive';
      let debit = t.debitAccountId;
      let credit = t.creditAccountId;
      let amount = t.amount;
      let target: ModelTransfer | undefined;
      if (t.reversesId !== undefined) {
        if (phase !== 'single') return 'reversal_target_not_posted';
        target = s.transfers.get(t.reversesId);
        if (!target) return 'reversal_target_not_found';
        if (target.phase !== 'single' && target.phase !== 'post_pending') return 'reversal_target_not_posted';
        if (target.reversed) return 'reversal_target_already_reversed';
        debit ??= target.credit;
        credit ??= target.debit;
        amount ??= target.amount;
        if (debit !== target.credit || credit !== target.debit || amount !== target.amount)
          return 'reversal_must_mirror_target';
      }
      if (debit === undefined) return 'debit_account_required';
      if (credit === undefined) return 'credit_account_required';
      if (amount === undefined || amount <= 0n) return 'amount_must_be_positive';
      if (debit === credit) return 'accounts_must_be_different';
      const d = acct(debit);
      if (!d) return 'debit_account_not_found';
      const c = acct(credit);
      if (!c) return 'credit_account_not_found';
      if (d.currency !== c.currency) return 'currency_mismatch';
      const st = statusOf(d, 'debit') ?? statusOf(c, 'credit');
      if (st) return st;
      const dDebits = d.dp + d.dq + amount;
      const cCredits = c.cp + c.cq + amount;
      if (d.dmnec && dDebits > d.cp + d.limit) return 'exceeds_credits';
      if (c.cmned && cCredits > c.dp + c.limit) return 'exceeds_debits';
      if (phase === 'single') {
        d.dp += amount;
        c.cp += amount;
      } else {
        d.dq += amount;
        c.cq += amount;
      }
      if (target) target.reversed = true;
      s.transfers.set(t.id, {
        input: t,
        phase,
        debit,
        credit,
        amount,
        reversed: false,
        expiresAt: t.timeoutSeconds !== undefined,
        aged: false,
      });
      return 'ok';
    }

    if (t.pendingId === undefined) return 'pending_id_required';
    if (t.reversesId !== undefined) return 'reversal_target_not_posted';
    if (t.timeoutSeconds !== undefined) return 'timeout_reserved_for_pending_transfer';
    const p = s.transfers.get(t.pendingId);
    if (!p) return 'pending_transfer_not_found';
    if (p.phase !== 'pending') return 'pending_transfer_not_pending';
    if (
      (t.debitAccountId !== undefined && t.debitAccountId !== p.debit) ||
      (t.creditAccountId !== undefined && t.creditAccountId !== p.credit)
    ) {
      return 'pending_transfer_has_different_accounts';
    }
    if (p.resolution === 'post_pending') return 'pending_transfer_already_posted';
    if (p.resolution === 'void_pending') return 'pending_transfer_already_voided';
    if (p.resolution === 'expire_pending' || p.aged) return 'pending_transfer_expired';
    let amount = p.amount;
    if (phase === 'post_pending') {
      amount = t.amount ?? p.amount;
      if (amount <= 0n) return 'amount_must_be_positive';
      if (amount > p.amount) return 'exceeds_pending_transfer_amount';
    } else if (t.amount !== undefined && t.amount !== p.amount) {
      return 'void_amount_must_match_pending';
    }
    const d = acct(p.debit)!;
    const c = acct(p.credit)!;
    if (phase === 'post_pending') {
      const st = statusOf(d, 'debit') ?? statusOf(c, 'credit');
      if (st) return st;
    }
    d.dq -= p.amount;
    c.cq -= p.amount;
    if (phase === 'post_pending') {
      d.dp += amount;
      c.cp += amount;
    }
    p.resolution = phase;
    s.transfers.set(t.id, {
      input: t,
      phase,
      debit: p.debit,
      credit: p.credit,
      amount,
      reversed: false,
      expiresAt: false,
      aged: false,
    });
    return 'ok';
  }
}
