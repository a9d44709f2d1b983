import { describe, expect, it } from 'vitest';

import {
  parseSiteHost,
  type SiteAddress,
  siteHostName,
  siteUrlForHost,
  subdomainHost,
} from './site-address.ts';

const local: SiteAddress = { baseDomain: 'localhost', publicUrl: 'http://localhost:3000' };
const production: SiteAddress = {
  baseDomain: 'rolerabbit.com',
  publicUrl: 'https://api.rolerabbit.com',
};

describe('parseSiteHost (R-PLAT-3)', () => {
  it('reads a direct child of the base domain as a subdomain site, port or not', () => {
    expect(parseSiteHost(local, 'jane.localhost:3000')).toEqual({
      kind: 'subdomain',
      subdomain: 'jane',
    });
    expect(parseSiteHost(production, 'jane.rolerabbit.com')).toEqual({
      kind: 'subdomain',
      subdomain: 'jane',
    });
  });

  it('ignores case, surrounding spaces and a trailing root dot', () => {
    expect(parseSiteHost(local, '  Jane.LocalHost.:3000 ')).toEqual({
      kind: 'subdomain',
      subdomain: 'jane',
    });
  });

  it('leaves the API host alone even when it sits under the base domain', () => {
    expect(parseSiteHost(local, 'localhost:3000')).toBeUndefined();
    expect(parseSiteHost(local, 'localhost')).toBeUndefined();
    expect(parseSiteHost(production, 'api.rolerabbit.com')).toBeUndefined();
    expect(parseSiteHost(production, 'rolerabbit.com')).toBeUndefined();
  });

  it('does not treat grandchildren of the base domain as sites', () => {
    expect(parseSiteHost(production, 'a.jane.rolerabbit.com')).toBeUndefined();
  });

  it('reads any other dotted name as a custom domain candidate', () => {
    expect(parseSiteHost(production, 'Portfolio.Example.org:443')).toEqual({
      kind: 'custom',
      domain: 'portfolio.example.org',
    });
  });

  it('keeps IP addresses and single-label names for the API (probes, containers)', () => {
    expect(parseSiteHost(local, '127.0.0.1:3000')).toBeUndefined();
    expect(parseSiteHost(local, '10.0.0.12')).toBeUndefined();
    expect(parseSiteHost(local, '[::1]:3000')).toBeUndefined();
    expect(parseSiteHost(local, 'api-server:3000')).toBeUndefined();
  });

  it('refuses a missing or malformed Host header', () => {
    for (const header of [
      undefined,
      '',
      'jane..localhost',
      '-jane.localhost',
      'ja_ne.localhost',
      'user@jane.localhost',
      'jane.localhost:port',
      'jane.localhost/path',
      `${'a'.repeat(64)}.localhost`,
      `${'a.'.repeat(130)}com`,
    ]) {
      expect(parseSiteHost(local, header), String(header)).toBeUndefined();
    }
  });
});

describe('site host names and URLs', () => {
  it('names a subdomain site by its full host and a custom domain by itself', () => {
    expect(subdomainHost(production, 'Jane')).toBe('jane.rolerabbit.com');
    expect(siteHostName(local, { kind: 'subdomain', subdomain: 'jane' })).toBe('jane.localhost');
    expect(siteHostName(local, { kind: 'custom', domain: 'jane.example.org' })).toBe(
      'jane.example.org',
    );
  });

  it("reuses the public URL's scheme and port", () => {
    expect(siteUrlForHost(local, 'jane.localhost')).toBe('http://jane.localhost:3000/');
    expect(siteUrlForHost(production, 'Jane.Example.org')).toBe('https://jane.example.org/');
  });
});
