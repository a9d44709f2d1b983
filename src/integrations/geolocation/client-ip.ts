import { createAddressSet, type IpAddress, parseIpAddress } from './ip-address.ts';

export interface ClientIpResolverOptions {
  /**
   * Addresses or CIDR blocks of the proxies in front of us (load balancer, Cloudflare's
   * ranges). Only a request arriving from one of them may tell us the client's address.
   * @defaultValue none: forwarding headers are ignored and the socket peer is the client
   */
  readonly trustedProxies: readonly string[];
}

/** Hono/fetch `Headers`, or Node's lower-cased `IncomingHttpHeaders`. */
export type HeaderSource =
  Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The visitor's address in canonical form, or undefined when it cannot be known. */
export type ClientIpResolver = (peerAddress: string, headers: HeaderSource) => string | undefined;

function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) {
    return headers.get(name) ?? undefined;
  }
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  return typeof value === 'string' ? value : value?.join(',');
}

/**
 * One address as proxies write it: bare, `[v6]:port`, or `v4:port` (some load balancers
 * append the client port).
 */
function parseHop(text: string): IpAddress | undefined {
  const hop = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(hop);
  if (bracketed !== null) {
    return parseIpAddress(bracketed[1] ?? '');
  }
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(hop);
  return parseIpAddress(withPort === null ? hop : (withPort[1] ?? ''));
}

/**
 * Resolves the client address of a request. Forwarding headers are believed only when the
 * socket peer is a trusted proxy; anyone else could have written them. Then, in order:
 * `cf-connecting-ip`; `x-forwarded-for` read from the right, skipping our own proxies, so
 * entries a client prepended are never reached; `x-real-ip`; and finally the peer itself.
 */
export function createClientIpResolver(options: ClientIpResolverOptions): ClientIpResolver {
  const trusted = createAddressSet(options.trustedProxies);

  function fromForwardedFor(value: string): string | undefined {
    const hops = value.split(',');
    let nearestTrusted: IpAddress | undefined;
    for (let index = hops.length - 1; index >= 0; index -= 1) {
      const hop = parseHop(hops[index] ?? '');
      // Whatever sits left of a garbled entry was not vouched for by a proxy we trust.
      if (hop === undefined) {
        return undefined;
      }
      if (!trusted.has(hop)) {
        return hop.address;
      }
      nearestTrusted = hop;
    }
    // Every hop is one of ours: the request started inside our own network.
    return nearestTrusted?.address;
  }

  return function resolveClientIp(peerAddress, headers) {
    const peer = parseHop(peerAddress);
    if (peer === undefined) {
      return undefined;
    }
    if (!trusted.has(peer)) {
      return peer.address;
    }
    const connectingIp = readHeader(headers, 'cf-connecting-ip');
    const fromCloudflare = connectingIp === undefined ? undefined : parseHop(connectingIp);
    if (fromCloudflare !== undefined) {
      return fromCloudflare.address;
    }
    const forwardedFor = readHeader(headers, 'x-forwarded-for');
    if (forwardedFor !== undefined && forwardedFor.trim() !== '') {
      return fromForwardedFor(forwardedFor);
    }
    const realIp = readHeader(headers, 'x-real-ip');
    const fromRealIp = realIp === undefined ? undefined : parseHop(realIp);
    return (fromRealIp ?? peer).address;
  };
}
