import { parseArgs } from 'node:util';

import type { Logger } from 'pino';

import type { Config } from '../config/env.ts';
import { type AdoptionEntry, adoptSiteRecords } from '../features/sites/adopt-site-records.ts';
import { createDeps } from './create-deps.ts';

export const DNS_USAGE = `Usage: rolerabbit dns adopt [--apply]

  adopt      marks the site records created before records carried an owner (R-SEC-2):
             CNAMEs with no mark or comment, at a current portfolio's host, pointing at the
             site target. Prints what it would mark; --apply marks them.
`;

function describe(entry: AdoptionEntry): string {
  const { record, portfolioId } = entry;
  return `  ${record.type} ${record.name} -> ${record.content}  (portfolio ${portfolioId}, record ${record.id})`;
}

/** `dns <command>`: DNS maintenance for operators. Returns the exit code. */
export async function runDnsCommand(
  config: Config,
  logger: Logger,
  args: readonly string[],
  out: (text: string) => void,
): Promise<number> {
  const [command, ...rest] = args;
  let apply: boolean;
  try {
    const { values } = parseArgs({
      args: [...rest],
      options: { apply: { type: 'boolean', default: false } },
    });
    apply = values.apply;
  } catch (err) {
    out(`${err instanceof Error ? err.message : String(err)}\n${DNS_USAGE}`);
    return 2;
  }
  if (command !== 'adopt') {
    out(DNS_USAGE);
    return command === undefined ? 0 : 2;
  }
  const deps = createDeps(config, logger);
  try {
    const report = await adoptSiteRecords(
      { db: deps.database.db, dns: deps.adapters.dns, siteRecords: deps.adapters.siteRecords },
      { apply },
    );
    const lines = [
      report.applied
        ? `Marked ${String(report.adopted.length)} record(s) as their portfolio's:`
        : `Dry run: ${String(report.adopted.length)} record(s) would be marked as their portfolio's:`,
      ...report.adopted.map(describe),
    ];
    if (report.changed.length > 0) {
      lines.push('Changed since they were listed, left alone:', ...report.changed.map(describe));
    }
    if (report.ignored.length > 0) {
      lines.push(
        `Not pointing at ${deps.adapters.siteRecords.target}, left alone:`,
        ...report.ignored.map(describe),
      );
    }
    if (!report.applied && report.adopted.length > 0) {
      lines.push('Run again with --apply to mark them.');
    }
    out(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await deps.shutdown.run('dns command finished');
  }
}
