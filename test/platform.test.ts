// The platform's HTTP behaviour: health, problem+json for every error, docs and metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('health', () => {
  it('answers liveness', async () => {
    const res = await t.app.inject('/health/live');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('is ready when the database answers', async () => {
    const res = await t.app.inject('/health/ready');
    expect(res.statusCode).toBe(200);
    expect(res.json().database.status).toBe('ok');
  });

  it('aggregates components', async () => {
    const res = await t.app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', components: { database: { status: 'ok' } } });
  });
});

describe('errors', () => {
  it('renders an unknown route as problem+json with the request id', async () => {
    const res = await t.app.inject({ url: '/api/v1/nothing-here', headers: { 'x-request-id': 'req-123' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.json()).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      requestId: 'req-123',
      title: 'Not found',
    });
  });

  it('replaces an unsafe request id with its own', async () => {
    const res = await t.app.inject({ url: '/health/live', headers: { 'x-request-id': 'bad id\u0001' } });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('docs and metrics', () => {
  it('publishes an OpenAPI 3.1 document', async () => {
    const res = await t.app.inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/health/ready');
  });

  it('serves the docs UI', async () => {
    const res = await t.app.inject('/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });

  it('exposes Prometheus metrics with the HTTP duration histogram', async () => {
    await t.app.inject('/health/live');
    const res = await t.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('corebank_http_request_duration_seconds_bucket{');
    expect(res.body).toMatch(/route="\/health\/live",status="200"/);
  });
});
