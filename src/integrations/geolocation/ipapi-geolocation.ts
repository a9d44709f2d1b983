import { z } from 'zod';

import { IntegrationFailure } from '../resilience/integration-errors.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { GeoLocation, Geolocation } from './geolocation.ts';
import { publicAddressOf } from './ip-address.ts';
import { QUOTA_COOL_DOWN_MS, quotaExhausted, requestProviderJson } from './quota-exhausted.ts';
import { toGeoLocation } from './to-geo-location.ts';

export interface IpapiGeolocationOptions {
  /** Paid plans only; without it ipapi.co answers keyless at a low daily volume. */
  readonly apiKey?: string | undefined;
  /** @defaultValue `https://ipapi.co` (set by config) */
  readonly baseUrl: string;
  readonly call: ResilientCall;
}

const SOURCE = 'ipapi';

/** ipapi.co reports some errors inside HTTP 200 (and as the body of its 429s). */
const ipapiError = z.object({
  error: z.literal(true),
  reason: z.string().optional(),
  message: z.string().optional(),
});

// Free plans put placeholder strings in numeric fields, so only the text fields we use are read.
const ipapiLocation = z.object({
  country_code: z.string().nullish(),
  region: z.string().nullish(),
  city: z.string().nullish(),
});

const ipapiAnswer = z.union([ipapiError, ipapiLocation]);

/** Returns when the vendor merely does not know the address; throws for real failures. */
function throwUnlessUnknownAddress(answer: z.infer<typeof ipapiError>): void {
  const reason = answer.reason ?? 'unknown reason';
  switch (reason) {
    case 'Reserved IP Address':
    case 'Invalid IP Address':
      return;
    case 'RateLimited':
      throw quotaExhausted(SOURCE, answer.message ?? reason, QUOTA_COOL_DOWN_MS);
    default:
      throw new IntegrationFailure('geolocation', `ipapi refused the lookup: ${reason}`, {
        kind: 'rejected',
      });
  }
}

/** ipapi.co: `GET {base}/{ip}/json/?key=`. */
export function createIpapiGeolocation(options: IpapiGeolocationOptions): Geolocation {
  const base = options.baseUrl.replace(/\/+$/, '');
  const query = options.apiKey === undefined ? '' : `?key=${encodeURIComponent(options.apiKey)}`;

  return {
    async locate(ip) {
      const address = publicAddressOf(ip);
      if (address === undefined) {
        return undefined;
      }
      // A validated address holds only hex digits, dots and colons, all legal in a path.
      const url = `${base}/${address}/json/${query}`;
      return options.call('ipapi.locate', async (signal): Promise<GeoLocation | undefined> => {
        const answer = await requestProviderJson(SOURCE, url, signal, ipapiAnswer);
        if ('error' in answer) {
          throwUnlessUnknownAddress(answer);
          return undefined;
        }
        return toGeoLocation(SOURCE, {
          countryCode: answer.country_code,
          region: answer.region,
          city: answer.city,
        });
      });
    },
  };
}
