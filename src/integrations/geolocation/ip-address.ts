import { BlockList, isIP } from 'node:net';

export type IpVersion = 4 | 6;

/** A validated address in canonical text form (RFC 5952 for IPv6). */
export interface IpAddress {
  readonly address: string;
  readonly version: IpVersion;
}

interface SpecialRange {
  readonly network: string;
  readonly prefix: number;
  readonly name: string;
}

/** IANA special-purpose IPv4 blocks that never identify a reachable end user. */
const SPECIAL_IPV4: readonly SpecialRange[] = [
  { network: '0.0.0.0', prefix: 8, name: 'this network (RFC 791)' },
  { network: '10.0.0.0', prefix: 8, name: 'private (RFC 1918)' },
  { network: '100.64.0.0', prefix: 10, name: 'carrier-grade NAT (RFC 6598)' },
  { network: '127.0.0.0', prefix: 8, name: 'loopback' },
  { network: '169.254.0.0', prefix: 16, name: 'link-local (RFC 3927)' },
  { network: '172.16.0.0', prefix: 12, name: 'private (RFC 1918)' },
  { network: '192.0.0.0', prefix: 24, name: 'IETF protocol assignments (RFC 6890)' },
  { network: '192.0.2.0', prefix: 24, name: 'documentation TEST-NET-1 (RFC 5737)' },
  { network: '192.88.99.0', prefix: 24, name: '6to4 relay anycast (RFC 7526)' },
  { network: '192.168.0.0', prefix: 16, name: 'private (RFC 1918)' },
  { network: '198.18.0.0', prefix: 15, name: 'benchmarking (RFC 2544)' },
  { network: '198.51.100.0', prefix: 24, name: 'documentation TEST-NET-2 (RFC 5737)' },
  { network: '203.0.113.0', prefix: 24, name: 'documentation TEST-NET-3 (RFC 5737)' },
  { network: '224.0.0.0', prefix: 4, name: 'multicast' },
  { network: '240.0.0.0', prefix: 4, name: 'reserved, including broadcast (RFC 1112)' },
];

/**
 * Special-purpose blocks inside 2000::/3. Everything outside 2000::/3 (unspecified, loopback,
 * NAT64, discard, unique-local, link-local, multicast...) is not global unicast at all.
 */
const SPECIAL_IPV6: readonly SpecialRange[] = [
  { network: '2001::', prefix: 23, name: 'IETF protocol assignments, incl. Teredo (RFC 2928)' },
  { network: '2001:db8::', prefix: 32, name: 'documentation (RFC 3849)' },
  { network: '2002::', prefix: 16, name: '6to4 (RFC 3056)' },
  { network: '3fff::', prefix: 20, name: 'documentation (RFC 9637)' },
];

interface RangeTables {
  readonly specialV4: BlockList;
  readonly globalUnicastV6: BlockList;
  readonly specialV6: BlockList;
}

let tables: RangeTables | undefined;

/** Built on first use so that importing this module does no work. */
function rangeTables(): RangeTables {
  if (tables === undefined) {
    const specialV4 = new BlockList();
    for (const range of SPECIAL_IPV4) {
      specialV4.addSubnet(range.network, range.prefix, 'ipv4');
    }
    const globalUnicastV6 = new BlockList();
    globalUnicastV6.addSubnet('2000::', 3, 'ipv6');
    const specialV6 = new BlockList();
    for (const range of SPECIAL_IPV6) {
      specialV6.addSubnet(range.network, range.prefix, 'ipv6');
    }
    tables = { specialV4, globalUnicastV6, specialV6 };
  }
  return tables;
}

const MAX_ADDRESS_LENGTH = 64;
const IPV4_MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

function canonicalIpv6(address: string): string {
  // The WHATWG URL parser prints IPv6 hosts in the RFC 5952 form (lower case, longest zero
  // run compressed, embedded IPv4 rewritten as hex), which is what we compare and cache.
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/**
 * Parses an IP address and puts it in canonical form. IPv4-mapped IPv6 (`::ffff:a.b.c.d`,
 * as dual-stack sockets report IPv4 peers) becomes plain IPv4. A zone id (`fe80::1%eth0`) is
 * dropped. Returns undefined for anything that is not an IP address.
 */
export function parseIpAddress(input: string): IpAddress | undefined {
  if (input.length === 0 || input.length > MAX_ADDRESS_LENGTH) {
    return undefined;
  }
  const version = isIP(input);
  if (version === 4) {
    return { address: input, version: 4 };
  }
  if (version !== 6) {
    return undefined;
  }
  const zone = input.indexOf('%');
  const canonical = canonicalIpv6(zone === -1 ? input : input.slice(0, zone));
  const mapped = IPV4_MAPPED.exec(canonical);
  if (mapped !== null) {
    const high = Number.parseInt(mapped[1] ?? '0', 16);
    const low = Number.parseInt(mapped[2] ?? '0', 16);
    const octets = [high >> 8, high & 0xff, low >> 8, low & 0xff];
    return { address: octets.join('.'), version: 4 };
  }
  return { address: canonical, version: 6 };
}

/** The canonical text of an IP address, or undefined when `input` is not one. */
export function normaliseIpAddress(input: string): string | undefined {
  return parseIpAddress(input)?.address;
}

/** Whether a parsed address is globally routable unicast, i.e. could locate a real visitor. */
export function isPublicIp(ip: IpAddress): boolean {
  const { specialV4, globalUnicastV6, specialV6 } = rangeTables();
  if (ip.version === 4) {
    return !specialV4.check(ip.address, 'ipv4');
  }
  return globalUnicastV6.check(ip.address, 'ipv6') && !specialV6.check(ip.address, 'ipv6');
}

/**
 * False for private, loopback, link-local, CGNAT, unique-local, multicast, unspecified,
 * documentation and other special-purpose addresses, and for anything malformed.
 */
export function isPublicAddress(input: string): boolean {
  const ip = parseIpAddress(input);
  return ip !== undefined && isPublicIp(ip);
}

/** The canonical address when `input` is a public IP; undefined when there is nothing to look up. */
export function publicAddressOf(input: string): string | undefined {
  const ip = parseIpAddress(input);
  return ip !== undefined && isPublicIp(ip) ? ip.address : undefined;
}

export interface AddressSet {
  has(ip: IpAddress): boolean;
}

/**
 * A set of addresses and CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`, `203.0.113.7`).
 * Throws on an entry that is neither, so a typo in configuration fails at start-up.
 */
export function createAddressSet(entries: readonly string[]): AddressSet {
  const blocks = new BlockList();
  for (const entry of entries) {
    const [network = '', prefixText, ...rest] = entry.trim().split('/');
    const ip = parseIpAddress(network);
    const bits = ip?.version === 4 ? 32 : 128;
    // A mapped IPv4 block such as ::ffff:10.0.0.0/104 is stored as the IPv4 block it covers.
    const mappedShift = ip?.version === 4 && isIP(network) === 6 ? 96 : 0;
    const prefix = prefixText === undefined ? bits + mappedShift : Number(prefixText);
    if (
      ip === undefined ||
      rest.length > 0 ||
      (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) ||
      prefix - mappedShift < 0 ||
      prefix - mappedShift > bits
    ) {
      throw new Error(`"${entry}" is not an IP address or CIDR block`);
    }
    blocks.addSubnet(ip.address, prefix - mappedShift, ip.version === 4 ? 'ipv4' : 'ipv6');
  }
  return {
    has: (ip) => blocks.check(ip.address, ip.version === 4 ? 'ipv4' : 'ipv6'),
  };
}
