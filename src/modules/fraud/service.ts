// The analyst's side of fraud screening (R5.3): list and read alerts, move them through
// OPEN → INVESTIGATING → RESOLVED | FALSE_POSITIVE with notes, and release (post) or reject
// (void) a held movement. Every change is audited in the transaction that makes it.
//
// Release and reject lock the alert row first, so two analysts acting at once are serialised:
// the first decides, the second finds the hold no longer HELD and gets 409. The ledger backs
// this up: a pending transfer is resolved at most once (ledger_transfers_resolves_once).
import type { Pool, Queryable } from '../../platform/db/pool.js';
import { tx } from '../../platform/db/tx.js';
import { BankError } from '../../platform/errors.js';
import { formatAmount } from '../../platform/money.js';
import { currencyExponent } from '../accounts/service.js';
import { recordAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/types.js';
import { isLedgerRace } from '../ledger/service.js';
import { executeMovements } from '../payments/movements.js';
import type { TransactionJson } from '../payments/present.js';
import * as payments from '../payments/repo.js';
import type { MovementRequest } from '../payments/types.js';
import type { Reason } from './engine.js';
import * as repo from './repo.js';
import type { Recommendation } from './rules.js';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';
import { newId } from '../../platform/ids.js';

export interface AlertJson {
  id: string;
  transactionId: string;
  accountId: string;
  customerId: string;
  status: repo.AlertStatus;
  hold: repo.HoldState | null;
  score: number;
  recommendation: Recommendation;
  reasons: Reason[];
  amount: string;
  currency: string;
  analystId: string | null;
  notes: repo.AlertNote[];
  createdAt: string;
  updatedAt: string;
  holdResolvedAt: string | null;
  closedAt: string | null;
}

/** The legal moves of an alert's status. */
export const transitions: Readonly<Record<repo.AlertStatus, readonly repo.AlertStatus[]>> = {
  OPEN: ['INVESTIGATING'],
  INVESTIGATING: ['RESOLVED', 'FALSE_POSITIVE'],
  RESOLVED: [],
  FALSE_POSITIVE: [],
};

async function present(q: Queryable, a: repo.Alert): Promise<AlertJson> {
  return {
    id: a.id,
    transactionId: a.transactionId,
    accountId: a.accountId,
    customerId: a.customerId,
    status: a.status,
    hold: a.hold,
    score: a.score,
    recommendation: a.recommendation,
    reasons: a.reasons,
    amount: formatAmount(a.amount, (await currencyExponent(q, a.currency)) ?? 2),
    currency: a.currency,
    analystId: a.analystId,
    notes: a.notes,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    holdResolvedAt: a.holdResolvedAt,
    closedAt: a.closedAt,
  };
}

// The position is exact to the microsecond: a millisecond ISO string would skip rows created
// within the same millisecond as the last row of a page.
function positionOf(cursor: string): { createdAt: string; id: string } {
  const { key, id } = decodeCursor(cursor, 'timestamp');
  return { createdAt: key, id };
}

const noteOf = (actor: AuditActor, text: string | undefined): repo.AlertNote | undefined =>
  text === undefined ? undefined : { at: new Date().toISOString(), by: actor.userId, text };

export function createFraudService(pool: Pool) {
  async function lockAlert(client: Queryable, id: string): Promise<repo.Alert> {
    const alert = await repo.selectAlert(client, id, true);
    if (!alert) throw new BankError('NOT_FOUND', 'No such fraud alert');
    return alert;
  }

  /** Posts (release) or voids (reject) the movement an alert holds, exactly once. */
  async function decideHold(
    actor: AuditActor,
    id: string,
    decision: 'RELEASED' | 'REJECTED',
    notes: string | undefined,
  ): Promise<{ alert: AlertJson; transaction: TransactionJson }> {
    return tx(
      pool,
      async (client) => {
        const alert = await lockAlert(client, id);
        if (alert.hold === null) {
          throw new BankError(
            'CONFLICT',
            'Nothing is held: this movement was flagged and posted, not held for review',
          );
        }
        if (alert.hold !== 'HELD') {
          throw new BankError('CONFLICT', `The held movement was already ${alert.hold.toLowerCase()}`);
        }
        const t = await payments.selectTransaction(client, alert.transactionId);
        if (!t || t.status !== 'PENDING_REVIEW') {
          throw new BankError(
            'CONFLICT',
            `The transaction is ${t ? t.status.toLowerCase() : 'missing'}, not held for review`,
          );
        }
        const release = decision === 'RELEASED';
        // An external transfer goes back to waiting for settlement by the clearing house; any
        // other held movement is posted now. A rejected one is voided: the funds come back.
        const external = t.type === 'EXTERNAL_OUT';
        const settlementId = newId();
        const status = release ? (external ? 'PENDING' : 'COMPLETED') : 'FAILED';
        const moves = !(release && external);
        const action = release ? 'released' : 'rejected';
        const updated = await repo.updateAlert(client, alert.id, {
          hold: decision,
          analystId: actor.userId,
          ...(notes !== undefined ? { note: noteOf(actor, notes)! } : {}),
        });
        const m: MovementRequest = {
          transfers: moves
            ? [
                {
                  id: settlementId,
                  phase: release ? 'post_pending' : 'void_pending',
                  pendingId: t.transferId,
                  code: t.type,
                  metadata: { transactionId: t.id, fraudAlertId: alert.id, decision: action },
                },
              ]
            : [],
          inserts: [],
          updates: [{ id: t.id, status, ...(moves ? { settlementTransferId: settlementId } : {}) }],
          audit: [
            {
              actor,
              entityType: 'transaction',
              entityId: t.id,
              action: `transaction.fraud_${action}`,
              before: { status: t.status },
              after: { status, alertId: alert.id },
            },
            {
              actor,
              entityType: 'fraud_alert',
              entityId: alert.id,
              action: `fraud_alert.${action}`,
              before: { status: alert.status, hold: alert.hold },
              after: {
                status: updated.status,
                hold: decision,
                transactionStatus: status,
                ...(notes !== undefined ? { notes } : {}),
              },
            },
          ],
          events: [
            {
              topic: `transaction.fraud_${action}`,
              aggregateId: t.id,
              payload: { transactionId: t.id, alertId: alert.id, status },
            },
          ],
          replyWith: t.id,
          replyStatus: 200,
        };
        const [outcome] = await executeMovements(client, [m]);
        if (!outcome || outcome.kind === 'failed') throw outcome?.error ?? new BankError('INTERNAL');
        return { alert: await present(client, updated), transaction: outcome.body as TransactionJson };
      },
      { retryOn: isLedgerRace },
    );
  }

  return {
    async list(query: {
      status?: repo.AlertStatus | undefined;
      hold?: repo.HoldState | undefined;
      accountId?: string | undefined;
      limit: number;
      cursor?: string | undefined;
    }): Promise<{ items: AlertJson[]; nextCursor: string | null }> {
      const before = query.cursor ? positionOf(query.cursor) : undefined;
      const rows = await repo.selectAlerts(pool, {
        status: query.status,
        hold: query.hold,
        accountId: query.accountId,
        before,
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      return {
        items: await Promise.all(page.map((a) => present(pool, a))),
        nextCursor:
          rows.length > query.limit
            ? encodeCursor(page[page.length - 1]!.position, page[page.length - 1]!.id)
            : null,
      };
    },

    async get(id: string): Promise<AlertJson> {
      const alert = await repo.selectAlert(pool, id);
      if (!alert) throw new BankError('NOT_FOUND', 'No such fraud alert');
      return present(pool, alert);
    },

    /** Moves the status along (legal transitions only) and/or adds a note. */
    async update(
      actor: AuditActor,
      id: string,
      patch: { status?: repo.AlertStatus | undefined; notes?: string | undefined },
    ): Promise<AlertJson> {
      return tx(pool, async (client) => {
        const alert = await lockAlert(client, id);
        if (patch.status !== undefined) {
          if (!transitions[alert.status].includes(patch.status)) {
            const legal = transitions[alert.status];
            throw new BankError(
              'CONFLICT',
              `An alert that is ${alert.status} cannot become ${patch.status}${legal.length ? ` (it can become ${legal.join(' or ')})` : ' (it is closed)'}`,
            );
          }
          if ((patch.status === 'RESOLVED' || patch.status === 'FALSE_POSITIVE') && alert.hold === 'HELD') {
            throw new BankError(
              'CONFLICT',
              'The movement is still held: release or reject it before closing the alert',
            );
          }
        }
        const updated = await repo.updateAlert(client, id, {
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          analystId: actor.userId,
          ...(patch.notes !== undefined ? { note: noteOf(actor, patch.notes)! } : {}),
        });
        await recordAudit(client, {
          actor,
          entityType: 'fraud_alert',
          entityId: id,
          action: patch.status !== undefined ? 'fraud_alert.status_changed' : 'fraud_alert.noted',
          before: { status: alert.status },
          after: { status: updated.status, ...(patch.notes !== undefined ? { notes: patch.notes } : {}) },
        });
        return present(client, updated);
      });
    },

    release: (actor: AuditActor, id: string, notes?: string) => decideHold(actor, id, 'RELEASED', notes),
    reject: (actor: AuditActor, id: string, notes?: string) => decideHold(actor, id, 'REJECTED', notes),
  };
}

export type FraudService = ReturnType<typeof createFraudService>;
