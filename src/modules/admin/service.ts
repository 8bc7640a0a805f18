// User administration (R1.4): list logins, change a role or status. Disabling a user ends
// their sessions at once (their access tokens are refused from the next request); re-enabling
// also lifts a lockout.
import type { AppContext } from '../../context.js';
import { tx } from '../../platform/db/tx.js';
import { BankError } from '../../platform/errors.js';
import { recordAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/types.js';
import {
  getUserRow,
  listUserRows,
  revokeUserSessions,
  unlockUser,
  updateUserRoleStatus,
  type UserStatus,
} from '../auth/repo.js';
import { isStaff, type Principal, type Role } from '../auth/roles.js';
import type { User } from '../auth/schemas.js';
import { toUser } from '../auth/service.js';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';

export interface UserListQuery {
  role?: Role | undefined;
  status?: UserStatus | undefined;
  q?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function listUsers(
  ctx: AppContext,
  query: UserListQuery,
): Promise<{ items: (User & { locked: boolean })[]; nextCursor: string | null }> {
  let after: { createdAt: string; id: string } | undefined;
  if (query.cursor !== undefined) {
    const { key, id } = decodeCursor(query.cursor, 'timestamp');
    after = { createdAt: key, id };
  }
  const rows = await listUserRows(ctx.pool, { ...query, after, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((u) => ({ ...toUser(u), locked: u.locked })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.cursor_at, last.id) : null,
  };
}

export async function updateUser(
  ctx: AppContext,
  principal: Principal,
  id: string,
  patch: { role?: Role | undefined; status?: UserStatus | undefined },
  actor: AuditActor,
): Promise<User & { locked: boolean }> {
  if (id === principal.userId) {
    throw new BankError('UNPROCESSABLE', 'You cannot change your own role or status; ask another admin');
  }
  return tx(ctx.pool, async (client) => {
    const before = await getUserRow(client, id, true);
    if (!before) throw new BankError('NOT_FOUND', 'No such user');
    if (
      patch.role !== undefined &&
      patch.role !== before.role &&
      (!isStaff(patch.role) || !isStaff(before.role))
    ) {
      throw new BankError(
        'UNPROCESSABLE',
        'A customer login cannot become staff or the reverse; create a separate staff user',
        {
          errors: [
            { path: 'body.role', message: 'must stay a staff role for staff and customer for customers' },
          ],
        },
      );
    }
    const after = await updateUserRoleStatus(client, id, patch);
    if (before.role !== after.role) {
      await recordAudit(client, {
        actor,
        entityType: 'user',
        entityId: id,
        action: 'user.role_changed',
        before: { role: before.role },
        after: { role: after.role },
      });
    }
    if (before.status !== after.status || (patch.status === 'ACTIVE' && before.locked)) {
      let revoked: string[] = [];
      if (after.status === 'DISABLED') revoked = await revokeUserSessions(client, id, 'user_disabled');
      if (after.status === 'ACTIVE') await unlockUser(client, id);
      await recordAudit(client, {
        actor,
        entityType: 'user',
        entityId: id,
        action: 'user.status_changed',
        before: { status: before.status, locked: before.locked },
        after: { status: after.status, locked: false, revokedSessions: revoked.length },
      });
    }
    const current = (await getUserRow(client, id))!;
    return { ...toUser(current), locked: current.locked };
  });
}
