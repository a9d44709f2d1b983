import {
  createServer,
  type IncomingHttpHeaders,
  request as httpRequest,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a rule sees of a request. `url` is the decoded path and query (S3 keys read plainly). */
export interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
}

/** One request through the proxy and what became of it. */
export interface ProxiedExchange extends ProxiedRequest {
  /** The status the client got: upstream's, or the injected one; undefined when it hung up. */
  readonly status: number | undefined;
  /** Whether the request reached upstream. */
  readonly forwarded: boolean;
}

export interface FaultyHttpProxy {
  readonly url: string;
  readonly exchanges: readonly ProxiedExchange[];
  /** Answers 503 (an S3 `ServiceUnavailable` error) to matching requests instead of forwarding. */
  failWhen(predicate: (request: ProxiedRequest) => boolean): void;
  /** Holds matching requests this long before forwarding; a client that hangs up meanwhile is dropped. */
  delayWhen(predicate: (request: ProxiedRequest) => boolean, delayMs: number): void;
  /** Forwards everything again, at once. */
  heal(): void;
  /** Successful (2xx) forwarded requests whose URL matches, by method and path. */
  countSucceeded(method: string, urlPart: string): number;
  /** Path → number of successful forwarded PUTs, for the paths containing `urlPart`. */
  succeededPuts(urlPart: string): ReadonlyMap<string, number>;
  close(): Promise<void>;
}

const SERVICE_UNAVAILABLE_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<Error><Code>ServiceUnavailable</Code><Message>Injected by the test proxy</Message></Error>';

/** Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded. */
function forwardableHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy: IncomingHttpHeaders = { ...headers };
  delete copy.connection;
  delete copy['keep-alive'];
  delete copy['transfer-encoding'];
  return copy;
}

/**
 * A loopback reverse proxy in front of a real server (s3rver) that fails or slows chosen
 * requests on command and records every exchange, so tests can inject storage outages and
 * count what really reached storage. Host headers pass unchanged: SigV4 signatures hold.
 */
export async function startFaultyHttpProxy(upstreamUrl: string): Promise<FaultyHttpProxy> {
  const upstream = new URL(upstreamUrl);
  const exchanges: ProxiedExchange[] = [];
  let failing: ((request: ProxiedRequest) => boolean) | undefined;
  let delaying:
    { readonly predicate: (r: ProxiedRequest) => boolean; readonly ms: number } | undefined;

  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    let clientGone = false;
    response.on('close', () => {
      if (!response.writableFinished) {
        clientGone = true;
      }
    });
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const seen: ProxiedRequest = {
        method: incoming.method ?? 'GET',
        url: decodeURIComponent(incoming.url ?? '/'),
      };
      if (failing?.(seen) === true) {
        exchanges.push({ ...seen, status: 503, forwarded: false });
        response.writeHead(503, { 'content-type': 'application/xml' });
        response.end(seen.method === 'HEAD' ? undefined : SERVICE_UNAVAILABLE_XML);
        return;
      }
      const forward = () => {
        if (clientGone) {
          exchanges.push({ ...seen, status: undefined, forwarded: false });
          return;
        }
        const body = Buffer.concat(chunks);
        const outgoing = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: seen.method,
            path: incoming.url,
            headers: forwardableHeaders(incoming.headers),
          },
          (answer) => {
            const status = answer.statusCode ?? 502;
            exchanges.push({ ...seen, status, forwarded: true });
            response.writeHead(status, forwardableHeaders(answer.headers));
            answer.pipe(response);
          },
        );
        outgoing.on('error', () => {
          exchanges.push({ ...seen, status: 502, forwarded: true });
          response.destroy();
        });
        outgoing.end(body);
      };
      const delay = delaying?.predicate(seen) === true ? delaying.ms : 0;
      if (delay > 0) {
        setTimeout(forward, delay);
      } else {
        forward();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const succeeded = (exchange: ProxiedExchange) =>
    exchange.forwarded && exchange.status !== undefined && exchange.status < 300;

  return {
    url: `http://127.0.0.1:${String(port)}`,
    exchanges,
    failWhen(predicate) {
      failing = predicate;
    },
    delayWhen(predicate, delayMs) {
      delaying = { predicate, ms: delayMs };
    },
    heal() {
      failing = undefined;
      delaying = undefined;
    },
    countSucceeded(method, urlPart) {
      return exchanges.filter(
        (exchange) =>
          exchange.method === method && exchange.url.includes(urlPart) && succeeded(exchange),
      ).length;
    },
    succeededPuts(urlPart) {
      const counts = new Map<string, number>();
      for (const exchange of exchanges) {
        if (exchange.method === 'PUT' && exchange.url.includes(urlPart) && succeeded(exchange)) {
          const path = exchange.url.split('?')[0] ?? exchange.url;
          counts.set(path, (counts.get(path) ?? 0) + 1);
        }
      }
      return counts;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
