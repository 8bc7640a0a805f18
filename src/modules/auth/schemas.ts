// Request and reply shapes of the auth routes. Bodies are strict: an unknown field (role,
// status, customerId …) is a 400, never silently applied.
import { z } from 'zod';
import {
  addressSchema,
  customerSchema,
  dateOfBirthSchema,
  fullNameSchema,
  nationalIdSchema,
  phoneSchema,
} from '../customers/schemas.js';
import { roles } from './roles.js';

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .toLowerCase()
  .pipe(z.email({ message: 'must be an e-mail address' }));

/** Presented passwords: bounded so hashing cannot be used to exhaust the server. */
export const passwordInput = z.string().min(1).max(1024);

export const registerBody = z.strictObject({
  email: emailSchema,
  password: passwordInput,
  fullName: fullNameSchema,
  phone: phoneSchema.optional(),
  dateOfBirth: dateOfBirthSchema.optional(),
  address: addressSchema.optional(),
  nationalId: nationalIdSchema.optional().describe('National id / SSN: write-only, stored encrypted'),
});
export type RegisterInput = z.infer<typeof registerBody>;

export const loginBody = z.strictObject({
  email: z.string().trim().max(254).toLowerCase(),
  password: passwordInput,
  otp: z
    .string()
    .regex(/^[0-9]{6}$/, 'must be 6 digits')
    .optional(),
});
export type LoginInput = z.infer<typeof loginBody>;

export const refreshBody = z
  .strictObject({ refreshToken: z.string().min(1).max(200).optional() })
  .nullish()
  .describe('The refresh token, or none when the cb_refresh cookie carries it');

export const passwordChangeBody = z.strictObject({
  currentPassword: passwordInput,
  newPassword: passwordInput,
});

export const mfaVerifyBody = z.strictObject({ otp: z.string().regex(/^[0-9]{6}$/, 'must be 6 digits') });

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(roles),
  status: z.enum(['ACTIVE', 'DISABLED']),
  customerId: z.uuid().nullable(),
  mfaEnabled: z.boolean(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
export type User = z.infer<typeof userSchema>;

export const tokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('Seconds until the access token expires'),
  csrfToken: z.string().describe('Send as x-csrf-token on cookie-authenticated non-GET requests'),
  user: userSchema,
});

export const meSchema = z.object({
  user: userSchema,
  customer: customerSchema.nullable(),
  mfaSetupRequired: z.boolean(),
});

export const mfaSetupSchema = z.object({
  secret: z.string().describe('Base32 TOTP secret (RFC 6238, SHA-1, 6 digits, 30 s)'),
  otpauthUrl: z.string(),
});
