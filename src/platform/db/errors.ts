// Recognising PostgreSQL errors that callers turn into catalogue errors.

/** The constraint (or unique index) a unique_violation (23505) names, if err is one. */
export function uniqueViolation(err: unknown): string | undefined {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  if (e?.code !== '23505') return undefined;
  return typeof e.constraint === 'string' ? e.constraint : '';
}
