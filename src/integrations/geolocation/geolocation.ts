/** Where a visitor's IP address is, as far as a database or provider can tell. */
export interface GeoLocation {
  /** ISO 3166-1 alpha-2, upper case (e.g. `US`). */
  readonly countryCode: string;
  readonly region?: string;
  readonly city?: string;
  /** Which lookup answered: `ipapi`, `ipstack`, `ipgeolocation` or `offline`. */
  readonly source: string;
}

/** IP → location, for country analytics (R-INT-9). */
export interface Geolocation {
  /** Undefined when the address is unknown, private, reserved or malformed. */
  locate(ip: string): Promise<GeoLocation | undefined>;
}
