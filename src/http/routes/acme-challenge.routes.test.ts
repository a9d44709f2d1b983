import { describe, expect, it } from 'vitest';

import type { AcmeChallengeStore } from '../../integrations/ssl/acme-challenge-store.ts';
import { acmeChallengeRoutes } from './acme-challenge.routes.ts';

function createRecordingStore(entries: Record<string, string>) {
  const lookups: string[] = [];
  const store: AcmeChallengeStore = {
    set: () => Promise.resolve(),
    find(token) {
      lookups.push(token);
      return Promise.resolve(entries[token]);
    },
    remove: () => Promise.resolve(),
  };
  return { store, lookups };
}

describe(acmeChallengeRoutes.name, () => {
  it('answers a known token with its key authorization as text/plain', async () => {
    const { store } = createRecordingStore({ 'tok_EN-1': 'tok_EN-1.thumbprint' });
    const app = acmeChallengeRoutes({ challenges: store });

    const response = await app.request('/.well-known/acme-challenge/tok_EN-1');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toBe('tok_EN-1.thumbprint');
  });

  it('answers 404 for a token it does not hold', async () => {
    const { store, lookups } = createRecordingStore({ known: 'known.thumbprint' });
    const app = acmeChallengeRoutes({ challenges: store });

    const response = await app.request('/.well-known/acme-challenge/unknown');

    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('thumbprint');
    expect(lookups).toEqual(['unknown']);
  });

  it('answers 404 for a malformed token without looking it up', async () => {
    const { store, lookups } = createRecordingStore({ 'a.b': 'leak' });
    const app = acmeChallengeRoutes({ challenges: store });

    const response = await app.request('/.well-known/acme-challenge/a.b');

    expect(response.status).toBe(404);
    expect(lookups).toEqual([]);
  });
});
