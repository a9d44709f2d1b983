import { afterEach, describe, expect, it } from 'vitest';

import { createIpapiGeolocation } from '../../../../src/integrations/geolocation/ipapi-geolocation.ts';
import { createIpgeolocationGeolocation } from '../../../../src/integrations/geolocation/ipgeolocation-geolocation.ts';
import { createIpstackGeolocation } from '../../../../src/integrations/geolocation/ipstack-geolocation.ts';
import {
  QUOTA_COOL_DOWN_MS,
  RATE_LIMIT_COOL_DOWN_MS,
} from '../../../../src/integrations/geolocation/quota-exhausted.ts';
import {
  IntegrationFailure,
  IntegrationUnavailableError,
} from '../../../../src/integrations/resilience/integration-errors.ts';
import {
  type GeoProviderServer,
  type GeoProviderServerOptions,
  startGeoProviderServer,
} from '../../../support/stand-ins/geo-provider-server.ts';
import {
  CLOUDFLARE_DNS,
  createGeolocationIntegration,
  GOOGLE_DNS,
  GOOGLE_DNS_V6,
} from './geolocation-test-support.ts';

const LOCATIONS = {
  [GOOGLE_DNS]: { country: 'us', region: 'California', city: 'Mountain View' },
  [GOOGLE_DNS_V6]: { country: 'US', region: 'California', city: 'Mountain View' },
};

const servers: GeoProviderServer[] = [];

async function standIn(options: GeoProviderServerOptions): Promise<GeoProviderServer> {
  const server = await startGeoProviderServer({ locations: LOCATIONS, ...options });
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the lookup to fail');
}

describe('ipapi.co adapter', () => {
  async function setUp(options: Partial<GeoProviderServerOptions> = {}, apiKey?: string) {
    const server = await standIn({ vendor: 'ipapi', ...options });
    const integration = createGeolocationIntegration();
    const geolocation = createIpapiGeolocation({
      apiKey,
      baseUrl: `${server.url}/`,
      call: integration.call,
    });
    return { server, integration, geolocation };
  }

  it('maps country_code, region and city, sending the key in the documented URL', async () => {
    const { server, geolocation } = await setUp({ apiKey: 'ipapi-key' }, 'ipapi-key');

    const found = await geolocation.locate(GOOGLE_DNS);

    expect(found).toEqual({
      countryCode: 'US',
      region: 'California',
      city: 'Mountain View',
      source: 'ipapi',
    });
    expect(server.requests).toEqual([`/${GOOGLE_DNS}/json/?key=ipapi-key`]);
  });

  it('works keyless and puts IPv6 addresses in the path', async () => {
    const { server, geolocation } = await setUp();

    await expect(geolocation.locate(GOOGLE_DNS_V6)).resolves.toMatchObject({ countryCode: 'US' });
    expect(server.requests).toEqual([`/${GOOGLE_DNS_V6}/json/`]);
  });

  it('answers undefined for its "Reserved IP Address" error and for unknown addresses', async () => {
    const { geolocation } = await setUp({ reserved: [CLOUDFLARE_DNS] });

    await expect(geolocation.locate(CLOUDFLARE_DNS)).resolves.toBeUndefined();
    await expect(geolocation.locate('81.2.69.160')).resolves.toBeUndefined();
  });

  it.each([429, 200])(
    'turns RateLimited (HTTP %i) into a quota failure that asks for a pause',
    async (quotaStatus) => {
      const { server, integration, geolocation } = await setUp({ quotaStatus });
      server.setMode('quota');

      const err = await failureOf(geolocation.locate(GOOGLE_DNS));

      expect(err).toBeInstanceOf(IntegrationFailure);
      expect(err).toMatchObject({ kind: 'rejected', status: 429 });
      expect((err as IntegrationFailure).retryAfterMs).toBe(
        quotaStatus === 429 ? RATE_LIMIT_COOL_DOWN_MS : QUOTA_COOL_DOWN_MS,
      );
      expect(integration.breaker.snapshot().failures).toBe(0);
    },
  );

  it('rejects a wrong key without counting it against the breaker', async () => {
    const { integration, geolocation } = await setUp({ apiKey: 'right' }, 'wrong');

    const err = await failureOf(geolocation.locate(GOOGLE_DNS));

    expect(err).toMatchObject({ kind: 'rejected', status: 403 });
    expect(integration.breaker.snapshot().failures).toBe(0);
  });

  it('reports a 500 as the integration being unavailable', async () => {
    const { server, integration, geolocation } = await setUp();
    server.setMode('down');

    await expect(geolocation.locate(GOOGLE_DNS)).rejects.toBeInstanceOf(
      IntegrationUnavailableError,
    );
    expect(integration.breaker.snapshot().failures).toBe(1);
  });

  it('sends nothing for private, loopback or malformed addresses', async () => {
    const { server, geolocation } = await setUp();

    for (const ip of ['10.1.2.3', '127.0.0.1', '::1', 'fe80::1', 'garbage', '8.8.8.8/../x']) {
      await expect(geolocation.locate(ip)).resolves.toBeUndefined();
    }
    expect(server.requests).toEqual([]);
  });
});

describe('ipstack adapter', () => {
  async function setUp(apiKey = 'stack-key') {
    const server = await standIn({ vendor: 'ipstack', apiKey: 'stack-key' });
    const integration = createGeolocationIntegration();
    const geolocation = createIpstackGeolocation({
      apiKey,
      baseUrl: server.url,
      call: integration.call,
    });
    return { server, integration, geolocation };
  }

  it('maps country_code, region_name and city, sending access_key', async () => {
    const { server, geolocation } = await setUp();

    const found = await geolocation.locate(GOOGLE_DNS);

    expect(found).toEqual({
      countryCode: 'US',
      region: 'California',
      city: 'Mountain View',
      source: 'ipstack',
    });
    expect(server.requests).toEqual([`/${GOOGLE_DNS}?access_key=stack-key`]);
  });

  it('answers undefined when the country is null', async () => {
    const { geolocation } = await setUp();

    await expect(geolocation.locate('81.2.69.160')).resolves.toBeUndefined();
  });

  it('rejects the invalid-key error that arrives inside HTTP 200', async () => {
    const { integration, geolocation } = await setUp('not-the-key');

    const err = await failureOf(geolocation.locate(GOOGLE_DNS));

    expect(err).toBeInstanceOf(IntegrationFailure);
    expect(err).toMatchObject({ kind: 'rejected' });
    expect((err as Error).message).toContain('101 invalid_access_key');
    expect(integration.breaker.snapshot().failures).toBe(0);
  });

  it('turns usage_limit_reached (104) into a quota failure that never opens the shared breaker', async () => {
    const { server, integration, geolocation } = await setUp();
    server.setMode('quota');

    for (let lookup = 0; lookup < 6; lookup += 1) {
      const err = await failureOf(geolocation.locate(GOOGLE_DNS));
      expect(err).toMatchObject({ kind: 'rejected', retryAfterMs: QUOTA_COOL_DOWN_MS });
    }

    expect(integration.breaker.snapshot().state).toBe('closed');
    expect(server.requests).toHaveLength(6);
  });
});

describe('ipgeolocation.io adapter', () => {
  async function setUp(options: Partial<GeoProviderServerOptions> = {}, apiKey = 'geo-key') {
    const server = await standIn({ vendor: 'ipgeolocation', apiKey: 'geo-key', ...options });
    const integration = createGeolocationIntegration();
    const geolocation = createIpgeolocationGeolocation({
      apiKey,
      baseUrl: server.url,
      call: integration.call,
    });
    return { server, integration, geolocation };
  }

  it.each([false, true])(
    'maps country_code2, state_prov and city (fields nested under location: %s)',
    async (nested) => {
      const { server, geolocation } = await setUp({ nested });

      const found = await geolocation.locate(GOOGLE_DNS);

      expect(found).toEqual({
        countryCode: 'US',
        region: 'California',
        city: 'Mountain View',
        source: 'ipgeolocation',
      });
      expect(server.requests).toEqual([`/ipgeo?apiKey=geo-key&ip=${GOOGLE_DNS}`]);
    },
  );

  it('answers undefined for its 404 (not in database) and 423 (bogon) replies', async () => {
    const { geolocation } = await setUp({ reserved: [CLOUDFLARE_DNS] });

    await expect(geolocation.locate('81.2.69.160')).resolves.toBeUndefined();
    await expect(geolocation.locate(CLOUDFLARE_DNS)).resolves.toBeUndefined();
  });

  it('rejects a wrong key (401)', async () => {
    const { integration, geolocation } = await setUp({}, 'wrong');

    await expect(geolocation.locate(GOOGLE_DNS)).rejects.toMatchObject({
      kind: 'rejected',
      status: 401,
    });
    expect(integration.breaker.snapshot().failures).toBe(0);
  });

  it('turns its 429 into a quota failure', async () => {
    const { server, geolocation } = await setUp();
    server.setMode('quota');

    await expect(geolocation.locate(GOOGLE_DNS)).rejects.toMatchObject({
      kind: 'rejected',
      retryAfterMs: RATE_LIMIT_COOL_DOWN_MS,
    });
  });
});
