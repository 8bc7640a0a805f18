// A default category from the description, until the customer sets their own. Simple keyword
// rules, first match wins; movements the bank makes have fixed categories.
import type { TransactionType } from './types.js';

const rules: [RegExp, string][] = [
  [/\b(salary|payroll|wage)/i, 'income'],
  [/\b(rent|mortgage|landlord)/i, 'housing'],
  [/\b(grocer|supermarket|market|food)/i, 'groceries'],
  [/\b(restaurant|cafe|coffee|bar|pizza|lunch|dinner)/i, 'dining'],
  [/\b(uber|taxi|train|bus|fuel|petrol|gas station|parking)/i, 'transport'],
  [/\b(electric|water|internet|phone|utility|utilities)/i, 'utilities'],
  [/\b(netflix|spotify|cinema|movie|game|concert)/i, 'entertainment'],
  [/\b(pharmacy|doctor|hospital|dental|health)/i, 'health'],
  [/\b(shop|store|amazon|clothes)/i, 'shopping'],
  [/\b(savings?|invest)/i, 'savings'],
];

const byType: Partial<Record<TransactionType, string>> = {
  INTEREST: 'interest',
  FEE: 'fees',
  DEPOSIT: 'deposits',
  WITHDRAWAL: 'cash',
  EXTERNAL_IN: 'income',
};

export function defaultCategory(type: TransactionType, description: string | null): string | null {
  if (description) for (const [re, category] of rules) if (re.test(description)) return category;
  return byType[type] ?? (type === 'TRANSFER' || type === 'EXTERNAL_OUT' ? 'transfers' : null);
}
