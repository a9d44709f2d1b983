import { createRequire } from 'node:module';

import { open, type Reader, type Response } from 'maxmind';

import type { Geolocation } from './geolocation.ts';
import { publicAddressOf } from './ip-address.ts';
import { toGeoLocation } from './to-geo-location.ts';

export interface OfflineGeolocationOptions {
  /**
   * An MMDB file whose records carry `country_code` (the ip-location-db layout) or MaxMind's
   * `country.iso_code`. @defaultValue the CC0 database of `@ip-location-db/geo-whois-asn-country-mmdb`
   */
  readonly databasePath?: string | undefined;
}

const SOURCE = 'offline';

/** The database bundled through npm, found the way Node would resolve it from here. */
export function defaultGeolocationDatabasePath(): string {
  return createRequire(import.meta.url).resolve(
    '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb',
  );
}

function countryCodeOf(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) {
    return undefined;
  }
  const flat = (record as { country_code?: unknown }).country_code;
  if (typeof flat === 'string') {
    return flat;
  }
  const nested = (record as { country?: { iso_code?: unknown } }).country?.iso_code;
  return typeof nested === 'string' ? nested : undefined;
}

/**
 * Country lookups from a local MMDB file: no network, no key, always available, so it is the
 * last resort behind the online providers. The file (~8 MB) is read on the first lookup, once.
 */
export function createOfflineGeolocation(options: OfflineGeolocationOptions = {}): Geolocation {
  let opening: Promise<Reader<Response>> | undefined;

  const reader = (): Promise<Reader<Response>> => {
    if (opening === undefined) {
      const path = options.databasePath ?? defaultGeolocationDatabasePath();
      opening = open<Response>(path).catch((err: unknown) => {
        // A failed open is not remembered, so a file that appears later is still picked up.
        opening = undefined;
        throw err;
      });
    }
    return opening;
  };

  return {
    async locate(ip) {
      const address = publicAddressOf(ip);
      if (address === undefined) {
        return undefined;
      }
      const record = (await reader()).get(address);
      return toGeoLocation(SOURCE, { countryCode: countryCodeOf(record) });
    },
  };
}
