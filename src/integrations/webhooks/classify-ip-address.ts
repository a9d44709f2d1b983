import { isIPv4, isIPv6 } from 'node:net';

/**
 * What an address is, for deciding whether a webhook may reach it. Only `public` is an
 * ordinary internet host; `loopback` and `private` are reachable only when local
 * development allows them; the rest are never a valid target.
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'invalid';

interface Range {
  readonly base: bigint;
  readonly prefixLength: number;
  readonly addressClass: AddressClass;
}

function parseIpv4(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** The 128-bit value of an IPv6 text form, including `::` and a dotted IPv4 tail. */
function parseIpv6(text: string): bigint {
  const zone = text.indexOf('%');
  let address = zone === -1 ? text : text.slice(0, zone);
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    address = `${address.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros: string[] = Array.from(
    { length: 8 - headGroups.length - restGroups.length },
    () => '0',
  );
  return [...headGroups, ...zeros, ...restGroups].reduce(
    (value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)),
    0n,
  );
}

const v4 = (base: string, prefixLength: number, addressClass: AddressClass): Range => ({
  base: parseIpv4(base),
  prefixLength,
  addressClass,
});
const v6 = (base: string, prefixLength: number, addressClass: AddressClass): Range => ({
  base: parseIpv6(base),
  prefixLength,
  addressClass,
});

// IANA special-purpose registries (RFC 6890 and successors). Carrier-grade NAT space is
// grouped with private space: both are someone's internal network.
const IPV4_RANGES: readonly Range[] = [
  v4('0.0.0.0', 8, 'unspecified'),
  v4('10.0.0.0', 8, 'private'),
  v4('100.64.0.0', 10, 'private'),
  v4('127.0.0.0', 8, 'loopback'),
  v4('169.254.0.0', 16, 'link-local'),
  v4('172.16.0.0', 12, 'private'),
  v4('192.0.0.0', 24, 'reserved'),
  v4('192.0.2.0', 24, 'reserved'),
  v4('192.88.99.0', 24, 'reserved'),
  v4('192.168.0.0', 16, 'private'),
  v4('198.18.0.0', 15, 'reserved'),
  v4('198.51.100.0', 24, 'reserved'),
  v4('203.0.113.0', 24, 'reserved'),
  v4('224.0.0.0', 4, 'multicast'),
  v4('240.0.0.0', 4, 'reserved'),
];

const IPV6_RANGES: readonly Range[] = [
  v6('::', 128, 'unspecified'),
  v6('::1', 128, 'loopback'),
  v6('64:ff9b:1::', 48, 'private'),
  v6('100::', 64, 'reserved'),
  v6('2001:db8::', 32, 'reserved'),
  // Includes Teredo (2001::/32), whose embedded addresses are obfuscated.
  v6('2001::', 23, 'reserved'),
  v6('3fff::', 20, 'reserved'),
  v6('fc00::', 7, 'private'),
  v6('fe80::', 10, 'link-local'),
  v6('fec0::', 10, 'reserved'),
  v6('ff00::', 8, 'multicast'),
];

// Forms that carry an IPv4 address inside: the embedded address decides. Without this,
// `::ffff:127.0.0.1` would pass as an IPv6 address outside every IPv6 range.
const IPV4_MAPPED = v6('::ffff:0:0', 96, 'reserved');
const NAT64 = v6('64:ff9b::', 96, 'reserved');
const SIX_TO_FOUR = v6('2002::', 16, 'reserved');
const GLOBAL_UNICAST = v6('2000::', 3, 'public');

function contains(range: Range, value: bigint, width: number): boolean {
  const shift = BigInt(width - range.prefixLength);
  return value >> shift === range.base >> shift;
}

function classifyIpv4Value(value: bigint): AddressClass {
  return IPV4_RANGES.find((range) => contains(range, value, 32))?.addressClass ?? 'public';
}

function classifyIpv6Value(value: bigint): AddressClass {
  if (contains(IPV4_MAPPED, value, 128) || contains(NAT64, value, 128)) {
    return classifyIpv4Value(value & 0xffffffffn);
  }
  if (contains(SIX_TO_FOUR, value, 128)) {
    return classifyIpv4Value((value >> 80n) & 0xffffffffn);
  }
  const special = IPV6_RANGES.find((range) => contains(range, value, 128));
  if (special !== undefined) {
    return special.addressClass;
  }
  // Everything outside 2000::/3 (including the deprecated IPv4-compatible ::/96) is unassigned.
  return contains(GLOBAL_UNICAST, value, 128) ? 'public' : 'reserved';
}

/** Classifies an IP address given as text (IPv4 dotted or any IPv6 form, brackets allowed). */
export function classifyIpAddress(text: string): AddressClass {
  const address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(address)) {
    return classifyIpv4Value(parseIpv4(address));
  }
  if (isIPv6(address)) {
    return classifyIpv6Value(parseIpv6(address));
  }
  return 'invalid';
}

/** Whether a webhook may connect to an address of this class under the given policy. */
export function isPermittedAddressClass(
  addressClass: AddressClass,
  policy: { readonly allowLoopback: boolean },
): boolean {
  if (addressClass === 'public') {
    return true;
  }
  return policy.allowLoopback && (addressClass === 'loopback' || addressClass === 'private');
}
