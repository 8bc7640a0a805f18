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

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    const [createdAt = '', id = ''] = Buffer.from(query.cursor, 'base64url').toString('utf8').split('|');
    if (
      !UUID.test(id) ||
      !TIMESTAMP.test(createdAt) ||
      Number.isNaN(Date.parse(createdAt.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')))
    )
      throw new BankError('INVALID_REQUEST', 'The cursor is not valid', {
        errors: [{ path: 'querystring.cursor', message: 'is not valid' }],
      });
    after = { createdAt, id };
  }
  const rows = await listUserRows(ctx.pool, { ...query, after, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((u) => ({ ...toUser(u), locked: u.locked })),
    nextCursor:
      rows.length > query.limit && last
        ? Buffer.from(`${last.cursor_at}|${last.id}`).toString('base64url')
        : null,
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
