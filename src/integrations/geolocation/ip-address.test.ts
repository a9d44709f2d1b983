import { describe, expect, it } from 'vitest';

import {
  createAddressSet,
  isPublicAddress,
  normaliseIpAddress,
  parseIpAddress,
  publicAddressOf,
} from './ip-address.ts';

describe(parseIpAddress.name, () => {
  it.each([
    ['8.8.8.8', '8.8.8.8', 4],
    ['::ffff:8.8.8.8', '8.8.8.8', 4],
    ['::FFFF:127.0.0.1', '127.0.0.1', 4],
    ['::ffff:0808:0808', '8.8.8.8', 4],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', 6],
    ['2001:4860:4860:0000:0000:0000:0000:8888', '2001:4860:4860::8888', 6],
    ['fe80::1%eth0', 'fe80::1', 6],
    ['::', '::', 6],
  ] as const)('reads %s as %s (IPv%i)', (input, address, version) => {
    expect(parseIpAddress(input)).toEqual({ address, version });
  });

  it.each([
    '',
    'localhost',
    '1.2.3',
    '256.1.1.1',
    '01.2.3.4',
    ' 8.8.8.8',
    '8.8.8.8:443',
    '[::1]',
    '1::2::3',
    '8.8.8.8/32',
    '../../etc/passwd',
    '1'.repeat(70),
  ])('rejects %j', (input) => {
    expect(parseIpAddress(input)).toBeUndefined();
  });

  it('gives the canonical text via normaliseIpAddress', () => {
    expect(normaliseIpAddress('2606:4700:4700:0:0:0:0:1111')).toBe('2606:4700:4700::1111');
    expect(normaliseIpAddress('nonsense')).toBeUndefined();
  });
});

describe(isPublicAddress.name, () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '81.2.69.160',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '198.17.255.255',
    '223.255.255.255',
    '::ffff:8.8.8.8',
    '2001:4860:4860::8888',
    '2606:4700:4700::1111',
    '2a00:1450:4001::1',
  ])('accepts the public address %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.255', 'private 172.16/12'],
    ['192.168.1.1', 'private 192.168/16'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.1', 'loopback'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['192.0.0.8', 'IETF assignments'],
    ['192.0.2.10', 'TEST-NET-1'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.99', 'TEST-NET-3'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['192.88.99.1', '6to4 relay'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:192.168.0.1', 'mapped private'],
    ['::ffff:127.0.0.1', 'mapped loopback'],
    ['::', 'IPv6 unspecified'],
    ['::1', 'IPv6 loopback'],
    ['fe80::1', 'IPv6 link-local'],
    ['febf:ffff::1', 'IPv6 link-local upper end'],
    ['fe80::1%eth0', 'IPv6 link-local with zone'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['3fff::1', 'IPv6 documentation (RFC 9637)'],
    ['2001::1', 'Teredo'],
    ['2002:c000:0204::1', '6to4'],
    ['64:ff9b::808:808', 'NAT64'],
    ['100::1', 'discard-only'],
    ['::8.8.8.8', 'IPv4-compatible (deprecated)'],
    ['not-an-ip', 'malformed'],
    ['', 'empty'],
  ])('refuses %s (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it('returns the canonical address only when it is public', () => {
    expect(publicAddressOf('::ffff:8.8.4.4')).toBe('8.8.4.4');
    expect(publicAddressOf('10.1.2.3')).toBeUndefined();
  });
});

describe(createAddressSet.name, () => {
  const has = (entries: string[], ip: string) => {
    const parsed = parseIpAddress(ip);
    if (parsed === undefined) {
      throw new Error(`bad test address ${ip}`);
    }
    return createAddressSet(entries).has(parsed);
  };

  it('matches single addresses and CIDR blocks of both families', () => {
    const entries = ['203.0.113.7', '10.0.0.0/8', '2001:db8:1::/48'];

    expect(has(entries, '203.0.113.7')).toBe(true);
    expect(has(entries, '203.0.113.8')).toBe(false);
    expect(has(entries, '10.200.3.4')).toBe(true);
    expect(has(entries, '11.0.0.1')).toBe(false);
    expect(has(entries, '2001:db8:1:ffff::1')).toBe(true);
    expect(has(entries, '2001:db8:2::1')).toBe(false);
  });

  it('matches IPv4-mapped peers against IPv4 entries', () => {
    expect(has(['10.0.0.0/8'], '::ffff:10.1.1.1')).toBe(true);
    expect(has(['::ffff:10.0.0.0/104'], '10.9.9.9')).toBe(true);
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/x', '10.0.0.0/8/8', 'proxy.local', '10.0.0/8', ''])(
    'throws on the invalid entry %j',
    (entry) => {
      expect(() => createAddressSet([entry])).toThrow(/not an IP address or CIDR block/);
    },
  );
});
