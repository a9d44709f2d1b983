import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEVELOPMENT_JWT_SECRET } from '../../../src/config/auth-env.ts';
import { signDevelopmentToken } from '../../../src/http/auth/sign-development-token.ts';
import type { ProblemBody } from '../../support/api-bodies.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const ISSUER = 'https://identity.test/auth/v1';
const AUDIENCE = 'authenticated';

let keyServer: Server;
let jwksUrl: string;
let signingKey: SigningKey;
let ctx: TestContext;
let unreachable: TestContext;

/** A stand-in identity provider: serves one ES256 public key as a JWKS document. */
async function startKeyServer(publicJwk: JWK): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function sign(
  claims: Record<string, unknown>,
  options: { issuer?: string; key?: SigningKey } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
    .setSubject('jwks-user-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime('10m')
    .sign(options.key ?? signingKey);
}

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  signingKey = privateKey;
  keyServer = await startKeyServer({ ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'ES256' });
  jwksUrl = `http://127.0.0.1:${String((keyServer.address() as AddressInfo).port)}/.well-known/jwks.json`;
  ctx = await createTestContext({
    AUTH_JWKS_URL: jwksUrl,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  });
  unreachable = await createTestContext({ AUTH_JWKS_URL: 'http://127.0.0.1:1/jwks.json' });
});

afterAll(async () => {
  await Promise.all([ctx.close(), unreachable.close()]);
  keyServer.close();
});

describe('JWKS verification (R-PLAT-2)', () => {
  it('accepts a token signed by a key from the key set and records the user', async () => {
    const token = await sign({ email: 'jwks@example.com', role: 'admin' });

    const response = await ctx.request<{ id: string; email: string; isAdmin: boolean }>(
      'GET',
      '/api/me',
      { token },
    );

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: 'jwks-user-1', email: 'jwks@example.com', isAdmin: true });
  });

  it('refuses a token from the wrong issuer or signed by an unknown key', async () => {
    const stranger = await generateKeyPair('ES256');
    const tokens = [
      await sign({ email: 'a@example.com' }, { issuer: 'https://evil.test' }),
      await sign({ email: 'a@example.com' }, { key: stranger.privateKey }),
    ];

    for (const token of tokens) {
      const response = await ctx.request<ProblemBody>('GET', '/api/me', { token });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('auth.invalid_token');
    }
  });

  it('refuses an HS256 token once a key set is configured (no algorithm confusion)', async () => {
    const token = await signDevelopmentToken(DEVELOPMENT_JWT_SECRET, {
      sub: 'x',
      email: 'x@example.com',
    });

    const response = await ctx.request<ProblemBody>('GET', '/api/me', { token });

    expect(response.status).toBe(401);
  });

  it('answers 503, not 401, when the key set cannot be fetched', async () => {
    const token = await sign({ email: 'a@example.com' });

    const response = await unreachable.request<ProblemBody>('GET', '/api/me', { token });

    expect(response.status).toBe(503);
    expect(response.body.code).toBe('dependency.unavailable');
  });
});
