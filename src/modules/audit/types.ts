// The vocabulary of the audit trail, shared by every module that records events.
import type { Json } from './chain.js';

/** Who did it and from where. Routes build it from the request; the CLI uses systemActor(). */
export interface AuditActor {
  userId: string | null;
  role: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface AuditEvent {
  actor?: AuditActor | null;
  /** What kind of thing changed: user, session, customer, account … */
  entityType: string;
  entityId?: string | null;
  /** What happened, as `<entity>.<verb>`: user.login, account.frozen … */
  action: string;
  /** The state before and after, personal data masked (a last guard masks it again). */
  before?: unknown;
  after?: unknown;
}

export interface AuditRecord {
  seq: string;
  id: string;
  createdAt: string;
  actorId: string | null;
  actorRole: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  entityType: string;
  entityId: string | null;
  action: string;
  before: Json;
  after: Json;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  entityType?: string | undefined;
  entityId?: string | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Exclusive upper bound on seq (the cursor of the previous page). */
  beforeSeq?: bigint | undefined;
  limit: number;
}

export interface ChainVerification {
  ok: boolean;
  /** Rows checked, from the first to the head. */
  checked: number;
  headSeq: string;
  headHash: string;
  /** The first row found broken, and why. */
  brokenAt: { seq: string; reason: string } | null;
}

export function systemActor(userAgent = 'corebank-cli'): AuditActor {
  return { userId: null, role: 'system', ip: null, userAgent, requestId: null };
}
