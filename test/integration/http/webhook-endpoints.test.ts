import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PageBody, ProblemBody } from '../../support/api-bodies.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

interface EndpointBody {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly secret?: string;
}

interface DeliveryBody {
  readonly id: string;
  readonly event: string;
  readonly status: string;
  readonly attemptCount: number;
  readonly lastStatusCode: number | null;
  readonly createdAt: string;
  readonly nextAttemptAt: string | null;
}

// Literal public addresses: creation checks them without DNS, and nothing is ever sent to
// them because no test here delivers.
const PUBLIC_URL = 'https://93.184.216.34/hooks/rolerabbit';
const OTHER_PUBLIC_URL = 'https://1.1.1.1/hooks/other';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

let ctx: TestContext;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  // The default wiring: customer URLs must reach public addresses only.
  ctx = await createTestContext();
  alice = await ctx.createUser();
  bob = await ctx.createUser();
});

afterAll(async () => {
  await ctx.close();
});

async function createEndpoint(user: TestUser, body: Record<string, unknown> = {}) {
  const response = await ctx.request<EndpointBody>('POST', '/api/webhook-endpoints', {
    token: user.token,
    body: { url: PUBLIC_URL, events: ['export.ready'], ...body },
  });
  expect(response.status).toBe(201);
  return response;
}

describe('webhook endpoints API', () => {
  it('creates an endpoint and shows its whsec_ secret only in that answer', async () => {
    const created = await createEndpoint(alice, {
      events: ['deployment.failed', 'export.ready', 'export.ready'],
    });

    const fetched = await ctx.request<EndpointBody>(
      'GET',
      `/api/webhook-endpoints/${created.body.id}`,
      { token: alice.token },
    );
    const listed = await ctx.request<PageBody<EndpointBody>>('GET', '/api/webhook-endpoints', {
      token: alice.token,
    });

    expect(created.body).toMatchObject({
      url: PUBLIC_URL,
      events: ['deployment.failed', 'export.ready'],
      enabled: true,
      disabledReason: null,
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.headers.get('location')).toBe(`/api/webhook-endpoints/${created.body.id}`);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(fetched.status).toBe(200);
    expect(fetched.body).not.toHaveProperty('secret');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
  });

  it('keeps only "*" when every event is asked for', async () => {
    const created = await createEndpoint(alice, { events: ['export.ready', '*'] });

    expect(created.body.events).toEqual(['*']);
  });

  it('rotates the secret: the answer shows a new one, which is what deliveries are signed with', async () => {
    const created = await createEndpoint(alice);

    const rotated = await ctx.request<EndpointBody>(
      'POST',
      `/api/webhook-endpoints/${created.body.id}/rotate-secret`,
      { token: alice.token },
    );

    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const stored = await ctx.deps.database.db
      .selectFrom('webhook_endpoints')
      .select('secret')
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret).toBe(rotated.body.secret);
  });

  it('updates URL and events, and re-enabling clears the disabled reason', async () => {
    const created = await createEndpoint(alice);
    await ctx.deps.database.db
      .updateTable('webhook_endpoints')
      .set({ enabled: false, disabled_reason: 'the receiver answered 410 Gone' })
      .where('id', '=', created.body.id)
      .execute();
    const path = `/api/webhook-endpoints/${created.body.id}`;

    const changed = await ctx.request<EndpointBody>('PATCH', path, {
      token: alice.token,
      body: { url: OTHER_PUBLIC_URL, events: ['deployment.succeeded'] },
    });
    const reenabled = await ctx.request<EndpointBody>('PATCH', path, {
      token: alice.token,
      body: { enabled: true },
    });
    const disabled = await ctx.request<EndpointBody>('PATCH', path, {
      token: alice.token,
      body: { enabled: false },
    });

    expect(changed.body).toMatchObject({
      url: OTHER_PUBLIC_URL,
      events: ['deployment.succeeded'],
      enabled: false,
      disabledReason: 'the receiver answered 410 Gone',
    });
    expect(reenabled.body).toMatchObject({ enabled: true, disabledReason: null });
    expect(disabled.body).toMatchObject({
      enabled: false,
      disabledReason: 'disabled by its owner',
    });
    expect(changed.body).not.toHaveProperty('secret');
  });

  it('deletes an endpoint, after which it is not found', async () => {
    const created = await createEndpoint(alice);
    const path = `/api/webhook-endpoints/${created.body.id}`;

    const deleted = await ctx.request('DELETE', path, { token: alice.token });
    const after = await ctx.request<ProblemBody>('GET', path, { token: alice.token });

    expect(deleted.status).toBe(204);
    expect(after.status).toBe(404);
    expect(after.body.code).toBe('webhook.endpoint_not_found');
  });

  it('lists endpoints newest first, by page and by cursor', async () => {
    const carol = await ctx.createUser();
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      ids.push((await createEndpoint(carol)).body.id);
    }

    const first = await ctx.request<PageBody<EndpointBody>>(
      'GET',
      '/api/webhook-endpoints?limit=2',
      { token: carol.token },
    );
    const next = await ctx.request<PageBody<EndpointBody>>(
      'GET',
      `/api/webhook-endpoints?limit=2&cursor=${first.body.pagination.nextCursor ?? ''}`,
      { token: carol.token },
    );

    expect(first.body.data.map((endpoint) => endpoint.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.pagination).toMatchObject({ total: 3, hasNext: true, page: 1 });
    expect(next.body.data.map((endpoint) => endpoint.id)).toEqual([ids[0]]);
    expect(next.body.pagination.hasNext).toBe(false);
  });

  it("lists an endpoint's deliveries newest first with their attempt counts", async () => {
    const dave = await ctx.createUser();
    const created = await createEndpoint(dave, { events: ['*'] });
    const dispatch = (event: 'export.ready' | 'deployment.failed') =>
      ctx.deps.webhookDeliveries.dispatchEvent({ ownerId: dave.id, event, data: {} });
    const [older] = await dispatch('export.ready');
    const [newer] = await dispatch('deployment.failed');
    await ctx.deps.database.db
      .updateTable('webhook_deliveries')
      .set({ attempt_count: 2, last_status_code: 503 })
      .where('id', '=', older!)
      .execute();

    const response = await ctx.request<PageBody<DeliveryBody>>(
      'GET',
      `/api/webhook-endpoints/${created.body.id}/deliveries?limit=1`,
      { token: dave.token },
    );
    const rest = await ctx.request<PageBody<DeliveryBody>>(
      'GET',
      `/api/webhook-endpoints/${created.body.id}/deliveries?page=2&limit=1`,
      { token: dave.token },
    );

    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([
      expect.objectContaining({
        id: newer,
        event: 'deployment.failed',
        status: 'pending',
        attemptCount: 0,
        nextAttemptAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      }),
    ]);
    expect(response.body.pagination).toMatchObject({ total: 2, hasNext: true });
    expect(rest.body.data).toEqual([
      expect.objectContaining({ id: older, attemptCount: 2, lastStatusCode: 503 }),
    ]);
  });
});

describe('webhook URL policy (SSRF)', () => {
  const forbidden = /^resolves to a private or reserved address$/;
  it.each([
    ['http://127.0.0.1:8080/hook', forbidden],
    ['http://[::ffff:127.0.0.1]/hook', forbidden],
    ['http://169.254.169.254/latest/meta-data', forbidden],
    ['http://10.0.0.1/hook', forbidden],
    ['http://[fd00::1]/hook', forbidden],
    ['https://user:secret@93.184.216.34/hook', /must not contain credentials/],
    ['https://trusted.example@93.184.216.34/hook', /must not contain credentials/],
    ['https://@93.184.216.34/hook', /must not contain credentials/],
  ])('refuses %s with a field error on url', async (url, reason) => {
    const response = await ctx.request<ProblemBody>('POST', '/api/webhook-endpoints', {
      token: alice.token,
      body: { url, events: ['export.ready'] },
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors).toEqual([
      { path: 'url', message: expect.stringMatching(reason) as unknown },
    ]);
  });

  it('does not tell where a refused host name resolves (R-SEC-7)', async () => {
    const response = await ctx.request<ProblemBody>('POST', '/api/webhook-endpoints', {
      token: alice.token,
      body: { url: 'http://localhost:8080/hook', events: ['export.ready'] },
    });

    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('The webhook URL resolves to a private or reserved address.');
    expect(response.body.errors).toEqual([
      { path: 'url', message: 'resolves to a private or reserved address' },
    ]);
    expect(JSON.stringify(response.body)).not.toMatch(/127\.0\.0\.1|::1|loopback/);
  });

  it('refuses a non-http scheme and an unknown event as invalid input', async () => {
    const response = await ctx.request<ProblemBody>('POST', '/api/webhook-endpoints', {
      token: alice.token,
      body: { url: 'ftp://93.184.216.34/hook', events: ['portfolio.stolen'] },
    });

    expect(response.status).toBe(400);
    expect(response.body.errors?.map((issue) => issue.path).sort()).toEqual([
      'body.events.0',
      'body.url',
    ]);
  });

  it('applies the same policy when the URL is changed', async () => {
    const created = await createEndpoint(alice);

    const response = await ctx.request<ProblemBody>(
      'PATCH',
      `/api/webhook-endpoints/${created.body.id}`,
      { token: alice.token, body: { url: 'http://192.168.1.1/hook' } },
    );

    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.path).toBe('url');
  });
});

describe('webhook endpoints authorization', () => {
  let aliceEndpoint: EndpointBody;

  beforeAll(async () => {
    aliceEndpoint = (await createEndpoint(alice)).body;
  });

  const routesOn = (id: string): [string, string, unknown?][] => [
    ['GET', `/api/webhook-endpoints/${id}`],
    ['PATCH', `/api/webhook-endpoints/${id}`, { enabled: false }],
    ['PATCH', `/api/webhook-endpoints/${id}`, { url: 'http://127.0.0.1/' }],
    ['DELETE', `/api/webhook-endpoints/${id}`],
    ['POST', `/api/webhook-endpoints/${id}/rotate-secret`],
    ['GET', `/api/webhook-endpoints/${id}/deliveries`],
    ['POST', `/api/webhook-endpoints/${id}/deliveries/${MISSING_ID}/redeliver`],
    ['POST', `/api/webhook-endpoints/${id}/test`],
  ];

  it.each(routesOn('__ID__'))(
    "gives another user 404 on %s %s of someone else's endpoint",
    async (method, template, body) => {
      const path = template.replace('__ID__', aliceEndpoint.id);

      const theirs = await ctx.request<ProblemBody>(method, path, { token: bob.token, body });
      const missing = await ctx.request<ProblemBody>(
        method,
        template.replace('__ID__', MISSING_ID),
        { token: bob.token, body },
      );

      expect(theirs.status).toBe(404);
      expect(theirs.body.code).toBe('webhook.endpoint_not_found');
      expect(theirs.body.detail).toBe(missing.body.detail);
    },
  );

  it("leaves the owner's endpoint and secret untouched after the other user's attempts", async () => {
    const stored = await ctx.deps.database.db
      .selectFrom('webhook_endpoints')
      .select(['enabled', 'secret'])
      .where('id', '=', aliceEndpoint.id)
      .executeTakeFirstOrThrow();

    expect(stored).toEqual({ enabled: true, secret: aliceEndpoint.secret });
  });

  it("does not list one user's endpoints to another", async () => {
    const response = await ctx.request<PageBody<EndpointBody>>('GET', '/api/webhook-endpoints', {
      token: bob.token,
    });

    expect(response.body.data.map((endpoint) => endpoint.id)).not.toContain(aliceEndpoint.id);
  });

  it.each([
    ...routesOn('__ID__'),
    ['GET', '/api/webhook-endpoints'],
    ['POST', '/api/webhook-endpoints', { url: PUBLIC_URL, events: ['*'] }],
  ] as [string, string, unknown?][])(
    'answers 401 without a token on %s %s',
    async (method, template, body) => {
      const response = await ctx.request<ProblemBody>(
        method,
        template.replace('__ID__', aliceEndpoint.id),
        { body },
      );

      expect(response.status).toBe(401);
      expect(response.body.code).toBe('auth.missing_token');
    },
  );

  it('documents every route in the OpenAPI document', async () => {
    const response = await ctx.request<{ paths: Record<string, unknown> }>('GET', '/openapi.json');

    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/webhook-endpoints',
        '/api/webhook-endpoints/{id}',
        '/api/webhook-endpoints/{id}/rotate-secret',
        '/api/webhook-endpoints/{id}/deliveries',
        '/api/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver',
        '/api/webhook-endpoints/{id}/test',
      ]),
    );
  });
});
