import type { GeoLocation } from './geolocation.ts';

/**
 * Codes that look like ISO 3166-1 alpha-2 but name no country: `ZZ`/`XX` are vendors'
 * "unknown", `EU`/`AP` are legacy continent-level answers from older databases.
 */
const NOT_A_COUNTRY = new Set(['ZZ', 'XX', 'EU', 'AP']);

export interface RawLocationFields {
  readonly countryCode: string | null | undefined;
  readonly region?: string | null | undefined;
  readonly city?: string | null | undefined;
}

function cleanName(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' || trimmed === '-' ? undefined : trimmed;
}

/**
 * Turns a vendor's fields into a {@link GeoLocation}, or undefined when the country is
 * missing or not a real alpha-2 code (vendors answer "unknown" in several ways).
 */
export function toGeoLocation(source: string, fields: RawLocationFields): GeoLocation | undefined {
  const code = fields.countryCode?.trim().toUpperCase();
  if (code === undefined || !/^[A-Z]{2}$/.test(code) || NOT_A_COUNTRY.has(code)) {
    return undefined;
  }
  const region = cleanName(fields.region);
  const city = cleanName(fields.city);
  return {
    countryCode: code,
    ...(region === undefined ? {} : { region }),
    ...(city === undefined ? {} : { city }),
    source,
  };
}
