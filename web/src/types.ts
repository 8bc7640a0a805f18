// The API's shapes as the portal uses them (API.md; the server's OpenAPI is the reference).
// Money is always a decimal string.

export type Role = 'customer' | 'teller' | 'analyst' | 'auditor' | 'admin';
export const STAFF_ROLES: readonly Role[] = ['teller', 'analyst', 'auditor', 'admin'];

export interface User {
  id: string;
  email: string;
  role: Role;
  status: 'ACTIVE' | 'DISABLED';
  customerId: string | null;
  mfaEnabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface AdminUser extends User {
  locked: boolean;
}

export interface Address {
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
}

export interface Customer {
  id: string;
  fullName: string;
  email: string;
  phone: string | null;
  dateOfBirth: string | null;
  address: Address | null;
  nationalId: string | null;
  kycStatus: 'PENDING' | 'VERIFIED' | 'REJECTED';
  createdAt: string;
  updatedAt: string;
}

export interface Me {
  user: User;
  customer: Customer | null;
  mfaSetupRequired: boolean;
}

export type AccountType = 'CHECKING' | 'SAVINGS' | 'CREDIT' | 'INVESTMENT';
export const ACCOUNT_TYPES: readonly AccountType[] = ['CHECKING', 'SAVINGS', 'CREDIT', 'INVESTMENT'];
export type AccountStatus = 'ACTIVE' | 'FROZEN' | 'CLOSED';

export interface Account {
  id: string;
  customerId: string;
  accountNumber: string;
  type: AccountType;
  currency: string;
  status: AccountStatus;
  balance: string;
  availableBalance: string;
  pendingCredits?: string;
  overdraftLimit: string;
  interestRate: string;
  nickname: string | null;
  openedAt: string;
  closedAt: string | null;
}

export type TransactionType =
  'DEPOSIT' | 'WITHDRAWAL' | 'TRANSFER' | 'INTEREST' | 'FEE' | 'REVERSAL' | 'EXTERNAL_OUT' | 'EXTERNAL_IN';
export const TRANSACTION_TYPES: readonly TransactionType[] = [
  'DEPOSIT',
  'WITHDRAWAL',
  'TRANSFER',
  'INTEREST',
  'FEE',
  'REVERSAL',
  'EXTERNAL_OUT',
  'EXTERNAL_IN',
];

export interface Transaction {
  id: string;
  reference: string;
  type: TransactionType;
  status: 'PENDING' | 'PENDING_REVIEW' | 'COMPLETED' | 'FAILED' | 'REVERSED';
  amount: string;
  currency: string;
  fromAccountId: string | null;
  toAccountId: string | null;
  description: string | null;
  category: string | null;
  tags: string[];
  createdAt: string;
  completedAt: string | null;
  counterparty?: { bankCode: string; accountNumber: string; name: string } | null;
  risk?: { score: number; recommendation: string } | null;
  /** In an account's history, some servers add the signed amount and balance after. */
  direction?: 'DEBIT' | 'CREDIT';
  balanceAfter?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
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
  before: unknown;
  after: unknown;
}

export interface FraudAlert {
  id: string;
  transactionId: string;
  accountId: string;
  customerId: string;
  status: 'OPEN' | 'INVESTIGATING' | 'RESOLVED' | 'FALSE_POSITIVE';
  /** HELD until released, rejected or expired; null when the movement was only flagged. */
  hold: 'HELD' | 'RELEASED' | 'REJECTED' | 'EXPIRED' | null;
  score: number;
  recommendation: string;
  reasons: { rule: string; score: number; reason: string }[];
  amount: string;
  currency: string;
  analystId: string | null;
  notes: { at: string; by: string | null; text: string }[];
  createdAt: string;
  updatedAt: string;
  holdResolvedAt: string | null;
  closedAt: string | null;
}
