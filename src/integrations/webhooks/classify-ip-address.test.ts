import { describe, expect, it } from 'vitest';

import {
  type AddressClass,
  classifyIpAddress,
  isPermittedAddressClass,
} from './classify-ip-address.ts';

describe(classifyIpAddress.name, () => {
  it.each<[string, AddressClass]>([
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['64:ff9b::808:808', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['::127.0.0.1', 'reserved'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378::1', 'reserved'],
    ['1::', 'reserved'],
    ['localhost', 'invalid'],
    ['256.1.1.1', 'invalid'],
  ])('classifies %s as %s', (address, expected) => {
    expect(classifyIpAddress(address)).toBe(expected);
  });
});

describe(isPermittedAddressClass.name, () => {
  it('permits only public addresses by default', () => {
    const classes: AddressClass[] = ['public', 'loopback', 'private', 'link-local', 'reserved'];

    expect(
      classes.filter((addressClass) =>
        isPermittedAddressClass(addressClass, { allowLoopback: false }),
      ),
    ).toEqual(['public']);
  });

  it('adds loopback and private, never link-local or multicast, when local targets are allowed', () => {
    const classes: AddressClass[] = [
      'public',
      'loopback',
      'private',
      'link-local',
      'unspecified',
      'multicast',
      'reserved',
      'invalid',
    ];

    expect(
      classes.filter((addressClass) =>
        isPermittedAddressClass(addressClass, { allowLoopback: true }),
      ),
    ).toEqual(['public', 'loopback', 'private']);
  });
});
