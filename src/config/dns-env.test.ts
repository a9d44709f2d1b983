import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { buildDnsConfig, dnsEnvShape, isResolverAddress } from './dns-env.ts';

const schema = z.object(dnsEnvShape);

function build(env: Record<string, string>) {
  return buildDnsConfig(schema.parse(env));
}

describe(buildDnsConfig.name, () => {
  it('defaults to the local provider with no problems', () => {
    const { config, problems } = build({});

    expect(problems).toEqual([]);
    expect(config).toEqual({
      provider: 'local',
      cloudflare: undefined,
      resolverAddress: undefined,
      siteTarget: undefined,
    });
  });

  it('reports one problem per missing Cloudflare variable', () => {
    const { problems } = build({ DNS_PROVIDER: 'cloudflare' });

    expect(problems.map((p) => p.variable)).toEqual(['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ZONE_ID']);
    expect(problems[0]?.message).toContain('DNS_PROVIDER=cloudflare');
  });

  it('reports only the variable that is missing', () => {
    const { problems } = build({ DNS_PROVIDER: 'cloudflare', CLOUDFLARE_API_TOKEN: 'token' });

    expect(problems.map((p) => p.variable)).toEqual(['CLOUDFLARE_ZONE_ID']);
  });

  it('builds the Cloudflare settings with the default API URL', () => {
    const { config, problems } = build({
      DNS_PROVIDER: 'cloudflare',
      CLOUDFLARE_API_TOKEN: 'token',
      CLOUDFLARE_ZONE_ID: '023e105f4ecef8ad9ca31a8372d0c353',
      DNS_RESOLVER: '127.0.0.1:5353',
      DNS_SITE_TARGET: 'sites.rolerabbit.com',
    });

    expect(problems).toEqual([]);
    expect(config).toEqual({
      provider: 'cloudflare',
      cloudflare: {
        apiToken: 'token',
        zoneId: '023e105f4ecef8ad9ca31a8372d0c353',
        apiUrl: 'https://api.cloudflare.com/client/v4',
      },
      resolverAddress: '127.0.0.1:5353',
      siteTarget: 'sites.rolerabbit.com',
    });
  });

  it('ignores Cloudflare credentials while DNS_PROVIDER=local is set explicitly', () => {
    const { config, problems } = build({
      DNS_PROVIDER: 'local',
      CLOUDFLARE_API_TOKEN: 'token',
      CLOUDFLARE_ZONE_ID: 'abc',
    });

    expect(problems).toEqual([]);
    expect(config.provider).toBe('local');
    expect(config.cloudflare).toBeUndefined();
  });

  it("selects Cloudflare from the guide's variables when no provider is set (R-PLAT-6)", () => {
    const { config, problems } = build({
      CLOUDFLARE_API_TOKEN: 'token',
      CLOUDFLARE_ZONE_ID: 'abc',
    });

    expect(problems).toEqual([]);
    expect(config.provider).toBe('cloudflare');
    expect(config.cloudflare).toMatchObject({ apiToken: 'token', zoneId: 'abc' });
  });

  it('names the missing variable when only half of the Cloudflare settings are present', () => {
    const { problems } = build({ CLOUDFLARE_API_TOKEN: 'token' });

    expect(problems).toEqual([
      {
        variable: 'CLOUDFLARE_ZONE_ID',
        message: expect.stringMatching(
          /CLOUDFLARE_API_TOKEN is set.*needs CLOUDFLARE_ZONE_ID/,
        ) as unknown,
      },
    ]);
  });

  it('rejects an unknown provider, a host-name resolver and an upper-case site target', () => {
    const result = schema.safeParse({
      DNS_PROVIDER: 'route53',
      DNS_RESOLVER: 'dns.google:53',
      DNS_SITE_TARGET: 'Sites.Example.com',
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0]).sort()).toEqual([
      'DNS_PROVIDER',
      'DNS_RESOLVER',
      'DNS_SITE_TARGET',
    ]);
  });
});

describe(isResolverAddress.name, () => {
  it.each(['1.1.1.1', '1.1.1.1:53', '::1', '[::1]:5353', '[2606:4700::1111]'])(
    'accepts %s',
    (value) => {
      expect(isResolverAddress(value)).toBe(true);
    },
  );

  it.each(['dns.google', '1.1.1.1:0', '1.1.1.1:70000', '[1.1.1.1]:53', '300.1.1.1', ''])(
    'rejects %s',
    (value) => {
      expect(isResolverAddress(value)).toBe(false);
    },
  );
});
