import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { createRouter } from '../create-router.ts';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>RoleRabbit API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/init.js"></script>
  </body>
</html>
`;

const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  persistAuthorization: true,
});
`;

const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

/**
 * The docs page, with Swagger UI served from the installed package so it works offline.
 * Assets are read on first request and kept for the life of the process (they never change).
 */
export function docsRoutes() {
  const assetCache = new Map<string, Promise<Buffer>>();
  const assetDirectory = () =>
    dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

  const router = createRouter();
  router.get('/docs', (c) => c.html(PAGE));
  router.get('/docs/assets/init.js', (c) =>
    c.body(INIT_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  router.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const contentType = ASSETS[file];
    if (contentType === undefined) {
      return c.notFound();
    }
    let body = assetCache.get(file);
    if (body === undefined) {
      body = readFile(join(assetDirectory(), file));
      assetCache.set(file, body);
    }
    return c.body(new Uint8Array(await body), 200, {
      'content-type': contentType,
      'cache-control': 'public, max-age=86400',
    });
  });
  return router;
}
