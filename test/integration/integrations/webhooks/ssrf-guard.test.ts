import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createSsrfGuard,
  type ResolveHost,
  type SsrfGuard,
  SsrfRefusedError,
} from '../../../../src/integrations/webhooks/ssrf-guard.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../../support/stand-ins/scripted-http-server.ts';

/** A fake DNS: each name answers from its list of answers, one per lookup, the last repeating. */
function fakeDns(answers: Record<string, string[][]>) {
  const lookups: string[] = [];
  const lookup: ResolveHost = (hostname) => {
    lookups.push(hostname);
    const forName = answers[hostname];
    if (forName === undefined) {
      return Promise.reject(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
          code: 'ENOTFOUND',
        }),
      );
    }
    const seen = lookups.filter((name) => name === hostname).length;
    const addresses = forName[Math.min(seen, forName.length) - 1] ?? [];
    return Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return { lookup, lookups };
}

let receiver: ScriptedHttpServer;
const guards: SsrfGuard[] = [];

beforeEach(async () => {
  receiver = await startScriptedHttpServer({ status: 204 });
});

afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
  await receiver.close();
});

function guardWith(options: Parameters<typeof createSsrfGuard>[0]): SsrfGuard {
  const guard = createSsrfGuard(options);
  guards.push(guard);
  return guard;
}

const receiverPort = () => new URL(receiver.url).port;

/** Sends one POST through the guard's dispatcher; resolves to the status or the error. */
async function post(guard: SsrfGuard, url: string): Promise<number | Error> {
  const target = new URL(url);
  try {
    const response = await guard.dispatcher.request({
      origin: target.origin,
      path: target.pathname,
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(5_000),
    });
    await response.body.dump();
    return response.statusCode;
  } catch (err) {
    return err as Error;
  }
}

describe(`${createSsrfGuard.name} checkUrl`, () => {
  const dns = fakeDns({
    'internal.example.test': [['10.0.0.1']],
    'hooks.example.test': [['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']],
    'mixed.example.test': [['93.184.216.34', '192.168.0.10']],
  });

  it.each([
    ['http://127.0.0.1', /127\.0\.0\.1 is a loopback address/],
    ['http://[::ffff:127.0.0.1]', /::ffff:7f00:1 is a loopback address/],
    ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a link-local address/],
    [
      'https://internal.example.test/hook',
      /internal\.example\.test resolves to 10\.0\.0\.1, a private address/,
    ],
    ['https://mixed.example.test/hook', /resolves to 192\.168\.0\.10, a private address/],
    ['http://0.0.0.0:8080', /0\.0\.0\.0 is an unspecified address/],
    ['http://[::1]:3000', /::1 is a loopback address/],
    ['http://2130706433/', /127\.0\.0\.1 is a loopback address/],
  ])('refuses %s, naming the address in the detail only (R-SEC-7)', async (url, detail) => {
    const verdict = await guardWith({ lookup: dns.lookup }).checkUrl(url);

    expect(verdict).toEqual({
      ok: false,
      reason: 'resolves to a private or reserved address',
      detail: expect.stringMatching(detail) as unknown,
    });
  });

  it('says a name with no addresses has none, without calling it private', async () => {
    const guard = guardWith({ lookup: fakeDns({ 'empty.example.test': [[]] }).lookup });

    expect(await guard.checkUrl('https://empty.example.test/')).toEqual({
      ok: false,
      reason: 'points to a host with no addresses (empty.example.test)',
      detail: 'empty.example.test has no addresses',
    });
  });

  it.each([
    ['ftp://hooks.example.test/', 'must use http or https'],
    ['https://user:pass@hooks.example.test/', 'must not contain credentials'],
    ['not a url', 'is not a valid URL'],
    ['https://nowhere.example.test/', 'host nowhere.example.test does not resolve'],
  ])('refuses %s because it %s', async (url, reason) => {
    expect(await guardWith({ lookup: dns.lookup }).checkUrl(url)).toEqual({ ok: false, reason });
  });

  it('accepts public literal addresses and names that resolve only to public addresses', async () => {
    const guard = guardWith({ lookup: dns.lookup });

    expect(await guard.checkUrl('https://93.184.216.34/hook')).toEqual({ ok: true });
    expect(await guard.checkUrl('https://[2606:4700:4700::1111]/hook')).toEqual({ ok: true });
    expect(await guard.checkUrl('https://hooks.example.test/hook?x=1')).toEqual({ ok: true });
  });

  it('accepts loopback and private targets only when allowed, never link-local', async () => {
    const guard = guardWith({ lookup: dns.lookup, allowLoopback: true });

    expect(await guard.checkUrl('http://127.0.0.1:8080/')).toEqual({ ok: true });
    expect(await guard.checkUrl('https://internal.example.test/')).toEqual({ ok: true });
    expect((await guard.checkUrl('http://169.254.169.254/')).ok).toBe(false);
  });
});

describe(`${createSsrfGuard.name} dispatcher (connect time)`, () => {
  it.each([
    ['a loopback literal', () => `http://127.0.0.1:${receiverPort()}/hook`],
    ['an IPv4-mapped IPv6 literal', () => `http://[::ffff:127.0.0.1]:${receiverPort()}/hook`],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data'],
    ['a name resolving to a private address', () => 'http://internal.example.test/hook'],
  ])('refuses %s before connecting', async (_, url) => {
    const dns = fakeDns({ 'internal.example.test': [['10.0.0.1']] });
    const guard = guardWith({ lookup: dns.lookup });

    const outcome = await post(guard, url());

    expect(outcome).toBeInstanceOf(SsrfRefusedError);
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses a name that re-resolves to loopback after passing the check (DNS rebinding)', async () => {
    const dns = fakeDns({ 'rebind.example.test': [['93.184.216.34'], ['127.0.0.1']] });
    const guard = guardWith({ lookup: dns.lookup });
    const url = `http://rebind.example.test:${receiverPort()}/hook`;

    const verdict = await guard.checkUrl(url);
    const outcome = await post(guard, url);

    expect(verdict).toEqual({ ok: true });
    expect(outcome).toBeInstanceOf(SsrfRefusedError);
    expect((outcome as Error).message).toMatch(/resolves to 127\.0\.0\.1, a loopback address/);
    expect((outcome as SsrfRefusedError).publicMessage).toBe(
      'the URL resolves to a private or reserved address',
    );
    expect(dns.lookups).toEqual(['rebind.example.test', 'rebind.example.test']);
    expect(receiver.requests).toHaveLength(0);
  });

  it('connects to loopback through a host name when loopback is allowed', async () => {
    const dns = fakeDns({ 'receiver.example.test': [['127.0.0.1']] });
    const guard = guardWith({ lookup: dns.lookup, allowLoopback: true });

    const outcome = await post(guard, `http://receiver.example.test:${receiverPort()}/hook`);

    expect(outcome).toBe(204);
    expect(receiver.requests.map((request) => request.url)).toEqual(['/hook']);
    expect(await post(guard, 'http://169.254.169.254/')).toBeInstanceOf(SsrfRefusedError);
  });
});
