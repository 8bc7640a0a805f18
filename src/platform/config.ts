// Every setting corebank reads comes from the environment, is parsed here once, and is documented
// in .env.example and the README's configuration table (a test keeps the three in step).
import { z } from 'zod';
import { resolveSecrets, type ResolvedSecrets } from './secrets.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** A secret: empty means unset (then secrets.ts supplies it outside production). */
const optionalSecret = z
  .string()
  .transform((v) => (v.trim() === '' ? undefined : v.trim()))
  .optional();

/** Movement batches in the database at once unless MOVEMENT_BATCHES_IN_FLIGHT says otherwise. */
export const DEFAULT_MOVEMENT_BATCHES_IN_FLIGHT = 2;

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: optionalUrl,
  COREBANK_DATA_DIR: z.string().min(1).default('./.corebank'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
  REDIS_URL: optionalUrl,
  PENDING_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(1000),
  SEED_DEMO_DATA: bool.optional(),
  // Identity and access (docs/security.md). The three secrets are required in production; in
  // development they are generated once into COREBANK_DATA_DIR/secrets.json (mode 0600), in
  // test they are derived deterministically.
  JWT_SECRET: optionalSecret,
  JWT_ISSUER: z.string().min(1).default('corebank'),
  JWT_AUDIENCE: z.string().min(1).default('corebank-api'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).max(900).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(90 * 86_400)
    .default(14 * 86_400),
  PII_KEYRING: optionalSecret,
  PII_HMAC_KEY: optionalSecret,
  MFA_REQUIRED_FOR_STAFF: bool.default(false),
  TRUST_PROXY: bool.default(false),
  RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  // Statements and reports (docs/reports.md): the longest period one request may cover, in days.
  STATEMENT_MAX_DAYS: z.coerce.number().int().min(1).max(3660).default(366),
  // Money movement (docs/payments.md).
  RATE_LIMIT_MOVEMENTS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /** Largest single deposit / withdrawal, in major units of the account's currency. */
  MAX_SINGLE_DEPOSIT: z
    .string()
    .regex(/^[0-9]{1,15}$/)
    .default('1000000'),
  MAX_SINGLE_WITHDRAWAL: z
    .string()
    .regex(/^[0-9]{1,15}$/)
    .default('100000'),
  /** Stored idempotency keys and their replies are deleted this long after first use; a retry after that runs again (0: kept forever). */
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce.number().int().min(0).default(168),
  /** The settlement simulator settles outbound external transfers this long after they were sent (0: never by itself). */
  EXTERNAL_SETTLEMENT_DELAY_SECONDS: z.coerce.number().int().min(0).default(10),
  /** Micro-batching of money movement: gather for this long (0: one transaction per movement). */
  MOVEMENT_BATCH_WINDOW_MS: z.coerce.number().min(0).max(50).default(1),
  MOVEMENT_BATCH_MAX: z.coerce.number().int().min(1).max(2000).default(256),
  /** Movement batches in the database at once (group commit: the next one gathers meanwhile). */
  MOVEMENT_BATCHES_IN_FLIGHT: z.coerce
    .number()
    .int()
    .min(1)
    .max(16)
    .default(DEFAULT_MOVEMENT_BATCHES_IN_FLIGHT),
  // Fraud screening (docs/fraud.md).
  /** Score outgoing customer movements before they post (holds, alerts). */
  FRAUD_SCREENING_ENABLED: bool.default(true),
  /** A movement held for review that nobody releases or rejects is voided after this long. */
  FRAUD_HOLD_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(3 * 86_400),
  /** Rule thresholds and scores: a JSON object merged over the defaults (validated at start-up). */
  FRAUD_RULES_JSON: z.string().default(''),
});

export type RawConfig = z.infer<typeof configSchema>;
export type Config = Omit<RawConfig, keyof ResolvedSecrets> & ResolvedSecrets;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  return { ...parsed.data, ...resolveSecrets(parsed.data) };
}
