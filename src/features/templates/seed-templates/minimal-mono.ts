import type { SeedTemplate } from '../seed-templates.ts';

/**
 * Minimal Mono: one narrow column, near-black type on off-white, a single red accent, serif
 * headings and a lot of air. Sections are separated by hairlines; items read like a CV.
 */
export const minimalMono: SeedTemplate = {
  slug: 'minimal-mono',
  name: 'Minimal Mono',
  category: 'minimal',
  description:
    'A quiet single-column page: serif headings, monochrome text with one red accent, and generous whitespace.',
  thumbnailUrl:
    "data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%20width='320'%20height='200'%20viewBox='0%200%20320%20200'%3E" +
    "%3Crect%20width='320'%20height='200'%20fill='%23fdfdfc'/%3E" +
    "%3Ccircle%20cx='96'%20cy='34'%20r='12'%20fill='%23e4e4e0'/%3E" +
    "%3Crect%20x='84'%20y='56'%20width='118'%20height='12'%20rx='1'%20fill='%23141414'/%3E" +
    "%3Crect%20x='84'%20y='76'%20width='86'%20height='5'%20fill='%235c5c5c'/%3E" +
    "%3Crect%20x='84'%20y='89'%20width='18'%20height='2'%20fill='%23b3261e'/%3E" +
    "%3Crect%20x='84'%20y='110'%20width='56'%20height='6'%20fill='%23141414'/%3E" +
    "%3Crect%20x='84'%20y='124'%20width='152'%20height='4'%20fill='%235c5c5c'/%3E" +
    "%3Crect%20x='84'%20y='133'%20width='132'%20height='4'%20fill='%235c5c5c'/%3E" +
    "%3Crect%20x='84'%20y='156'%20width='56'%20height='6'%20fill='%23141414'/%3E" +
    "%3Crect%20x='84'%20y='170'%20width='152'%20height='4'%20fill='%235c5c5c'/%3E" +
    "%3Crect%20x='84'%20y='179'%20width='104'%20height='4'%20fill='%235c5c5c'/%3E" +
    '%3C/svg%3E',
  palette: {
    background: '#fdfdfc',
    text: '#141414',
    muted: '#5c5c5c',
    accent: '#b3261e',
  },
  source: `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{title}}</title>
  <meta name="description" content="{{#if content.profile.headline}}{{content.profile.headline}}{{else}}{{content.profile.name}}{{/if}}">
  <link rel="canonical" href="{{siteUrl}}">
  <link rel="stylesheet" href="styles.css">
</head>
<body>
  <a class="skip" href="#main">Skip to content</a>
  <header class="masthead">
    {{#if content.profile.avatarUrl}}
    <img class="avatar" src="{{content.profile.avatarUrl}}" alt="Portrait of {{content.profile.name}}" width="72" height="72">
    {{/if}}
    <h1>{{content.profile.name}}</h1>
    {{#if content.profile.headline}}<p class="headline">{{content.profile.headline}}</p>{{/if}}
    {{#if content.profile.bio}}<p class="bio">{{content.profile.bio}}</p>{{/if}}
    <ul class="contact">
      {{#if content.profile.location}}<li>{{content.profile.location}}</li>{{/if}}
      {{#if content.profile.email}}<li><a href="mailto:{{content.profile.email}}">{{content.profile.email}}</a></li>{{/if}}
      {{#if content.profile.website}}<li><a href="{{content.profile.website}}" rel="noopener noreferrer">{{content.profile.website}}</a></li>{{/if}}
      {{#each content.links}}<li><a href="{{url}}" rel="noopener noreferrer">{{label}}</a></li>{{/each}}
    </ul>
  </header>
  <main id="main">
    {{#each content.sections}}
    <section class="section section--{{kind}}" aria-labelledby="section-{{@index}}">
      <h2 id="section-{{@index}}">{{title}}</h2>
      {{#if body}}<p class="body">{{body}}</p>{{/if}}
      {{#if items}}
      <ol class="items">
        {{#each items}}
        <li class="item">
          <div class="item-head">
            <h3>{{#if url}}<a href="{{url}}" rel="noopener noreferrer">{{title}}</a>{{else}}{{title}}{{/if}}</h3>
            {{#if period}}<p class="period">{{period}}</p>{{/if}}
          </div>
          {{#if subtitle}}<p class="subtitle">{{subtitle}}</p>{{/if}}
          {{#if imageUrl}}<img class="figure" src="{{imageUrl}}" alt="{{title}}" loading="lazy">{{/if}}
          {{#if description}}<p class="description">{{description}}</p>{{/if}}
          {{#if tags}}<ul class="tags">{{#each tags}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
        </li>
        {{/each}}
      </ol>
      {{/if}}
    </section>
    {{/each}}
  </main>
  <footer class="colophon">
    <p>{{content.profile.name}} · Updated <time datetime="{{generatedAt}}">{{generatedAt}}</time></p>
  </footer>
</body>
</html>
`,
  css: `:root {
  --bg: #fdfdfc;
  --text: #141414;
  --muted: #5c5c5c;
  --accent: #b3261e;
  --rule: #e4e4e0;
  --serif: 'Iowan Old Style', 'Palatino Linotype', Palatino, 'Book Antiqua', Georgia, serif;
  --sans: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
}
*, *::before, *::after { box-sizing: border-box; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 1.0625rem/1.75 var(--sans);
  -webkit-text-size-adjust: 100%;
}
a { color: var(--accent); text-underline-offset: 0.2em; }
a:hover, a:focus-visible { color: var(--text); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 3px; }
.skip { position: absolute; left: -100vw; top: 1rem; padding: 0.5rem 1rem; background: var(--text); color: var(--bg); }
.skip:focus { left: 1rem; }
.masthead, main, .colophon { max-width: 38rem; margin: 0 auto; padding: 0 1.5rem; }
.masthead { padding-top: 7rem; padding-bottom: 3rem; }
.avatar { display: block; width: 4.5rem; height: 4.5rem; border-radius: 50%; object-fit: cover; filter: grayscale(1); margin-bottom: 2rem; }
h1, h2, h3 { font-family: var(--serif); font-weight: 600; line-height: 1.2; margin: 0; }
h1 { font-size: clamp(2.25rem, 7vw, 3.25rem); letter-spacing: -0.015em; }
h1::after { content: ''; display: block; width: 2.5rem; height: 3px; margin-top: 1.5rem; background: var(--accent); }
.headline { margin: 1.5rem 0 0; font-family: var(--serif); font-size: 1.3rem; font-style: italic; color: var(--muted); }
.bio, .body, .description { white-space: pre-line; }
.bio { margin: 1.5rem 0 0; }
.contact { display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; margin: 2rem 0 0; padding: 0; list-style: none; font-size: 0.95rem; color: var(--muted); }
.section { padding: 3.5rem 0; border-top: 1px solid var(--rule); }
h2 { font-size: 1.5rem; margin-bottom: 1.5rem; }
.body { margin: 0 0 2rem; }
.items { margin: 0; padding: 0; list-style: none; }
.item + .item { margin-top: 2.5rem; }
.item-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 0 1rem; }
h3 { font-size: 1.15rem; }
h3 a { color: inherit; text-decoration-color: var(--accent); }
.period { margin: 0; font-size: 0.875rem; color: var(--muted); font-variant-numeric: tabular-nums; }
.subtitle { margin: 0.15rem 0 0; color: var(--muted); }
.figure { display: block; width: 100%; height: auto; margin: 1rem 0 0; border: 1px solid var(--rule); }
.description { margin: 0.75rem 0 0; }
.tags { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; margin: 0.75rem 0 0; padding: 0; list-style: none; font-size: 0.85rem; color: var(--muted); }
.tags li::before { content: '— '; color: var(--accent); }
.section--skills .items { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1.5rem 2rem; }
.section--skills .item + .item { margin-top: 0; }
.colophon { padding-top: 2rem; padding-bottom: 5rem; border-top: 1px solid var(--rule); font-size: 0.85rem; color: var(--muted); }
@media (max-width: 40rem) {
  body { font-size: 1rem; }
  .masthead { padding-top: 3.5rem; }
  .section { padding: 2.5rem 0; }
  .item-head { flex-direction: column; }
}
@media print {
  .skip { display: none; }
  .section { break-inside: avoid-page; }
}
`,
};
