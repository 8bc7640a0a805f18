// SQL of users, login failures, sessions and refresh tokens.
import { uuidArray } from '../../platform/db/binary-array.js';
import type { Queryable } from '../../platform/db/pool.js';
import { named } from '../../platform/db/prepared.js';
import type { Role } from './roles.js';

export type UserStatus = 'ACTIVE' | 'DISABLED';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  role: Role;
  status: UserStatus;
  customer_id: string | null;
  totp_ciphertext: Buffer | null;
  totp_key_id: string | null;
  totp_enabled: boolean;
  totp_pending_ciphertext: Buffer | null;
  totp_pending_key_id: string | null;
  totp_last_step: bigint | null;
  locked_until: string | null;
  last_login_at: string | null;
  password_changed_at: string;
  created_at: string;
  updated_at: string;
  /** locked_until > now(), by the database clock. */
  locked: boolean;
}

const USER = `*, coalesce(locked_until > now(), false) as locked`;

export async function insertUser(
  q: Queryable,
  u: { email: string; passwordHash: string; role: Role; customerId: string | null },
): Promise<UserRow> {
  const { rows } = await q.query<UserRow>(
    `insert into users (email, password_hash, role, customer_id) values ($1, $2, $3, $4) returning ${USER}`,
    [u.email, u.passwordHash, u.role, u.customerId],
  );
  return rows[0]!;
}

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await q.query<UserRow>(`select ${USER} from users where lower(email) = lower($1)`, [
    email,
  ]);
  return rows[0];
}

export async function getUserRow(q: Queryable, id: string, forUpdate = false): Promise<UserRow | undefined> {
  const { rows } = await q.query<UserRow>(
    `select ${USER} from users where id = $1${forUpdate ? ' for update' : ''}`,
    [id],
  );
  return rows[0];
}

export async function setPasswordHash(
  q: Queryable,
  id: string,
  hash: string,
  changed: boolean,
): Promise<void> {
  await q.query(
    `update users set password_hash = $2, updated_at = now()${changed ? ', password_changed_at = now()' : ''}
      where id = $1`,
    [id, hash],
  );
}

/** Records a failed login and returns the failures within the window (this one included). */
export async function addLoginFailure(q: Queryable, userId: string, windowSeconds: number): Promise<number> {
  await q.query('insert into login_failures (user_id) values ($1)', [userId]);
  const { rows } = await q.query<{ n: bigint }>(
    `select count(*) as n from login_failures
      where user_id = $1 and failed_at > now() - make_interval(secs => $2)`,
    [userId, windowSeconds],
  );
  return Number(rows[0]!.n);
}

export async function clearLoginFailures(q: Queryable, userId: string): Promise<void> {
  await q.query('delete from login_failures where user_id = $1', [userId]);
}

export async function lockUser(q: Queryable, userId: string, seconds: number): Promise<string> {
  const { rows } = await q.query<{ locked_until: string }>(
    `update users set locked_until = now() + make_interval(secs => $2), updated_at = now()
      where id = $1 returning locked_until`,
    [userId, seconds],
  );
  return rows[0]!.locked_until;
}

export async function unlockUser(q: Queryable, userId: string): Promise<void> {
  await q.query('update users set locked_until = null where id = $1', [userId]);
  await clearLoginFailures(q, userId);
}

export async function markLoggedIn(q: Queryable, userId: string, totpStep: bigint | null): Promise<void> {
  await q.query(
    `update users set last_login_at = now(), locked_until = null,
            totp_last_step = coalesce($2, totp_last_step)
      where id = $1`,
    [userId, totpStep],
  );
}

export async function setPendingTotp(
  q: Queryable,
  userId: string,
  ciphertext: Buffer,
  keyId: string,
): Promise<void> {
  await q.query(
    `update users set totp_pending_ciphertext = $2, totp_pending_key_id = $3, updated_at = now() where id = $1`,
    [userId, ciphertext, keyId],
  );
}

export async function enableTotp(q: Queryable, userId: string, step: bigint): Promise<void> {
  await q.query(
    `update users set totp_ciphertext = totp_pending_ciphertext, totp_key_id = totp_pending_key_id,
            totp_pending_ciphertext = null, totp_pending_key_id = null, totp_enabled = true,
            totp_last_step = $2, updated_at = now()
      where id = $1 and totp_pending_ciphertext is not null`,
    [userId, step],
  );
}

export interface UserFilter {
  role?: Role | undefined;
  status?: UserStatus | undefined;
  q?: string | undefined;
  after?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/** A page of users, oldest first; `cursor_at` is created_at at full precision, for the next page. */
export async function listUserRows(
  q: Queryable,
  f: UserFilter,
): Promise<(UserRow & { cursor_at: string })[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.role) where.push(`role = ${p(f.role)}`);
  if (f.status) where.push(`status = ${p(f.status)}`);
  if (f.q) where.push(`lower(email) like ${p(`${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  if (f.after)
    where.push(`(created_at, id) > (${p(f.after.createdAt)}::timestamptz, ${p(f.after.id)}::uuid)`);
  const { rows } = await q.query<UserRow & { cursor_at: string }>(
    `select ${USER}, created_at::text as cursor_at from users ${where.length ? `where ${where.join(' and ')}` : ''}
      order by created_at, id limit ${p(f.limit)}`,
    params,
  );
  return rows;
}

export async function updateUserRoleStatus(
  q: Queryable,
  id: string,
  u: { role?: Role | undefined; status?: UserStatus | undefined },
): Promise<UserRow> {
  const { rows } = await q.query<UserRow>(
    `update users set role = coalesce($2, role), status = coalesce($3, status), updated_at = now()
      where id = $1 returning ${USER}`,
    [id, u.role ?? null, u.status ?? null],
  );
  return rows[0]!;
}

// ---- sessions -------------------------------------------------------------------------------

export interface SessionRow {
  id: string;
  user_id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

export async function insertSession(
  q: Queryable,
  s: { userId: string; ip: string | null; userAgent: string | null; ttlSeconds: number },
): Promise<SessionRow> {
  const { rows } = await q.query<SessionRow>(
    `insert into sessions (user_id, ip, user_agent, expires_at)
     values ($1, $2, $3, now() + make_interval(secs => $4)) returning *`,
    [s.userId, s.ip, s.userAgent, s.ttlSeconds],
  );
  return rows[0]!;
}

export interface ActiveSession {
  session_id: string;
  user_id: string;
  email: string;
  role: Role;
  customer_id: string | null;
  totp_enabled: boolean;
}

/**
 * The live sessions among these ids (each with its user, who must be active), by session id.
 * One primary-key probe of each table per id: the lateral subquery (kept apart by `offset 0`)
 * stops the planner from hashing the whole users table for a handful of sessions, which it
 * prefers at default costs until the table is large.
 */
export async function findActiveSessions(
  q: Queryable,
  sessionIds: string[],
): Promise<Map<string, ActiveSession>> {
  const { rows } = await q.query<ActiveSession>(
    named(
      `select x.* from unnest($1::uuid[]) as wanted (id)
     cross join lateral (
       select s.id as session_id, u.id as user_id, u.email, u.role, u.customer_id, u.totp_enabled
         from sessions s join users u on u.id = s.user_id
        where s.id = wanted.id and s.revoked_at is null and s.expires_at > now()
          and u.status = 'ACTIVE'
       offset 0) x`,
      [uuidArray(sessionIds)],
    ),
  );
  return new Map(rows.map((r) => [r.session_id, r]));
}

export async function getSessionRow(
  q: Queryable,
  id: string,
  forUpdate = false,
): Promise<SessionRow | undefined> {
  const { rows } = await q.query<SessionRow>(
    `select * from sessions where id = $1${forUpdate ? ' for update' : ''}`,
    [id],
  );
  return rows[0];
}

export async function extendSession(
  q: Queryable,
  id: string,
  ttlSeconds: number,
  ip: string | null,
  userAgent: string | null,
): Promise<void> {
  await q.query(
    `update sessions set last_used_at = now(), expires_at = now() + make_interval(secs => $2),
            ip = coalesce($3, ip), user_agent = coalesce($4, user_agent)
      where id = $1`,
    [id, ttlSeconds, ip, userAgent],
  );
}

export async function revokeSession(q: Queryable, id: string, reason: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `update sessions set revoked_at = now(), revoked_reason = $2 where id = $1 and revoked_at is null`,
    [id, reason],
  );
  return (rowCount ?? 0) > 0;
}

/** Revokes a user's live sessions (except one, if given); returns their ids. */
export async function revokeUserSessions(
  q: Queryable,
  userId: string,
  reason: string,
  exceptSessionId: string | null = null,
): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `update sessions set revoked_at = now(), revoked_reason = $2
      where user_id = $1 and revoked_at is null and ($3::uuid is null or id <> $3::uuid)
      returning id`,
    [userId, reason, exceptSessionId],
  );
  return rows.map((r) => r.id);
}

// ---- refresh tokens -------------------------------------------------------------------------

export interface RefreshTokenRow {
  token_hash: Buffer;
  session_id: string;
  issued_at: string;
  expires_at: string;
  used_at: string | null;
  expired: boolean;
}

export async function insertRefreshToken(
  q: Queryable,
  hash: Buffer,
  sessionId: string,
  ttlSeconds: number,
): Promise<void> {
  await q.query(
    `insert into refresh_tokens (token_hash, session_id, expires_at)
     values ($1, $2, now() + make_interval(secs => $3))`,
    [hash, sessionId, ttlSeconds],
  );
}

export async function findRefreshTokenForUpdate(
  q: Queryable,
  hash: Buffer,
): Promise<RefreshTokenRow | undefined> {
  const { rows } = await q.query<RefreshTokenRow>(
    `select *, expires_at <= now() as expired from refresh_tokens where token_hash = $1 for update`,
    [hash],
  );
  return rows[0];
}

export async function markRefreshTokenUsed(q: Queryable, hash: Buffer): Promise<void> {
  await q.query('update refresh_tokens set used_at = now() where token_hash = $1', [hash]);
}

// ---- key rotation ---------------------------------------------------------------------------

export async function usersToReseal(
  q: Queryable,
  keyId: string,
  limit: number,
): Promise<
  Pick<
    UserRow,
    'id' | 'totp_ciphertext' | 'totp_key_id' | 'totp_pending_ciphertext' | 'totp_pending_key_id'
  >[]
> {
  const { rows } = await q.query<
    Pick<
      UserRow,
      'id' | 'totp_ciphertext' | 'totp_key_id' | 'totp_pending_ciphertext' | 'totp_pending_key_id'
    >
  >(
    `select id, totp_ciphertext, totp_key_id, totp_pending_ciphertext, totp_pending_key_id from users
      where (totp_key_id is not null and totp_key_id <> $1)
         or (totp_pending_key_id is not null and totp_pending_key_id <> $1)
      order by id limit $2 for update`,
    [keyId, limit],
  );
  return rows;
}

export async function resealUserTotp(
  q: Queryable,
  id: string,
  active: { ciphertext: Buffer; keyId: string } | null,
  pending: { ciphertext: Buffer; keyId: string } | null,
): Promise<void> {
  await q.query(
    `update users set totp_ciphertext = coalesce($2, totp_ciphertext), totp_key_id = coalesce($3, totp_key_id),
            totp_pending_ciphertext = coalesce($4, totp_pending_ciphertext),
            totp_pending_key_id = coalesce($5, totp_pending_key_id)
      where id = $1`,
    [
      id,
      active?.ciphertext ?? null,
      active?.keyId ?? null,
      pending?.ciphertext ?? null,
      pending?.keyId ?? null,
    ],
  );
}
