import { InvalidInputError } from '../../errors/app-error.ts';

/** Subject and both bodies of one email, ready for an {@link EmailMessage}. */
export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface PdfReadyEmailInput {
  readonly recipientName?: string | undefined;
  readonly portfolioTitle: string;
  /** A signed download link (http or https). */
  readonly downloadUrl: string;
  readonly expiresAt: Date;
}

export interface DeploymentFailedEmailInput {
  readonly recipientName?: string | undefined;
  readonly portfolioTitle: string;
  readonly deploymentId: string;
  readonly reason: string;
  readonly dashboardUrl: string;
}

export interface WebhookEndpointDisabledEmailInput {
  readonly recipientName?: string | undefined;
  /** The endpoint's URL; only its origin and path are shown (a query may hold a token). */
  readonly endpointUrl: string;
  readonly reason: string;
  /** Where the endpoint can be read and turned on again. */
  readonly endpointLink: string;
}

export interface OperatorWebhookFailingEmailInput {
  readonly endpointUrl: string;
  readonly failingSince: Date;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** Only http(s) links: a `javascript:` or `data:` URL must never reach a mail client. */
function safeLink(url: string, field: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError('request.invalid', `${field} is not a URL`, {
      fieldIssues: [{ path: field, message: 'must be an absolute http(s) URL' }],
    });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidInputError('request.invalid', `${field} must be an http(s) URL`, {
      fieldIssues: [{ path: field, message: 'must be an absolute http(s) URL' }],
    });
  }
  return parsed.href;
}

/** Titles come from users: keep subjects on one line and of a sane length. */
function subjectText(value: string): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 79)}…` : oneLine;
}

function greeting(recipientName: string | undefined): string {
  const name = recipientName?.replace(/\s+/g, ' ').trim();
  return name === undefined || name === '' ? 'Hello,' : `Hello ${name},`;
}

const UTC_DATE = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'UTC',
});

function formatUtc(date: Date): string {
  return `${UTC_DATE.format(date)} UTC`;
}

const FONT = 'font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2933';
const BUTTON =
  'display:inline-block;padding:12px 20px;background:#1d4ed8;color:#ffffff;' +
  'text-decoration:none;border-radius:6px;font-weight:bold';

/** Plain single-column HTML: no images, scripts or external styles; escaped `title`. */
function layout(title: string, paragraphs: readonly string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#f5f7fa;${FONT}">`,
    '<main style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;border-radius:8px">',
    ...paragraphs.map((paragraph) => `<p style="margin:0 0 16px">${paragraph}</p>`),
    '<p style="margin:24px 0 0;font-size:14px;color:#52606d">— RoleRabbit</p>',
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
}

function button(href: string, label: string): string {
  return `<a href="${escapeHtml(href)}" style="${BUTTON}">${escapeHtml(label)}</a>`;
}

/** "Your PDF is ready": the signed download link and when it stops working. */
export function pdfReadyEmail(input: PdfReadyEmailInput): EmailContent {
  const link = safeLink(input.downloadUrl, 'downloadUrl');
  const expires = formatUtc(input.expiresAt);
  const subject = `Your PDF of "${subjectText(input.portfolioTitle)}" is ready`;
  const text = [
    greeting(input.recipientName),
    '',
    `The PDF of your portfolio "${input.portfolioTitle}" is ready.`,
    '',
    `Download it: ${link}`,
    '',
    `The link works until ${expires}. After that, export the portfolio again.`,
    '',
    '— RoleRabbit',
  ].join('\n');
  const html = layout(subject, [
    escapeHtml(greeting(input.recipientName)),
    `The PDF of your portfolio <strong>${escapeHtml(input.portfolioTitle)}</strong> is ready.`,
    button(link, 'Download the PDF'),
    `Or copy this link into your browser:<br><a href="${escapeHtml(link)}">${escapeHtml(link)}</a>`,
    `The link works until ${escapeHtml(expires)}. After that, export the portfolio again.`,
  ]);
  return { subject, text, html };
}

/** "Deployment failed": why, which deployment, and where to look. */
export function deploymentFailedEmail(input: DeploymentFailedEmailInput): EmailContent {
  const link = safeLink(input.dashboardUrl, 'dashboardUrl');
  const subject = `Deployment of "${subjectText(input.portfolioTitle)}" failed`;
  const text = [
    greeting(input.recipientName),
    '',
    `We could not deploy your portfolio "${input.portfolioTitle}".`,
    '',
    `Reason: ${input.reason}`,
    `Deployment: ${input.deploymentId}`,
    '',
    `See the details and try again: ${link}`,
    '',
    '— RoleRabbit',
  ].join('\n');
  const html = layout(subject, [
    escapeHtml(greeting(input.recipientName)),
    `We could not deploy your portfolio <strong>${escapeHtml(input.portfolioTitle)}</strong>.`,
    `Reason: ${escapeHtml(input.reason)}<br>Deployment: <code>${escapeHtml(input.deploymentId)}</code>`,
    button(link, 'Open the dashboard'),
  ]);
  return { subject, text, html };
}

/** A URL without its query or fragment, for mail text. */
function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** "Your webhook endpoint was disabled": which one, why, and how to turn it on again. */
export function webhookEndpointDisabledEmail(
  input: WebhookEndpointDisabledEmailInput,
): EmailContent {
  const link = safeLink(input.endpointLink, 'endpointLink');
  const endpoint = withoutQuery(input.endpointUrl);
  const subject = 'Your RoleRabbit webhook endpoint was disabled';
  const advice =
    'Fix the receiver, then turn the endpoint on again with PATCH {"enabled": true}; ' +
    'failed deliveries can be sent again with POST .../deliveries/{id}/redeliver.';
  const text = [
    greeting(input.recipientName),
    '',
    `We stopped sending webhooks to ${endpoint}.`,
    '',
    `Reason: ${input.reason}`,
    '',
    advice,
    `Endpoint: ${link}`,
    '',
    '— RoleRabbit',
  ].join('\n');
  const html = layout(subject, [
    escapeHtml(greeting(input.recipientName)),
    `We stopped sending webhooks to <code>${escapeHtml(endpoint)}</code>.`,
    `Reason: ${escapeHtml(input.reason)}`,
    escapeHtml(advice),
    button(link, 'Open the endpoint'),
  ]);
  return { subject, text, html };
}

/** For the operator: the global endpoint keeps failing (it is never disabled). */
export function operatorWebhookFailingEmail(input: OperatorWebhookFailingEmailInput): EmailContent {
  const endpoint = withoutQuery(input.endpointUrl);
  const since = formatUtc(input.failingSince);
  const subject = 'The global webhook endpoint keeps failing';
  const text = [
    'Hello,',
    '',
    `No webhook sent to DEPLOYMENT_WEBHOOK_URL (${endpoint}) has succeeded since ${since}.`,
    'The endpoint stays enabled and every delivery keeps its retry schedule.',
    '',
    '— RoleRabbit',
  ].join('\n');
  const html = layout(subject, [
    'Hello,',
    `No webhook sent to DEPLOYMENT_WEBHOOK_URL (<code>${escapeHtml(endpoint)}</code>) has ` +
      `succeeded since ${escapeHtml(since)}.`,
    'The endpoint stays enabled and every delivery keeps its retry schedule.',
  ]);
  return { subject, text, html };
}
