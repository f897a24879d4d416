import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, signUp, type TestGateway } from '../support/harness.js';

describe('HTTP conventions', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { TOLLGATE_BODY_LIMIT_BYTES: '4096' } });
  });
  afterAll(() => gw?.close());

  it('answers 422 with one entry per problem, each with a field, and FastAPI-style detail', async () => {
    const response = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: 'not-an-email', is_active: 'maybe' } });
    expect(response.statusCode).toBe(422);
    const body = response.json();
    expect(body.meta.request_id).toBe(response.headers['x-request-id']);
    const fields = body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['email', 'is_active', 'password']);
    for (const error of body.errors) expect(error).toMatchObject({ code: 'validation_error', message: expect.any(String) });
    expect(body.detail).toEqual(expect.arrayContaining([
      { loc: ['body', 'password'], msg: expect.any(String), type: 'value_error.required' },
      { loc: ['body', 'email'], msg: expect.any(String), type: 'value_error.format' },
    ]));
  });

  it('answers malformed JSON with 400 invalid_request', async () => {
    const response = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].code).toBe('invalid_request');
  });

  it('answers an oversized body with 413', async () => {
    const response = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@example.com', password: 'x'.repeat(5000) } });
    expect(response.statusCode).toBe(413);
    expect(response.json().errors[0].code).toBe('payload_too_large');
  });

  it('keeps a well-formed client X-Request-Id and replaces a malformed one', async () => {
    const kept = await gw.app.inject({ url: '/healthz', headers: { 'x-request-id': 'client-trace.42' } });
    expect(kept.headers['x-request-id']).toBe('client-trace.42');
    const replaced = await gw.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces <script>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^req_[0-9A-Za-z]{20}$/);
  });

  it('answers unknown routes with the envelope, and OpenAI paths in OpenAI shape', async () => {
    const control = await gw.app.inject({ url: '/api/v1/nothing-here' });
    expect(control.statusCode).toBe(404);
    expect(control.json().errors[0].code).toBe('not_found');
    const openai = await gw.app.inject({ method: 'POST', url: '/v1/embeddings/unknown' });
    expect(openai.statusCode).toBe(404);
    expect(openai.json().error).toMatchObject({ code: 'not_found', type: 'invalid_request_error' });
  });

  it('answers 401 invalid_token without credentials and with a garbage token', async () => {
    for (const headers of [{}, { authorization: 'Bearer nonsense' }, { authorization: 'Basic abc' }]) {
      const response = await gw.app.inject({ url: '/api/v1/auth/me', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().errors[0].code).toBe('invalid_token');
    }
  });

  it('serves health, readiness, OpenAPI 3.1 and Swagger UI', async () => {
    expect((await gw.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await gw.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
    const spec = (await gw.app.inject({ url: '/openapi.json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/register', '/api/v1/auth/keys', '/api/v1/auth/keys/{id}/rotate', '/api/v1/automation/settings']));
    expect(spec.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(spec.paths['/api/v1/auth/keys'].post.security).toEqual([{ bearer: [] }]);
    const docs = await gw.app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('reports not ready when storage is gone', async () => {
    const other = await startTestGateway();
    try {
      await other.services.database.close();
      const response = await other.app.inject({ url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json().errors[0].code).toBe('unavailable');
    } finally {
      await other.close(); // its timers too, not only the app
    }
  });

  it('never returns a stack trace or internal message on a 500', async () => {
    const user = await signUp(gw.app);
    const original = gw.services.storage.accounts.listForUser;
    gw.services.storage.accounts.listForUser = async () => {
      throw new Error('secret internal detail: connection string postgres://user:pw@db');
    };
    try {
      const response = await gw.app.inject({ url: '/api/v1/auth/me', headers: user.auth });
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain('secret internal detail');
      expect(response.json().errors[0].code).toBe('internal_error');
    } finally {
      gw.services.storage.accounts.listForUser = original;
    }
  });
});
