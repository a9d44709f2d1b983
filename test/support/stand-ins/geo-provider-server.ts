import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type GeoVendor = 'ipapi' | 'ipstack' | 'ipgeolocation';

/**
 * How the stand-in behaves: `normal` answers lookups; `down` answers 500 with an HTML page;
 * `quota` answers the vendor's own "limit reached" reply; `hang` never answers.
 */
export type GeoProviderMode = 'normal' | 'down' | 'quota' | 'hang';

export interface KnownLocation {
  readonly country: string;
  readonly region?: string;
  readonly city?: string;
}

export interface GeoProviderServerOptions {
  readonly vendor: GeoVendor;
  /** The key the stand-in accepts; undefined accepts any (ipapi's keyless plan). */
  readonly apiKey?: string;
  /** Known addresses; anything else is answered the way the vendor answers an unknown one. */
  readonly locations?: Readonly<Record<string, KnownLocation>>;
  /** Public addresses the vendor nevertheless calls reserved/bogon. */
  readonly reserved?: readonly string[];
  /** ipgeolocation.io only: answer the newer shape that nests fields under `location`. */
  readonly nested?: boolean;
  /** ipapi.co only: the HTTP status of its RateLimited reply (it has been seen with 200). */
  readonly quotaStatus?: number;
}

export interface GeoProviderServer {
  readonly url: string;
  /** Request paths with query strings, in arrival order. */
  readonly requests: string[];
  setMode(mode: GeoProviderMode): void;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

const PRIVATE = /^(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|f[cd]|fe80)/;

function isReserved(ip: string, options: GeoProviderServerOptions): boolean {
  return PRIVATE.test(ip) || (options.reserved ?? []).includes(ip);
}

function ipapiReply(ip: string, key: string | null, options: GeoProviderServerOptions): Reply {
  if (options.apiKey !== undefined && key !== options.apiKey) {
    return { status: 403, body: { error: true, reason: 'Unauthorized', message: 'Invalid key' } };
  }
  if (isReserved(ip, options)) {
    return {
      status: 200,
      body: { ip, error: true, reason: 'Reserved IP Address', reserved: true },
    };
  }
  const known = options.locations?.[ip];
  return {
    status: 200,
    body: {
      ip,
      network: `${ip}/24`,
      version: ip.includes(':') ? 'IPv6' : 'IPv4',
      city: known?.city ?? null,
      region: known?.region ?? null,
      region_code: null,
      country: known?.country ?? null,
      country_name: known === undefined ? null : `Name of ${known.country}`,
      country_code: known?.country ?? null,
      // The free plan's placeholder text in numeric fields must not break the parser.
      latitude: 'Sign up to access',
      longitude: 'Sign up to access',
      asn: 'AS15169',
      org: 'GOOGLE',
    },
  };
}

function ipstackReply(ip: string, key: string | null, options: GeoProviderServerOptions): Reply {
  if (key === null || key !== options.apiKey) {
    return {
      status: 200,
      body: {
        success: false,
        error: {
          code: 101,
          type: 'invalid_access_key',
          info: 'You have not supplied a valid API Access Key. [Technical Support: support@apilayer.com]',
        },
      },
    };
  }
  const known = options.locations?.[ip];
  return {
    status: 200,
    body: {
      ip,
      type: ip.includes(':') ? 'ipv6' : 'ipv4',
      continent_code: known === undefined ? null : 'NA',
      continent_name: known === undefined ? null : 'North America',
      country_code: known?.country ?? null,
      country_name: known === undefined ? null : `Name of ${known.country}`,
      region_code: null,
      region_name: known?.region ?? null,
      city: known?.city ?? null,
      zip: null,
      latitude: 37.4,
      longitude: -122.1,
      location: { geoname_id: null, capital: 'Washington D.C.', languages: [], is_eu: false },
    },
  };
}

function ipgeolocationReply(
  ip: string | null,
  key: string | null,
  options: GeoProviderServerOptions,
): Reply {
  if (key !== options.apiKey) {
    return {
      status: 401,
      body: { message: 'Provided API key is not valid. Contact technical support for assistance' },
    };
  }
  if (ip === null) {
    return { status: 400, body: { message: "'ip' is required" } };
  }
  if (isReserved(ip, options)) {
    return { status: 423, body: { message: `'${ip}' is a bogon IP address.` } };
  }
  const known = options.locations?.[ip];
  if (known === undefined) {
    return {
      status: 404,
      body: { message: `Provided IP address '${ip}' doesn't exist in our database` },
    };
  }
  const fields = {
    country_code2: known.country,
    country_code3: `${known.country}X`,
    country_name: `Name of ${known.country}`,
    state_prov: known.region ?? '',
    district: '',
    city: known.city ?? '',
    latitude: '37.42240',
    longitude: '-122.08421',
  };
  return {
    status: 200,
    body: options.nested === true ? { ip, location: fields } : { ip, ...fields },
  };
}

function quotaReply(options: GeoProviderServerOptions): Reply {
  switch (options.vendor) {
    case 'ipapi':
      return {
        status: options.quotaStatus ?? 429,
        body: {
          error: true,
          reason: 'RateLimited',
          message: 'Visit https://ipapi.co/ratelimited/',
        },
      };
    case 'ipstack':
      return {
        status: 200,
        body: {
          success: false,
          error: {
            code: 104,
            type: 'usage_limit_reached',
            info: 'Your monthly usage limit has been reached. Please upgrade your Subscription Plan.',
          },
        },
      };
    case 'ipgeolocation':
      return { status: 429, body: { message: 'You have exceeded your daily request limit.' } };
  }
}

/** A loopback stand-in answering the real URL layout and reply shapes of one vendor. */
export async function startGeoProviderServer(
  options: GeoProviderServerOptions,
): Promise<GeoProviderServer> {
  const requests: string[] = [];
  const hanging = new Set<ServerResponse>();
  let mode: GeoProviderMode = 'normal';

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    requests.push(`${url.pathname}${url.search}`);
    if (mode === 'hang') {
      hanging.add(response);
      return;
    }
    if (mode === 'down') {
      response.writeHead(500, { 'content-type': 'text/html' });
      response.end('<html><body>Internal Server Error</body></html>');
      return;
    }
    let reply: Reply;
    if (mode === 'quota') {
      reply = quotaReply(options);
    } else if (options.vendor === 'ipgeolocation') {
      reply =
        url.pathname === '/ipgeo'
          ? ipgeolocationReply(url.searchParams.get('ip'), url.searchParams.get('apiKey'), options)
          : { status: 404, body: { message: 'Not found' } };
    } else {
      const match = /^\/([^/]+)(\/json\/?)?$/.exec(url.pathname);
      const ip = decodeURIComponent(match?.[1] ?? '');
      reply =
        options.vendor === 'ipapi'
          ? ipapiReply(ip, url.searchParams.get('key'), options)
          : ipstackReply(ip, url.searchParams.get('access_key'), options);
    }
    response.writeHead(reply.status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    setMode(next) {
      mode = next;
    },
    async close() {
      for (const response of hanging) {
        response.destroy();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
