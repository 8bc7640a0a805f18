// Customer input and output shapes (zod). The national id is accepted on input only; output
// carries its masked form.
import { z } from 'zod';

/** Digits and letters only, upper case: "123-45-6789" and "123 45 6789" are the same id. */
export function normalizeNationalId(raw: string): string {
  return raw.replace(/[\s.-]/g, '').toUpperCase();
}

export function maskNationalId(last4: string | null): string | null {
  return last4 === null ? null : `***-**-${last4}`;
}

export const nationalIdSchema = z
  .string()
  .max(40)
  .transform(normalizeNationalId)
  .pipe(z.string().regex(/^(?=.*[0-9])[0-9A-Z]{4,20}$/, 'must be 4–20 letters and digits'));

export const phoneSchema = z
  .string()
  .max(32)
  .transform((v) => v.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+?[0-9]{6,15}$/, 'must be a phone number such as +15551234567'));

export const dateOfBirthSchema = z.iso.date().refine((d) => {
  const t = Date.parse(`${d}T00:00:00Z`);
  return t >= Date.parse('1900-01-01T00:00:00Z') && t <= Date.now();
}, 'must be a date between 1900-01-01 and today');

export const fullNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((v) => ![...v].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), {
    message: 'must not contain control characters',
  });

export const addressSchema = z.strictObject({
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  region: z.string().trim().max(100).optional(),
  postalCode: z.string().trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
});
export type Address = z.infer<typeof addressSchema>;

export const kycStatuses = ['PENDING', 'VERIFIED', 'REJECTED'] as const;

export const customerSchema = z.object({
  id: z.uuid(),
  fullName: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  dateOfBirth: z.string().nullable(),
  address: addressSchema.nullable(),
  nationalId: z.string().nullable().describe('Masked: ***-**-1234'),
  kycStatus: z.enum(kycStatuses),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Customer = z.infer<typeof customerSchema>;

export const profilePatchSchema = z
  .strictObject({
    fullName: fullNameSchema.optional(),
    phone: phoneSchema.nullable().optional(),
    dateOfBirth: dateOfBirthSchema.nullable().optional(),
    address: addressSchema.nullable().optional(),
    nationalId: nationalIdSchema.optional().describe('Write-only; stored encrypted'),
  })
  .refine((p) => Object.keys(p).length > 0, 'at least one field is required');
export type ProfilePatch = z.infer<typeof profilePatchSchema>;

export const customerSearchQuery = z.strictObject({
  q: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(400).optional(),
});

export const customerListSchema = z.object({
  items: z.array(customerSchema),
  nextCursor: z.string().nullable(),
});
