/**
 * The small fixed documents every built site carries next to its rendered `index.html`.
 * They are plain string builders: every value that comes from a user or the database is escaped
 * for the language of the document it lands in.
 */

import { escapeHtml } from '../../lib/escape-html.ts';

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for XML character data or an attribute value (the five predefined entities). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

/** `robots.txt` letting every crawler in and pointing it at the sitemap. */
export function createRobotsTxt(siteUrl: URL): string {
  // URL serialisation never contains line breaks, so the value cannot add directives.
  const sitemapUrl = new URL('sitemap.xml', siteUrl).href;
  return `User-agent: *\nAllow: /\n\nSitemap: ${sitemapUrl}\n`;
}

/** A one-page sitemap; `lastmod` is the build's calendar day in UTC (W3C date format). */
export function createSitemapXml(siteUrl: URL, generatedAt: Date): string {
  const lastModified = generatedAt.toISOString().slice(0, 10);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    '  <url>',
    `    <loc>${escapeXml(siteUrl.href)}</loc>`,
    `    <lastmod>${lastModified}</lastmod>`,
    '  </url>',
    '</urlset>',
    '',
  ].join('\n');
}

/**
 * The page served for unknown paths. It is self-contained (inline style, absolute home link)
 * because it is answered at any depth, where relative links to the stylesheet would break.
 */
export function createNotFoundHtml(title: string, siteUrl: URL): string {
  const safeTitle = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>Page not found · ${safeTitle}</title>
  <style>
    body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #fafaf9; color: #1c1917; font: 1rem/1.6 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
    main { max-width: 32rem; padding: 2rem 1.5rem; text-align: center; }
    h1 { margin: 0 0 0.5rem; font-size: 2rem; line-height: 1.2; }
    a { color: #1d4ed8; }
  </style>
</head>
<body>
  <main>
    <h1>Page not found</h1>
    <p>This page is not part of ${safeTitle}.</p>
    <p><a href="${escapeHtml(siteUrl.href)}">Go to the home page</a></p>
  </main>
</body>
</html>
`;
}
