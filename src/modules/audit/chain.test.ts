import { describe, expect, it } from 'vitest';
import { auditHash, canonicalJson, toAuditJson, GENESIS_HASH } from './chain.js';

describe('audit content', () => {
  it('makes values jsonb-stable and masks secrets and national ids', () => {
    expect(
      toAuditJson({
        amount: 12n,
        at: new Date('2025-01-02T03:04:05.000Z'),
        skip: undefined,
        nested: { password: 'hunter2', nationalId: '123-45-6789', ok: 'a\u0000b' },
        list: [1, 'x'],
      }),
    ).toEqual({
      amount: '12',
      at: '2025-01-02T03:04:05.000Z',
      nested: { password: '[redacted]', nationalId: '***-**-6789', ok: 'ab' },
      list: [1, 'x'],
    });
    expect(toAuditJson({ nationalId: '***-**-1234' })).toEqual({ nationalId: '***-**-1234' });
    expect(
      toAuditJson({
        email: 'jane.doe@example.test',
        phone: '+15550100042',
        fullName: 'Jane  Doe',
        dateOfBirth: '1990-01-02',
        address: { line1: '1 Main St', city: 'Springfield', country: 'US' },
        constructor: 'kept',
      }),
    ).toEqual({
      email: 'j***@example.test',
      phone: '***42',
      fullName: 'J*** D***',
      dateOfBirth: '****-**-**',
      address: { country: 'US', rest: '***' },
      constructor: 'kept',
    });
  });

  it('serialises with sorted keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('hashes content and the previous hash', () => {
    const row = {
      seq: 1n,
      id: '00000000-0000-4000-8000-000000000000',
      createdAt: '2025-01-01T00:00:00.000Z',
      actorId: null,
      actorRole: 'system',
      ip: null,
      userAgent: null,
      requestId: null,
      entityType: 'user',
      entityId: 'x',
      action: 'user.created',
      before: null,
      after: { b: 1, a: 2 },
      prevHash: GENESIS_HASH,
    };
    const h = auditHash(row);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(auditHash({ ...row, after: { a: 2, b: 1 } })).toBe(h);
    expect(auditHash({ ...row, after: { a: 2, b: 2 } })).not.toBe(h);
    expect(auditHash({ ...row, prevHash: 'f'.repeat(64) })).not.toBe(h);
  });
});
