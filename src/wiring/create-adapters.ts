import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Config } from '../config/env.ts';
import type { Database } from '../db/database-types.ts';
import { createCloudflareDns } from '../integrations/dns/cloudflare-dns.ts';
import type { DnsProvider } from '../integrations/dns/dns-provider.ts';
import {
  createDomainVerifier,
  type DomainVerifier,
} from '../integrations/dns/domain-verification.ts';
import { createLocalDns } from '../integrations/dns/local-dns.ts';
import { createSiteRecords, type SiteRecords } from '../integrations/dns/site-records.ts';
import type { EmailSender } from '../integrations/email/email.ts';
import { createOutboxEmail } from '../integrations/email/outbox-email.ts';
import { createResendEmail } from '../integrations/email/resend-email.ts';
import { createSmtpEmail } from '../integrations/email/smtp-email.ts';
import {
  type ClientIpResolver,
  createClientIpResolver,
} from '../integrations/geolocation/client-ip.ts';
import { createFailoverGeolocation } from '../integrations/geolocation/failover-geolocation.ts';
import type { Geolocation } from '../integrations/geolocation/geolocation.ts';
import { createIpapiGeolocation } from '../integrations/geolocation/ipapi-geolocation.ts';
import { createIpgeolocationGeolocation } from '../integrations/geolocation/ipgeolocation-geolocation.ts';
import { createIpstackGeolocation } from '../integrations/geolocation/ipstack-geolocation.ts';
import { createOfflineGeolocation } from '../integrations/geolocation/offline-geolocation.ts';
import { createAcmeCertificateAuthority } from '../integrations/ssl/acme-certificate-authority.ts';
import type { AcmeChallengeStore } from '../integrations/ssl/acme-challenge-store.ts';
import type { CertificateIssuer } from '../integrations/ssl/certificate-authority.ts';
import { createLocalCertificateAuthority } from '../integrations/ssl/local-certificate-authority.ts';
import { createRedisAcmeChallengeStore } from '../integrations/ssl/redis-acme-challenge-store.ts';
import { createLocalStorage } from '../integrations/storage/local-storage.ts';
import { createS3Storage } from '../integrations/storage/s3-storage.ts';
import type { Storage } from '../integrations/storage/storage.ts';
import type { Integrations } from './create-integrations.ts';
import type { Shutdown } from './shutdown.ts';

export interface Adapters {
  readonly storage: Storage;
  readonly dns: DnsProvider;
  readonly siteRecords: SiteRecords;
  readonly domainVerifier: DomainVerifier;
  readonly certificates: CertificateIssuer;
  readonly acmeChallenges: AcmeChallengeStore;
  readonly geolocation: Geolocation;
  readonly clientIp: ClientIpResolver;
  readonly email: EmailSender;
}

interface AdapterDeps {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly redis: Redis;
  readonly logger: Logger;
  readonly integrations: Integrations;
  readonly shutdown: Shutdown;
}

function createStorage({ config, integrations, shutdown }: AdapterDeps): Storage {
  const call = integrations.get('storage').call;
  const settings = config.integrations.storage;
  if (settings.driver === 'local') {
    return createLocalStorage({
      rootDirectory: settings.local.rootDirectory,
      publicUrl: config.http.publicUrl,
      signingSecret: config.signing.secret,
      call,
    });
  }
  const storage = createS3Storage({ ...settings.s3, call });
  shutdown.register('s3', () => {
    storage.close();
    return Promise.resolve();
  });
  return storage;
}

function createDns({ config, db, redis, logger, integrations }: AdapterDeps): DnsProvider {
  const call = integrations.get('dns').call;
  const { cloudflare } = config.integrations.dns;
  if (cloudflare === undefined) {
    return createLocalDns({ db, call });
  }
  return createCloudflareDns({
    apiToken: cloudflare.apiToken,
    zoneId: cloudflare.zoneId,
    apiBaseUrl: cloudflare.apiUrl,
    call,
    rateLimit: {
      redis,
      keyPrefix: config.redis.keyPrefix,
      onUnavailable: (err) => {
        logger.warn({ err }, 'Cloudflare request budget unavailable; sending unthrottled');
      },
    },
  });
}

function createCertificates(deps: AdapterDeps, storage: Storage, challenges: AcmeChallengeStore) {
  const call = deps.integrations.get('ssl').call;
  const settings = deps.config.integrations.ssl;
  return settings.provider === 'local'
    ? createLocalCertificateAuthority({ storage, call, validityDays: settings.validityDays })
    : createAcmeCertificateAuthority({
        directoryUrl: settings.directoryUrl,
        accountEmail: settings.accountEmail,
        storage,
        challenges,
        call,
      });
}

function createGeolocation({ config, redis, logger, integrations }: AdapterDeps): Geolocation {
  const settings = config.integrations.geolocation;
  // Each provider fails on its own: one vendor's outage must not short-circuit the others.
  const providers = settings.providers.map((provider) => {
    const call = integrations.addBreaker('geolocation', `geolocation:${provider.name}`).call;
    switch (provider.name) {
      case 'ipapi':
        return { name: provider.name, geolocation: createIpapiGeolocation({ ...provider, call }) };
      case 'ipstack':
        return {
          name: provider.name,
          geolocation: createIpstackGeolocation({ ...provider, call }),
        };
      case 'ipgeolocation':
        return {
          name: provider.name,
          geolocation: createIpgeolocationGeolocation({ ...provider, call }),
        };
    }
  });
  return createFailoverGeolocation({
    providers,
    fallback: createOfflineGeolocation({ databasePath: settings.databasePath }),
    cache: { redis, keyPrefix: config.redis.keyPrefix, ttlSeconds: settings.cacheTtlSeconds },
    logger: logger.child({ integration: 'geolocation' }),
  });
}

function createEmail({ config, integrations }: AdapterDeps): EmailSender {
  const email = integrations.get('email');
  const settings = config.integrations.email;
  switch (settings.driver) {
    case 'outbox':
      return createOutboxEmail({
        directory: settings.outboxDirectory,
        from: settings.from,
        call: email.call,
      });
    case 'smtp':
      return createSmtpEmail({
        ...settings.smtp,
        from: settings.from,
        call: email.call,
        timeoutMs: config.integrations.resilience.email.timeoutMs,
      });
    case 'resend':
      return createResendEmail({ ...settings.resend, from: settings.from, call: email.call });
  }
}

/** Builds the adapter of each port that config selects, each behind its breaker. */
export function createAdapters(deps: AdapterDeps): Adapters {
  const storage = createStorage(deps);
  const acmeChallenges = createRedisAcmeChallengeStore({
    redis: deps.redis,
    keyPrefix: `${deps.config.redis.keyPrefix}acme-challenge:`,
  });
  const dns = createDns(deps);
  return {
    storage,
    dns,
    siteRecords: createSiteRecords({
      dns,
      baseDomain: deps.config.sites.baseDomain,
      target: deps.config.integrations.dns.siteTarget,
    }),
    domainVerifier: createDomainVerifier({
      resolverAddress: deps.config.integrations.dns.resolverAddress,
      // Customers' broken nameservers must not open the breaker of our own DNS writes.
      call: deps.integrations.addBreaker('dns', 'dns:verification').call,
    }),
    certificates: createCertificates(deps, storage, acmeChallenges),
    acmeChallenges,
    geolocation: createGeolocation(deps),
    clientIp: createClientIpResolver({
      trustedProxies: [...deps.config.integrations.geolocation.trustedProxies],
    }),
    email: createEmail(deps),
  };
}
