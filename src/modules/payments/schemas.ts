// Request and reply shapes of the money-movement API (zod; they also generate the OpenAPI doc).
import { z } from 'zod';
import { isCalendarDate, isTimestamp } from '../../platform/time.js';
import { recommendations } from '../fraud/rules.js';
import { transactionStatuses, transactionTypes } from './types.js';

export const amount = z
  .union([z.string(), z.number()])
  .describe(
    'Decimal string with at most the currency\'s minor digits, e.g. "1234.50" (a JSON number only if exact)',
  );

const description = z.string().trim().min(1).max(280).optional();
export const category = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lower-case letters, digits or _ (at most 40)');
const tags = z
  .array(
    z
      .string()
      .trim()
      .regex(/^[\p{L}\p{N}_ -]{1,30}$/u, 'must be 1–30 letters, digits, spaces, _ or -'),
  )
  .max(10);
const labels = { description, category: category.optional(), tags: tags.optional() };

export const counterparty = z.strictObject({
  bankCode: z
    .string()
    .trim()
    .regex(/^[A-Z0-9]{4,11}$/, 'must be 4–11 upper-case letters or digits (a BIC or sort code)'),
  accountNumber: z
    .string()
    .trim()
    .regex(/^[A-Z0-9]{4,34}$/, 'must be 4–34 upper-case letters or digits'),
  name: z.string().trim().min(1).max(140),
});

export const depositBody = z.strictObject({ accountId: z.uuid(), amount, ...labels });
export const withdrawalBody = depositBody;

export const transferBody = z
  .strictObject({
    fromAccountId: z.uuid(),
    toAccountId: z.uuid().optional(),
    toAccountNumber: z
      .string()
      .regex(/^[0-9]{12}$/, 'must be 12 digits')
      .optional(),
    toExternal: counterparty.optional(),
    amount,
    ...labels,
  })
  .refine(
    (b) => [b.toAccountId, b.toAccountNumber, b.toExternal].filter((x) => x !== undefined).length === 1,
    {
      message: 'give exactly one of toAccountId, toAccountNumber, toExternal',
      path: ['toAccountId'],
    },
  );

export const holdBody = z.strictObject({
  accountId: z.uuid(),
  toAccountId: z
    .uuid()
    .optional()
    .describe('Another account to pay on capture; default: the clearing account (a card authorisation)'),
  amount,
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .optional(),
  ...labels,
});
export const captureBody = z
  .strictObject({ amount: amount.optional().describe('Capture less than was held; default: all') })
  .nullish();
export const voidBody = z.strictObject({ reason: z.string().trim().min(1).max(280).optional() }).nullish();
export const reverseBody = z.strictObject({ description }).nullish();

export const inboundBody = z
  .strictObject({
    toAccountId: z.uuid().optional(),
    toAccountNumber: z
      .string()
      .regex(/^[0-9]{12}$/)
      .optional(),
    amount,
    currency: z.string().regex(/^[A-Z]{3}$/),
    counterparty,
    description,
  })
  .refine((b) => (b.toAccountId === undefined) !== (b.toAccountNumber === undefined), {
    message: 'give exactly one of toAccountId, toAccountNumber',
    path: ['toAccountId'],
  });

export const settlementBody = z.strictObject({
  items: z
    .array(
      z.strictObject({
        transactionId: z.uuid(),
        outcome: z.enum(['SETTLED', 'RETURNED']),
        reason: z.string().trim().min(1).max(280).optional(),
      }),
    )
    .min(1)
    .max(500),
});

export const labelBody = z
  .strictObject({ category: category.nullable().optional(), tags: tags.optional() })
  .refine((b) => b.category !== undefined || b.tags !== undefined, { message: 'give category or tags' });

export const idParams = z.strictObject({ id: z.uuid() });

const isoInstant = z
  .string()
  .max(40)
  .refine((s) => isCalendarDate(s) || isTimestamp(s), 'must be a real date (YYYY-MM-DD) or ISO 8601 time');

export const historyQuery = z.strictObject({
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  type: z.enum(transactionTypes).optional(),
  status: z.enum(transactionStatuses).optional(),
  category: category.optional(),
  tag: z.string().min(1).max(30).optional(),
  minAmount: z.string().optional(),
  maxAmount: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const customerHistoryQuery = historyQuery.extend({
  accountId: z.uuid().optional(),
  customerId: z.uuid().optional().describe('Staff: whose transactions'),
});

export const riskJson = z
  .object({
    score: z.number().int().min(0).max(100),
    recommendation: z.enum(recommendations),
    reasons: z.array(z.object({ rule: z.string(), score: z.number().int(), reason: z.string() })),
  })
  .describe('How fraud screening scored the movement (outgoing customer movements only)');

export const transactionJson = z.object({
  id: z.uuid(),
  reference: z.string(),
  type: z.enum(transactionTypes),
  status: z.enum(transactionStatuses),
  amount: z.string(),
  currency: z.string(),
  fromAccountId: z.uuid().nullable(),
  toAccountId: z.uuid().nullable(),
  counterparty: z.object({ bankCode: z.string(), accountNumber: z.string(), name: z.string() }).nullable(),
  description: z.string().nullable(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  reversesTransactionId: z.uuid().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  risk: riskJson.optional(),
});
