import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../errors/app-error.ts';
import {
  deploymentFailedEmail,
  escapeHtml,
  operatorWebhookFailingEmail,
  pdfReadyEmail,
  webhookEndpointDisabledEmail,
} from './email-templates.ts';

const expiresAt = new Date('2030-03-07T09:05:00Z');

describe(escapeHtml.name, () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe(pdfReadyEmail.name, () => {
  it('names the portfolio, the link and the UTC expiry in both bodies', () => {
    const email = pdfReadyEmail({
      recipientName: 'Ada',
      portfolioTitle: 'Design work',
      downloadUrl: 'https://files.example.com/exports/a.pdf?token=abc&x=1',
      expiresAt,
    });

    expect(email.subject).toBe('Your PDF of "Design work" is ready');
    expect(email.text).toContain('Hello Ada,');
    expect(email.text).toContain('https://files.example.com/exports/a.pdf?token=abc&x=1');
    expect(email.text).toContain('7 March 2030 at 09:05 UTC');
    expect(email.html).toContain(
      'href="https://files.example.com/exports/a.pdf?token=abc&amp;x=1"',
    );
    expect(email.html).toContain('7 March 2030 at 09:05 UTC');
    expect(email.html).toContain('<html lang="en">');
  });

  it('escapes a script in the title and the recipient name in the HTML', () => {
    const email = pdfReadyEmail({
      recipientName: '<img src=x onerror=alert(1)>',
      portfolioTitle: '<script>alert("x")</script>',
      downloadUrl: 'https://files.example.com/a.pdf',
      expiresAt,
    });

    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('greets without a name when none is given', () => {
    const email = pdfReadyEmail({
      portfolioTitle: 'CV',
      downloadUrl: 'http://localhost:3000/a.pdf',
      expiresAt,
    });

    expect(email.text.startsWith('Hello,\n')).toBe(true);
  });

  it('keeps the subject on one line even when the title has line breaks', () => {
    const email = pdfReadyEmail({
      portfolioTitle: 'Line one\r\nBcc: victim@example.com',
      downloadUrl: 'https://files.example.com/a.pdf',
      expiresAt,
    });

    expect(email.subject).toBe('Your PDF of "Line one Bcc: victim@example.com" is ready');
  });

  it.each(['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://example.com/a.pdf', 'a.pdf'])(
    'refuses the non-http(s) link %s',
    (downloadUrl) => {
      expect(() => pdfReadyEmail({ portfolioTitle: 'CV', downloadUrl, expiresAt })).toThrow(
        InvalidInputError,
      );
    },
  );
});

describe(deploymentFailedEmail.name, () => {
  it('names the reason, the deployment and links the dashboard', () => {
    const email = deploymentFailedEmail({
      recipientName: 'Ada',
      portfolioTitle: 'Design work',
      deploymentId: 'dep_123',
      reason: 'Upload to storage timed out',
      dashboardUrl: 'https://app.example.com/portfolios/p1/deployments',
    });

    expect(email.subject).toBe('Deployment of "Design work" failed');
    expect(email.text).toContain('Reason: Upload to storage timed out');
    expect(email.text).toContain('Deployment: dep_123');
    expect(email.text).toContain('https://app.example.com/portfolios/p1/deployments');
    expect(email.html).toContain('href="https://app.example.com/portfolios/p1/deployments"');
    expect(email.html).toContain('<code>dep_123</code>');
  });

  it('escapes markup in the reason and the title', () => {
    const email = deploymentFailedEmail({
      portfolioTitle: '<script>steal()</script>',
      deploymentId: 'dep_1',
      reason: '<b onclick="x()">bad</b>',
      dashboardUrl: 'https://app.example.com/',
    });

    expect(email.html).not.toMatch(/<script|<b /);
    expect(email.html).toContain('&lt;b onclick=&quot;x()&quot;&gt;bad&lt;/b&gt;');
  });

  it('refuses a javascript: dashboard link', () => {
    expect(() =>
      deploymentFailedEmail({
        portfolioTitle: 'CV',
        deploymentId: 'dep_1',
        reason: 'x',
        dashboardUrl: 'javascript:alert(document.cookie)',
      }),
    ).toThrow(InvalidInputError);
  });
});

describe(webhookEndpointDisabledEmail.name, () => {
  const input = {
    recipientName: 'Ada',
    endpointUrl: 'https://hooks.example.com/in?token=s3cret',
    reason: 'no delivery succeeded for 5 days <since Monday>',
    endpointLink: 'https://api.example.com/api/webhook-endpoints/1',
  };

  it('names the endpoint without its query, the reason and how to turn it on again', () => {
    const email = webhookEndpointDisabledEmail(input);

    expect(email.subject).toBe('Your RoleRabbit webhook endpoint was disabled');
    expect(email.text).toContain('We stopped sending webhooks to https://hooks.example.com/in.');
    expect(email.text).toContain('Reason: no delivery succeeded for 5 days <since Monday>');
    expect(email.text).toContain('PATCH {"enabled": true}');
    expect(email.text).not.toContain('s3cret');
    expect(email.html).not.toContain('s3cret');
    expect(email.html).toContain('&lt;since Monday&gt;');
    expect(email.html).toContain('href="https://api.example.com/api/webhook-endpoints/1"');
  });

  it('refuses a javascript: endpoint link', () => {
    expect(() =>
      webhookEndpointDisabledEmail({ ...input, endpointLink: 'javascript:alert(1)' }),
    ).toThrow(InvalidInputError);
  });
});

describe(operatorWebhookFailingEmail.name, () => {
  it('names the global endpoint without its query and since when it fails', () => {
    const email = operatorWebhookFailingEmail({
      endpointUrl: 'https://ops.example.com/hooks?key=abc',
      failingSince: expiresAt,
    });

    expect(email.subject).toBe('The global webhook endpoint keeps failing');
    expect(email.text).toContain('https://ops.example.com/hooks');
    expect(email.text).toContain('7 March 2030 at 09:05 UTC');
    expect(email.text).not.toContain('key=abc');
    expect(email.html).not.toContain('key=abc');
  });
});
