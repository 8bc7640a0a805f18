// Identity (R1): registration, login with lockout and optional TOTP, sessions with rotating
// refresh tokens, logout, password change, MFA enrolment, and staff user creation.
import type { AppContext } from '../../context.js';
import { piiCrypto } from '../../platform/crypto.js';
import { uniqueViolation } from '../../platform/db/errors.js';
import { coalescePerPool } from '../../platform/db/coalesce.js';
import type { PoolClient } from '../../platform/db/pool.js';
import { tx } from '../../platform/db/tx.js';
import { BankError } from '../../platform/errors.js';
import { recordAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/types.js';
import { createCustomer, getCustomer, type NewCustomer } from '../customers/service.js';
import type { Customer } from '../customers/schemas.js';
import { hashPassword, needsRehash, passwordProblems, verifyDummy, verifyPassword } from './passwords.js';
import {
  addLoginFailure,
  clearLoginFailures,
  enableTotp,
  extendSession,
  findActiveSessions,
  findRefreshTokenForUpdate,
  findUserByEmail,
  getSessionRow,
  getUserRow,
  insertRefreshToken,
  insertSession,
  insertUser,
  lockUser,
  markLoggedIn,
  markRefreshTokenUsed,
  resealUserTotp,
  revokeSession,
  revokeUserSessions,
  setPasswordHash,
  setPendingTotp,
  usersToReseal,
  type UserRow,
} from './repo.js';
import { isStaff, type Principal, type Role } from './roles.js';
import type { LoginInput, RegisterInput, User } from './schemas.js';
import {
  csrfTokenFor,
  newRefreshToken,
  refreshTokenHash,
  signAccessToken,
  verifyAccessToken,
} from './tokens.js';
import { base32Encode, newTotpSecret, otpauthUrl, verifyTotp } from './totp.js';

export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_WINDOW_SECONDS = 15 * 60;
export const LOCKOUT_SECONDS = 30 * 60;

const BAD_CREDENTIALS = 'The email or password is not correct';
const invalidCredentials = () => new BankError('UNAUTHENTICATED', BAD_CREDENTIALS);
const invalidRefresh = () => new BankError('UNAUTHENTICATED', 'The refresh token is not valid');
const invalidToken = () =>
  new BankError('UNAUTHENTICATED', 'The access token is not valid or the session has ended');

export function toUser(u: UserRow): User {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    status: u.status,
    customerId: u.customer_id,
    mfaEnabled: u.totp_enabled,
    createdAt: u.created_at,
    lastLoginAt: u.last_login_at,
  };
}

const asActor = (meta: AuditActor, u: Pick<UserRow, 'id' | 'role'>): AuditActor => ({
  ...meta,
  userId: u.id,
  role: u.role,
});

function checkPassword(password: string, email: string, path = 'body.password'): void {
  const problems = passwordProblems(password, email);
  if (problems.length) {
    throw new BankError('INVALID_REQUEST', `The password ${problems.join('; ')}`, {
      errors: problems.map((message) => ({ path, message })),
    });
  }
}

function userConflict(err: unknown): never {
  if (uniqueViolation(err) === 'users_email_key') {
    throw new BankError('CONFLICT', 'A user with this email already exists', {
      errors: [{ path: 'body.email', message: 'is already registered' }],
    });
  }
  throw err;
}

// ---- registration and user creation -------------------------------------------------------

async function insertUserWithCustomer(
  ctx: AppContext,
  client: PoolClient,
  input: { email: string; passwordHash: string; role: Role; customer?: NewCustomer },
  actor: AuditActor,
): Promise<UserRow> {
  if (await findUserByEmail(client, input.email))
    userConflict({ code: '23505', constraint: 'users_email_key' });
  let customer: Customer | undefined;
  if (input.role === 'customer') {
    if (!input.customer) throw new BankError('INVALID_REQUEST', 'A customer login needs a customer record');
    customer = await createCustomer(ctx, client, input.customer, actor);
  }
  const user = await insertUser(client, {
    email: input.email,
    passwordHash: input.passwordHash,
    role: input.role,
    customerId: customer?.id ?? null,
  }).catch(userConflict);
  const selfRegistered = !actor.userId && actor.role !== 'system';
  await recordAudit(client, {
    actor: selfRegistered ? asActor(actor, user) : actor,
    entityType: 'user',
    entityId: user.id,
    action: selfRegistered ? 'user.registered' : 'user.created',
    after: toUser(user),
  });
  return user;
}

/** Self-registration: a customer record and its login, in one transaction. */
export async function register(ctx: AppContext, input: RegisterInput, meta: AuditActor): Promise<User> {
  checkPassword(input.password, input.email);
  const passwordHash = await hashPassword(input.password);
  const user = await tx(ctx.pool, (client) =>
    insertUserWithCustomer(
      ctx,
      client,
      {
        email: input.email,
        passwordHash,
        role: 'customer',
        customer: {
          fullName: input.fullName,
          email: input.email,
          phone: input.phone,
          dateOfBirth: input.dateOfBirth,
          address: input.address,
          nationalId: input.nationalId,
        },
      },
      meta,
    ),
  );
  return toUser(user);
}

export interface NewUser {
  email: string;
  password: string;
  role: Role;
  /** Required for role customer. */
  fullName?: string | undefined;
}

/** Creates a login (staff, or a customer with a record) for the CLI, the admin API and seeding. */
export async function createUser(ctx: AppContext, input: NewUser, actor: AuditActor): Promise<User> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new BankError('INVALID_REQUEST', 'The email is not valid', {
      errors: [{ path: 'body.email', message: 'must be an e-mail address' }],
    });
  }
  if (input.role === 'customer' && !input.fullName) {
    throw new BankError('INVALID_REQUEST', 'A customer needs a full name', {
      errors: [{ path: 'body.fullName', message: 'is required for role customer' }],
    });
  }
  checkPassword(input.password, email);
  const passwordHash = await hashPassword(input.password);
  const user = await tx(ctx.pool, (client) =>
    insertUserWithCustomer(
      ctx,
      client,
      {
        email,
        passwordHash,
        role: input.role,
        ...(input.role === 'customer' ? { customer: { fullName: input.fullName!, email } } : {}),
      },
      actor,
    ),
  );
  return toUser(user);
}

// ---- login, refresh, logout ---------------------------------------------------------------

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  csrfToken: string;
  refreshExpiresIn: number;
  user: User;
}

async function issueTokens(
  ctx: AppContext,
  client: PoolClient,
  user: UserRow,
  sessionId: string,
): Promise<SessionTokens> {
  const refresh = newRefreshToken();
  await insertRefreshToken(client, refresh.hash, sessionId, ctx.config.REFRESH_TOKEN_TTL_SECONDS);
  const access = await signAccessToken(ctx.config, { userId: user.id, sessionId, role: user.role });
  return {
    accessToken: access.token,
    refreshToken: refresh.token,
    tokenType: 'Bearer',
    expiresIn: access.expiresIn,
    csrfToken: csrfTokenFor(ctx.config, sessionId),
    refreshExpiresIn: ctx.config.REFRESH_TOKEN_TTL_SECONDS,
    user: toUser(user),
  };
}

/** Counts a failed attempt against the user; locks the account at the threshold. */
async function recordFailure(
  ctx: AppContext,
  user: UserRow,
  reason: string,
  meta: AuditActor,
): Promise<void> {
  await tx(ctx.pool, async (client) => {
    const current = await getUserRow(client, user.id, true);
    if (!current) return;
    const actor = asActor(meta, current);
    if (current.locked) {
      await recordAudit(client, {
        actor,
        entityType: 'user',
        entityId: user.id,
        action: 'user.login_failed',
        after: { reason: 'locked' },
      });
      return;
    }
    const failures = await addLoginFailure(client, user.id, LOCKOUT_WINDOW_SECONDS);
    await recordAudit(client, {
      actor,
      entityType: 'user',
      entityId: user.id,
      action: 'user.login_failed',
      after: { reason, failuresInWindow: failures },
    });
    if (failures >= LOCKOUT_THRESHOLD) {
      const lockedUntil = await lockUser(client, user.id, LOCKOUT_SECONDS);
      await clearLoginFailures(client, user.id);
      await recordAudit(client, {
        actor,
        entityType: 'user',
        entityId: user.id,
        action: 'user.locked',
        after: { lockedUntil, failures },
      });
    }
  });
}

function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`.slice(0, 100);
}

/**
 * Login. Unknown email, wrong password, wrong one-time code, locked or disabled account: the
 * same 401 and about the same time (argon2 runs in every case).
 */
export async function login(ctx: AppContext, input: LoginInput, meta: AuditActor): Promise<SessionTokens> {
  const user = await findUserByEmail(ctx.pool, input.email);
  if (!user) {
    await verifyDummy(input.password);
    await tx(ctx.pool, (client) =>
      recordAudit(client, {
        actor: { ...meta, userId: null, role: null },
        entityType: 'user',
        entityId: null,
        action: 'user.login_failed',
        after: { reason: 'unknown_email', email: maskEmail(input.email) },
      }),
    );
    throw invalidCredentials();
  }
  const passwordOk = await verifyPassword(user.password_hash, input.password);
  if (user.locked || user.status !== 'ACTIVE') {
    await tx(ctx.pool, (client) =>
      recordAudit(client, {
        actor: asActor(meta, user),
        entityType: 'user',
        entityId: user.id,
        action: 'user.login_failed',
        after: { reason: user.locked ? 'locked' : 'disabled' },
      }),
    );
    throw invalidCredentials();
  }
  if (!passwordOk) {
    await recordFailure(ctx, user, 'bad_password', meta);
    throw invalidCredentials();
  }
  if (user.totp_enabled && input.otp === undefined) {
    throw new BankError('MFA_REQUIRED', 'Send the one-time password of your authenticator app as "otp"');
  }
  const rehash = needsRehash(user.password_hash) ? await hashPassword(input.password) : undefined;
  const outcome = await tx(ctx.pool, async (client) => {
    const current = await getUserRow(client, user.id, true);
    if (!current || current.locked || current.status !== 'ACTIVE') return { failed: 'locked' as const };
    let step: bigint | null = null;
    if (current.totp_enabled) {
      const secret = Buffer.from(
        piiCrypto(ctx.config).keyring.open(
          { keyId: current.totp_key_id!, ciphertext: current.totp_ciphertext! },
          totpAad(current.id),
        ),
        'base64',
      );
      step = verifyTotp(secret, input.otp ?? '', { lastStep: current.totp_last_step });
      if (step === null) return { failed: 'bad_otp' as const };
    }
    await markLoggedIn(client, current.id, step);
    await clearLoginFailures(client, current.id);
    if (rehash) await setPasswordHash(client, current.id, rehash, false);
    const session = await insertSession(client, {
      userId: current.id,
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      ttlSeconds: ctx.config.REFRESH_TOKEN_TTL_SECONDS,
    });
    const tokens = await issueTokens(
      ctx,
      client,
      { ...current, last_login_at: session.created_at },
      session.id,
    );
    await recordAudit(client, {
      actor: asActor(meta, current),
      entityType: 'session',
      entityId: session.id,
      action: 'user.login',
      after: { userId: current.id, mfa: current.totp_enabled },
    });
    return { tokens };
  });
  if ('failed' in outcome) {
    if (outcome.failed === 'bad_otp') await recordFailure(ctx, user, 'bad_otp', meta);
    throw invalidCredentials();
  }
  return outcome.tokens;
}

/**
 * Rotates a refresh token: the presented one is retired and a new pair issued. A retired token
 * presented again means it was stolen or replayed: the whole session is revoked.
 * `checkCsrf` runs once the session is known (cookie-borne tokens must prove the CSRF token).
 */
export async function refresh(
  ctx: AppContext,
  token: string,
  meta: AuditActor,
  checkCsrf?: (sessionId: string) => void,
): Promise<SessionTokens> {
  const outcome = await tx(ctx.pool, async (client) => {
    const row = await findRefreshTokenForUpdate(client, refreshTokenHash(token));
    if (!row) return { error: 'invalid' as const };
    const session = await getSessionRow(client, row.session_id, true);
    if (!session) return { error: 'invalid' as const };
    checkCsrf?.(session.id);
    const user = await getUserRow(client, session.user_id);
    if (!user) return { error: 'invalid' as const };
    if (row.used_at !== null) {
      const revoked = await revokeSession(client, session.id, 'refresh_token_reuse');
      await recordAudit(client, {
        actor: asActor(meta, user),
        entityType: 'session',
        entityId: session.id,
        action: 'session.refresh_reuse',
        after: { revoked, tokenIssuedAt: row.issued_at, tokenUsedAt: row.used_at },
      });
      return { error: 'reuse' as const };
    }
    if (session.revoked_at !== null || row.expired || Date.parse(session.expires_at) <= Date.now())
      return { error: 'invalid' as const };
    if (user.status !== 'ACTIVE') return { error: 'invalid' as const };
    await markRefreshTokenUsed(client, row.token_hash);
    await extendSession(
      client,
      session.id,
      ctx.config.REFRESH_TOKEN_TTL_SECONDS,
      meta.ip,
      meta.userAgent?.slice(0, 512) ?? null,
    );
    return { tokens: await issueTokens(ctx, client, user, session.id) };
  });
  if ('error' in outcome) throw invalidRefresh();
  return outcome.tokens;
}

export async function logout(ctx: AppContext, principal: Principal, meta: AuditActor): Promise<void> {
  await tx(ctx.pool, async (client) => {
    await revokeSession(client, principal.sessionId, 'logout');
    await recordAudit(client, {
      actor: meta,
      entityType: 'session',
      entityId: principal.sessionId,
      action: 'session.logout',
    });
  });
}

// Every authenticated request checks its session in the database (a logout or a revoked session
// takes effect at once); the checks of one event-loop turn share one query.
const activeSession = coalescePerPool(findActiveSessions);

/** The principal of a valid access token whose session is live and whose user is active. */
export async function authenticate(ctx: AppContext, accessToken: string): Promise<Principal> {
  const claims = await verifyAccessToken(ctx.config, accessToken);
  if (!claims) throw invalidToken();
  const s = await activeSession(ctx.pool, claims.sessionId.toLowerCase());
  if (!s || s.user_id !== claims.userId.toLowerCase()) throw invalidToken();
  return {
    userId: s.user_id,
    role: s.role,
    customerId: s.customer_id,
    sessionId: s.session_id,
    email: s.email,
    mfaEnabled: s.totp_enabled,
    mfaSetupRequired: ctx.config.MFA_REQUIRED_FOR_STAFF && isStaff(s.role) && !s.totp_enabled,
  };
}

// ---- the signed-in user -------------------------------------------------------------------

export async function me(
  ctx: AppContext,
  principal: Principal,
): Promise<{ user: User; customer: Customer | null; mfaSetupRequired: boolean }> {
  const user = await getUserRow(ctx.pool, principal.userId);
  if (!user) throw invalidToken();
  const customer = user.customer_id ? ((await getCustomer(ctx.pool, user.customer_id)) ?? null) : null;
  return { user: toUser(user), customer, mfaSetupRequired: principal.mfaSetupRequired };
}

/** Changes the password and ends every other session of the user. */
export async function changePassword(
  ctx: AppContext,
  principal: Principal,
  input: { currentPassword: string; newPassword: string },
  meta: AuditActor,
): Promise<{ revokedSessions: number }> {
  const user = await getUserRow(ctx.pool, principal.userId);
  if (!user) throw invalidToken();
  if (!(await verifyPassword(user.password_hash, input.currentPassword))) {
    await recordFailure(ctx, user, 'bad_current_password', meta);
    throw new BankError('FORBIDDEN', 'The current password is not correct', {
      errors: [{ path: 'body.currentPassword', message: 'is not correct' }],
    });
  }
  checkPassword(input.newPassword, user.email, 'body.newPassword');
  if (input.newPassword === input.currentPassword) {
    throw new BankError('INVALID_REQUEST', 'The new password must differ from the current one', {
      errors: [{ path: 'body.newPassword', message: 'must differ from the current password' }],
    });
  }
  const hash = await hashPassword(input.newPassword);
  return tx(ctx.pool, async (client) => {
    await setPasswordHash(client, user.id, hash, true);
    const revoked = await revokeUserSessions(client, user.id, 'password_changed', principal.sessionId);
    await recordAudit(client, {
      actor: meta,
      entityType: 'user',
      entityId: user.id,
      action: 'user.password_changed',
      after: { revokedSessions: revoked.length },
    });
    return { revokedSessions: revoked.length };
  });
}

const totpAad = (userId: string) => `users.totp:${userId}`;

/** Starts TOTP enrolment: a new secret, kept pending until a code from it is verified. */
export async function mfaSetup(
  ctx: AppContext,
  principal: Principal,
  meta: AuditActor,
): Promise<{ secret: string; otpauthUrl: string }> {
  const secret = newTotpSecret();
  const sealed = piiCrypto(ctx.config).keyring.seal(secret.toString('base64'), totpAad(principal.userId));
  await tx(ctx.pool, async (client) => {
    const user = await getUserRow(client, principal.userId, true);
    if (!user) throw invalidToken();
    if (user.totp_enabled) throw new BankError('CONFLICT', 'A second factor is already set up');
    await setPendingTotp(client, user.id, sealed.ciphertext, sealed.keyId);
    await recordAudit(client, {
      actor: meta,
      entityType: 'user',
      entityId: user.id,
      action: 'user.mfa_setup_started',
    });
  });
  return {
    secret: base32Encode(secret),
    otpauthUrl: otpauthUrl(secret, principal.email, ctx.config.JWT_ISSUER),
  };
}

/** Completes TOTP enrolment with a code from the pending secret. */
export async function mfaVerify(
  ctx: AppContext,
  principal: Principal,
  otp: string,
  meta: AuditActor,
): Promise<{ mfaEnabled: true }> {
  const ok = await tx(ctx.pool, async (client) => {
    const user = await getUserRow(client, principal.userId, true);
    if (!user) throw invalidToken();
    if (user.totp_enabled) throw new BankError('CONFLICT', 'A second factor is already set up');
    if (!user.totp_pending_ciphertext || !user.totp_pending_key_id)
      throw new BankError('CONFLICT', 'Start with POST /api/v1/auth/mfa/setup');
    const secret = Buffer.from(
      piiCrypto(ctx.config).keyring.open(
        { keyId: user.totp_pending_key_id, ciphertext: user.totp_pending_ciphertext },
        totpAad(user.id),
      ),
      'base64',
    );
    const step = verifyTotp(secret, otp);
    if (step === null) return false;
    await enableTotp(client, user.id, step);
    await recordAudit(client, {
      actor: meta,
      entityType: 'user',
      entityId: user.id,
      action: 'user.mfa_enabled',
      before: { mfaEnabled: false },
      after: { mfaEnabled: true },
    });
    return true;
  });
  if (!ok) {
    throw new BankError('INVALID_REQUEST', 'The one-time password is not correct', {
      errors: [{ path: 'body.otp', message: 'is not correct' }],
    });
  }
  return { mfaEnabled: true };
}

/** Re-encrypts TOTP secrets not under the keyring's newest key; returns how many users. */
export async function resealTotpSecrets(ctx: AppContext, batch = 500): Promise<number> {
  const { keyring } = piiCrypto(ctx.config);
  const target = keyring.activeKeyId;
  let total = 0;
  for (;;) {
    const n = await tx(ctx.pool, async (client) => {
      const rows = await usersToReseal(client, target, batch);
      for (const r of rows) {
        const reseal = (ciphertext: Buffer | null, keyId: string | null) => {
          if (!ciphertext || !keyId || keyId === target) return null;
          return keyring.seal(keyring.open({ keyId, ciphertext }, totpAad(r.id)), totpAad(r.id));
        };
        await resealUserTotp(
          client,
          r.id,
          reseal(r.totp_ciphertext, r.totp_key_id),
          reseal(r.totp_pending_ciphertext, r.totp_pending_key_id),
        );
      }
      return rows.length;
    });
    total += n;
    if (n < batch) return total;
  }
}
