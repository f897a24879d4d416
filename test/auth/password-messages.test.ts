// A refused password reads as one sentence naming the field ("password is too common…"), the way
// every other 422 reads ("name must be string"), not "password This password is too common".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/harness.js';

describe('a refused password', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.close());

  it.each([
    ['password', 'password is too common; choose another'],
    ['short', 'password must be at least 8 characters'],
  ])('%s is refused with the message %j', async (password, message) => {
    const answer = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: `${password}@example.com`, password } });
    expect(answer.statusCode).toBe(422);
    expect(answer.json().errors[0]).toMatchObject({ field: 'password', message });
  });
});
