import { describe, expect, it } from 'vitest';

import { createClientIpResolver } from './client-ip.ts';

const PROXY = '10.0.0.5';
const CLOUDFLARE_EDGE = '173.245.48.10';
const resolve = createClientIpResolver({ trustedProxies: ['10.0.0.0/24', '173.245.48.0/20'] });

describe(createClientIpResolver.name, () => {
  describe('when the peer is not a trusted proxy', () => {
    it('uses the peer address and ignores every forwarding header', () => {
      const headers = {
        'cf-connecting-ip': '1.1.1.1',
        'x-forwarded-for': '2.2.2.2',
        'x-real-ip': '3.3.3.3',
      };

      expect(resolve('81.2.69.160', headers)).toBe('81.2.69.160');
    });

    it('ignores a spoofed x-real-ip from an untrusted peer', () => {
      expect(resolve('81.2.69.160', { 'x-real-ip': '8.8.8.8' })).toBe('81.2.69.160');
    });

    it('trusts nothing when no proxies are configured', () => {
      const resolveDirect = createClientIpResolver({ trustedProxies: [] });

      expect(resolveDirect('10.0.0.5', { 'x-forwarded-for': '8.8.8.8' })).toBe('10.0.0.5');
    });

    it('unwraps an IPv4-mapped peer address', () => {
      expect(resolve('::ffff:81.2.69.160', {})).toBe('81.2.69.160');
    });

    it('answers undefined for a malformed peer address', () => {
      expect(resolve('unknown', {})).toBeUndefined();
    });
  });

  describe('when the peer is a trusted proxy', () => {
    it('prefers cf-connecting-ip', () => {
      const headers = { 'cf-connecting-ip': '81.2.69.160', 'x-forwarded-for': '9.9.9.9' };

      expect(resolve(PROXY, headers)).toBe('81.2.69.160');
    });

    it('recognises a mapped peer as the trusted proxy', () => {
      expect(resolve(`::ffff:${PROXY}`, { 'cf-connecting-ip': '81.2.69.160' })).toBe('81.2.69.160');
    });

    it('falls back to x-forwarded-for when cf-connecting-ip is not an IP', () => {
      const headers = { 'cf-connecting-ip': 'evil', 'x-forwarded-for': '81.2.69.160' };

      expect(resolve(PROXY, headers)).toBe('81.2.69.160');
    });

    it('takes the rightmost untrusted x-forwarded-for entry, not a spoofed leftmost one', () => {
      const headers = { 'x-forwarded-for': `8.8.8.8, 81.2.69.160, ${CLOUDFLARE_EDGE}` };

      expect(resolve(PROXY, headers)).toBe('81.2.69.160');
    });

    it('skips every trusted hop, whatever its position', () => {
      const headers = { 'x-forwarded-for': `81.2.69.160,10.0.0.9 , ${CLOUDFLARE_EDGE}` };

      expect(resolve(PROXY, headers)).toBe('81.2.69.160');
    });

    it('answers undefined when the nearest untrusted hop is garbage', () => {
      const headers = { 'x-forwarded-for': '8.8.8.8, not-an-ip, 10.0.0.9' };

      expect(resolve(PROXY, headers)).toBeUndefined();
    });

    it('returns the furthest hop when every hop is one of our proxies', () => {
      expect(resolve(PROXY, { 'x-forwarded-for': '10.0.0.7, 10.0.0.8' })).toBe('10.0.0.7');
    });

    it('accepts hops with ports and bracketed IPv6', () => {
      expect(resolve(PROXY, { 'x-forwarded-for': '81.2.69.160:51234' })).toBe('81.2.69.160');
      expect(resolve(PROXY, { 'x-forwarded-for': '[2001:4860::8888]:443' })).toBe(
        '2001:4860::8888',
      );
    });

    it('reads repeated x-forwarded-for headers as one list', () => {
      const headers = { 'x-forwarded-for': ['8.8.8.8', '81.2.69.160'] };

      expect(resolve(PROXY, headers)).toBe('81.2.69.160');
    });

    it('uses x-real-ip when there is no x-forwarded-for', () => {
      expect(resolve(PROXY, { 'x-real-ip': '81.2.69.160' })).toBe('81.2.69.160');
    });

    it('falls back to the proxy itself without usable headers', () => {
      expect(resolve(PROXY, { 'x-real-ip': 'nope' })).toBe(PROXY);
    });

    it('reads a fetch Headers object, whatever the header case', () => {
      const headers = new Headers({ 'X-Forwarded-For': '8.8.8.8, 81.2.69.160' });

      expect(resolve(PROXY, headers)).toBe('81.2.69.160');
    });

    it('reads a plain record with upper-case names', () => {
      expect(resolve(PROXY, { 'CF-Connecting-IP': '81.2.69.160' })).toBe('81.2.69.160');
    });

    it('ignores a doubled cf-connecting-ip rather than picking one', () => {
      const headers = new Headers();
      headers.append('cf-connecting-ip', '8.8.8.8');
      headers.append('cf-connecting-ip', '9.9.9.9');
      headers.set('x-forwarded-for', '81.2.69.160');

      expect(resolve(PROXY, headers)).toBe('81.2.69.160');
    });
  });

  it('refuses an invalid trusted proxy entry at construction', () => {
    expect(() => createClientIpResolver({ trustedProxies: ['10.0.0.0/40'] })).toThrow();
  });
});
