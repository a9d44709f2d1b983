import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ProblemBody } from '../../support/api-bodies.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';

// Token lifetime and scheme rules (issue 8, fault 16; R-PLAT-2) and unsafe text in claims
// (fault 8, R-SEC-4).

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});

afterAll(async () => {
  await ctx.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

interface TokenShape {
  readonly sub?: string;
  readonly iat?: number | null;
  readonly exp: number;
  readonly claims?: Record<string, unknown>;
}

function sign(shape: TokenShape): Promise<string> {
  let jwt = new SignJWT({ email: 'tokens@example.com', ...shape.claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(shape.sub ?? 'token-rules-user')
    .setExpirationTime(shape.exp);
  if (shape.iat !== null) {
    jwt = jwt.setIssuedAt(shape.iat ?? nowSeconds());
  }
  return jwt.sign(new TextEncoder().encode(ctx.config.auth.jwtSecret ?? ''));
}

async function statusWith(token: string, scheme = 'Bearer'): Promise<number> {
  const response = await ctx.request<ProblemBody>('GET', '/api/me', {
    headers: { authorization: `${scheme} ${token}` },
  });
  return response.status;
}

describe('token lifetime rules', () => {
  it('uses a 60 s clock skew and a 24 h lifetime cap by default', () => {
    expect(ctx.config.auth.clockSkewSeconds).toBe(60);
    expect(ctx.config.auth.maxTokenLifetimeSeconds).toBe(24 * 60 * 60);
  });

  it('accepts a token issued up to the clock skew in the future', async () => {
    const token = await sign({ iat: nowSeconds() + 30, exp: nowSeconds() + 3600 });

    expect(await statusWith(token)).toBe(200);
  });

  it('refuses a token issued further in the future than the clock skew', async () => {
    const token = await sign({ iat: nowSeconds() + 600, exp: nowSeconds() + 3600 });

    expect(await statusWith(token)).toBe(401);
  });

  it('refuses an exp of 1e308 and any exp beyond the lifetime cap', async () => {
    const absurd = await sign({ exp: 1e308 });
    const tooLong = await sign({ exp: nowSeconds() + 25 * 60 * 60 });

    expect(await statusWith(absurd)).toBe(401);
    expect(await statusWith(tooLong)).toBe(401);
  });

  it('refuses a token issued longer ago than the cap even if its exp is still ahead', async () => {
    const token = await sign({ iat: nowSeconds() - 25 * 60 * 60, exp: nowSeconds() + 3600 });

    expect(await statusWith(token)).toBe(401);
  });

  it('accepts a 24-hour token and the CLI’s 12-hour development token', async () => {
    const fullDay = await sign({ exp: nowSeconds() + 24 * 60 * 60 });
    const cli = await ctx.createUser();

    expect(await statusWith(fullDay)).toBe(200);
    expect(await statusWith(cli.token)).toBe(200);
  });

  it('accepts a token without iat whose exp lies within the cap, and refuses one beyond it', async () => {
    const withinCap = await sign({ iat: null, exp: nowSeconds() + 3600 });
    const beyondCap = await sign({ iat: null, exp: nowSeconds() + 25 * 60 * 60 });

    expect(await statusWith(withinCap)).toBe(200);
    expect(await statusWith(beyondCap)).toBe(401);
  });
});

describe('the Bearer scheme', () => {
  it('is matched case-insensitively', async () => {
    const user = await ctx.createUser();

    expect(await statusWith(user.token, 'bearer')).toBe(200);
    expect(await statusWith(user.token, 'BEARER')).toBe(200);
    expect(await statusWith(user.token, 'Basic')).toBe(401);
  });
});

describe('claims with unsafe text (R-SEC-4)', () => {
  it.each([
    ['a NUL in email', { email: 'a\u0000b@example.com' }],
    ['a lone surrogate in the name', { user_metadata: { full_name: 'Ada \uD800' } }],
    ['a NUL in the role', { role: 'admin\u0000' }],
  ])('answers 401 for %s and records no user', async (_what, claims) => {
    const sub = `unsafe-${String(Math.random()).slice(2, 10)}`;
    const token = await sign({ sub, exp: nowSeconds() + 3600, claims });

    const response = await ctx.request<ProblemBody>('GET', '/api/portfolios', { token });

    expect(response.status).toBe(401);
    expect(response.body.code).toBe('auth.invalid_token');
    const row = await ctx.deps.database.db
      .selectFrom('users')
      .select('id')
      .where('id', '=', sub)
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('answers 401 for a NUL in sub', async () => {
    const token = await sign({ sub: 'x\u0000y', exp: nowSeconds() + 3600 });

    expect(await statusWith(token)).toBe(401);
  });
});
