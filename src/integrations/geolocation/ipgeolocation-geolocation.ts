import { z } from 'zod';

import { IntegrationFailure } from '../resilience/integration-errors.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { GeoLocation, Geolocation } from './geolocation.ts';
import { publicAddressOf } from './ip-address.ts';
import { requestProviderJson } from './quota-exhausted.ts';
import { toGeoLocation } from './to-geo-location.ts';

export interface IpgeolocationGeolocationOptions {
  readonly apiKey: string;
  /** @defaultValue `https://api.ipgeolocation.io` (set by config) */
  readonly baseUrl: string;
  readonly call: ResilientCall;
}

const SOURCE = 'ipgeolocation';

const locationFields = z.object({
  country_code2: z.string().nullish(),
  state_prov: z.string().nullish(),
  city: z.string().nullish(),
});

/** v1 answers the fields at the top level; newer versions nest them under `location`. */
const ipgeolocationAnswer = locationFields.extend({ location: locationFields.nullish() });

/** 404: not in their database; 423: a bogon (private or reserved) address. */
const UNKNOWN_ADDRESS_STATUSES = new Set([404, 423]);

/** ipgeolocation.io: `GET {base}/ipgeo?apiKey=&ip=`. */
export function createIpgeolocationGeolocation(
  options: IpgeolocationGeolocationOptions,
): Geolocation {
  const base = options.baseUrl.replace(/\/+$/, '');
  const key = encodeURIComponent(options.apiKey);

  return {
    async locate(ip) {
      const address = publicAddressOf(ip);
      if (address === undefined) {
        return undefined;
      }
      const url = `${base}/ipgeo?apiKey=${key}&ip=${encodeURIComponent(address)}`;
      return options.call(
        'ipgeolocation.locate',
        async (signal): Promise<GeoLocation | undefined> => {
          let answer: z.infer<typeof ipgeolocationAnswer>;
          try {
            answer = await requestProviderJson(SOURCE, url, signal, ipgeolocationAnswer);
          } catch (err) {
            if (
              err instanceof IntegrationFailure &&
              err.status !== undefined &&
              UNKNOWN_ADDRESS_STATUSES.has(err.status)
            ) {
              return undefined;
            }
            throw err;
          }
          const fields = answer.location ?? answer;
          return toGeoLocation(SOURCE, {
            countryCode: fields.country_code2,
            region: fields.state_prov,
            city: fields.city,
          });
        },
      );
    },
  };
}
