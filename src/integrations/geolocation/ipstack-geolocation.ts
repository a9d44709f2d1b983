import { z } from 'zod';

import { IntegrationFailure } from '../resilience/integration-errors.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { GeoLocation, Geolocation } from './geolocation.ts';
import { publicAddressOf } from './ip-address.ts';
import { QUOTA_COOL_DOWN_MS, quotaExhausted, requestProviderJson } from './quota-exhausted.ts';
import { toGeoLocation } from './to-geo-location.ts';

export interface IpstackGeolocationOptions {
  readonly apiKey: string;
  /** HTTPS, so the access key never travels in clear. @defaultValue `https://api.ipstack.com` */
  readonly baseUrl: string;
  readonly call: ResilientCall;
}

const SOURCE = 'ipstack';

/** ipstack answers most errors with HTTP 200 and this body. */
const ipstackError = z.object({
  success: z.literal(false),
  error: z.object({
    code: z.number(),
    type: z.string().optional(),
    info: z.string().optional(),
  }),
});

const ipstackLocation = z.object({
  country_code: z.string().nullish(),
  region_name: z.string().nullish(),
  city: z.string().nullish(),
});

const ipstackAnswer = z.union([ipstackError, ipstackLocation]);

const USAGE_LIMIT_REACHED = 104;
const INVALID_IP_ADDRESS = 106;

/** Returns when the vendor merely does not know the address; throws for real failures. */
function throwUnlessUnknownAddress({ error }: z.infer<typeof ipstackError>): void {
  const detail = `${String(error.code)} ${error.type ?? ''}`.trim();
  if (error.code === INVALID_IP_ADDRESS) {
    return;
  }
  if (error.code === USAGE_LIMIT_REACHED) {
    throw quotaExhausted(SOURCE, detail, QUOTA_COOL_DOWN_MS);
  }
  // The other documented codes (101 bad key, 102 inactive account, 103/303 unknown function,
  // 105 plan lacks the feature, e.g. HTTPS) are about our account: repeating cannot help.
  throw new IntegrationFailure('geolocation', `ipstack refused the lookup: ${detail}`, {
    kind: 'rejected',
  });
}

/** ipstack: `GET {base}/{ip}?access_key=`. */
export function createIpstackGeolocation(options: IpstackGeolocationOptions): Geolocation {
  const base = options.baseUrl.replace(/\/+$/, '');
  const key = encodeURIComponent(options.apiKey);

  return {
    async locate(ip) {
      const address = publicAddressOf(ip);
      if (address === undefined) {
        return undefined;
      }
      // A validated address holds only hex digits, dots and colons, all legal in a path.
      const url = `${base}/${address}?access_key=${key}`;
      return options.call('ipstack.locate', async (signal): Promise<GeoLocation | undefined> => {
        const answer = await requestProviderJson(SOURCE, url, signal, ipstackAnswer);
        if ('success' in answer) {
          throwUnlessUnknownAddress(answer);
          return undefined;
        }
        return toGeoLocation(SOURCE, {
          countryCode: answer.country_code,
          region: answer.region_name,
          city: answer.city,
        });
      });
    },
  };
}
