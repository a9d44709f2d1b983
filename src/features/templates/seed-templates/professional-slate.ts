import type { SeedTemplate } from '../seed-templates.ts';

/**
 * Professional Slate: a dark slate sidebar (profile, contact, links and every `skills` section)
 * beside a light main column for the remaining sections.
 *
 * Handlebars has no equality helper, so the split by section kind uses built-in inline partials:
 * each loop declares one partial per section kind and renders `{{> (lookup . 'kind')}}`. The
 * sidebar loop keeps only `skills`, the main loop keeps everything else. A new section kind must
 * get a partial in both loops (the unit test renders every kind, so a missing one fails there).
 */
export const professionalSlate: SeedTemplate = {
  slug: 'professional-slate',
  name: 'Professional Slate',
  category: 'professional',
  description:
    'A two-column résumé layout: a slate sidebar for profile, links and skills, with experience and projects alongside.',
  thumbnailUrl:
    "data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%20width='320'%20height='200'%20viewBox='0%200%20320%20200'%3E" +
    "%3Crect%20width='320'%20height='200'%20fill='%23f8fafc'/%3E" +
    "%3Crect%20width='100'%20height='200'%20fill='%231e293b'/%3E" +
    "%3Ccircle%20cx='50'%20cy='40'%20r='18'%20fill='%2394a3b8'/%3E" +
    "%3Crect%20x='20'%20y='68'%20width='60'%20height='7'%20fill='%23e2e8f0'/%3E" +
    "%3Crect%20x='26'%20y='81'%20width='48'%20height='4'%20fill='%2394a3b8'/%3E" +
    "%3Crect%20x='16'%20y='104'%20width='68'%20height='4'%20fill='%2393c5fd'/%3E" +
    "%3Crect%20x='16'%20y='114'%20width='56'%20height='4'%20fill='%2393c5fd'/%3E" +
    "%3Crect%20x='16'%20y='136'%20width='30'%20height='10'%20rx='5'%20fill='%23334155'/%3E" +
    "%3Crect%20x='50'%20y='136'%20width='34'%20height='10'%20rx='5'%20fill='%23334155'/%3E" +
    "%3Crect%20x='16'%20y='150'%20width='40'%20height='10'%20rx='5'%20fill='%23334155'/%3E" +
    "%3Crect%20x='122'%20y='24'%20width='74'%20height='8'%20fill='%230f172a'/%3E" +
    "%3Crect%20x='122'%20y='36'%20width='176'%20height='2'%20fill='%231d4ed8'/%3E" +
    "%3Crect%20x='122'%20y='48'%20width='120'%20height='6'%20fill='%23334155'/%3E" +
    "%3Crect%20x='122'%20y='60'%20width='170'%20height='4'%20fill='%23475569'/%3E" +
    "%3Crect%20x='122'%20y='69'%20width='150'%20height='4'%20fill='%23475569'/%3E" +
    "%3Crect%20x='122'%20y='88'%20width='110'%20height='6'%20fill='%23334155'/%3E" +
    "%3Crect%20x='122'%20y='100'%20width='170'%20height='4'%20fill='%23475569'/%3E" +
    "%3Crect%20x='122'%20y='109'%20width='130'%20height='4'%20fill='%23475569'/%3E" +
    "%3Crect%20x='122'%20y='136'%20width='74'%20height='8'%20fill='%230f172a'/%3E" +
    "%3Crect%20x='122'%20y='148'%20width='176'%20height='2'%20fill='%231d4ed8'/%3E" +
    "%3Crect%20x='122'%20y='160'%20width='120'%20height='6'%20fill='%23334155'/%3E" +
    "%3Crect%20x='122'%20y='172'%20width='170'%20height='4'%20fill='%23475569'/%3E" +
    '%3C/svg%3E',
  palette: {
    background: '#f8fafc',
    text: '#0f172a',
    muted: '#475569',
    accent: '#1d4ed8',
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
{{#*inline "item"}}
<article class="item">
  {{#if imageUrl}}<img class="thumb" src="{{imageUrl}}" alt="{{title}}" loading="lazy">{{/if}}
  <div class="item-text">
    <div class="item-head">
      <h3>{{#if url}}<a href="{{url}}" rel="noopener noreferrer">{{title}}</a>{{else}}{{title}}{{/if}}</h3>
      {{#if period}}<p class="period">{{period}}</p>{{/if}}
    </div>
    {{#if subtitle}}<p class="subtitle">{{subtitle}}</p>{{/if}}
    {{#if description}}<p class="description">{{description}}</p>{{/if}}
    {{#if tags}}<ul class="tags">{{#each tags}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
  </div>
</article>
{{/inline}}
{{#*inline "section"}}
<section class="section section--{{kind}}" aria-labelledby="section-{{@index}}">
  <h2 id="section-{{@index}}">{{title}}</h2>
  {{#if body}}<p class="body">{{body}}</p>{{/if}}
  {{#each items}}{{> item}}{{/each}}
</section>
{{/inline}}
  <a class="skip" href="#main">Skip to content</a>
  <div class="layout">
    <header class="sidebar">
      {{#if content.profile.avatarUrl}}
      <img class="avatar" src="{{content.profile.avatarUrl}}" alt="Portrait of {{content.profile.name}}" width="112" height="112">
      {{/if}}
      <h1>{{content.profile.name}}</h1>
      {{#if content.profile.headline}}<p class="headline">{{content.profile.headline}}</p>{{/if}}
      <ul class="contact">
        {{#if content.profile.location}}<li>{{content.profile.location}}</li>{{/if}}
        {{#if content.profile.email}}<li><a href="mailto:{{content.profile.email}}">{{content.profile.email}}</a></li>{{/if}}
        {{#if content.profile.website}}<li><a href="{{content.profile.website}}" rel="noopener noreferrer">{{content.profile.website}}</a></li>{{/if}}
      </ul>
      {{#if content.links}}
      <nav class="side-block" aria-label="Links">
        <h2>Links</h2>
        <ul class="links">{{#each content.links}}<li><a href="{{url}}" rel="noopener noreferrer">{{label}}</a></li>{{/each}}</ul>
      </nav>
      {{/if}}
      {{#each content.sections}}
      {{#*inline "skills"}}
      <section class="side-block" aria-labelledby="section-{{@index}}">
        <h2 id="section-{{@index}}">{{title}}</h2>
        {{#if body}}<p class="body">{{body}}</p>{{/if}}
        {{#each items}}{{> item}}{{/each}}
      </section>
      {{/inline}}
      {{#*inline "about"}}{{/inline}}{{#*inline "experience"}}{{/inline}}{{#*inline "projects"}}{{/inline}}
      {{#*inline "education"}}{{/inline}}{{#*inline "custom"}}{{/inline}}
      {{> (lookup . 'kind')}}
      {{/each}}
    </header>
    <main id="main" class="content">
      {{#if content.profile.bio}}<p class="bio">{{content.profile.bio}}</p>{{/if}}
      {{#each content.sections}}
      {{#*inline "skills"}}{{/inline}}{{#*inline "about"}}{{> section}}{{/inline}}
      {{#*inline "experience"}}{{> section}}{{/inline}}{{#*inline "projects"}}{{> section}}{{/inline}}
      {{#*inline "education"}}{{> section}}{{/inline}}{{#*inline "custom"}}{{> section}}{{/inline}}
      {{> (lookup . 'kind')}}
      {{/each}}
    </main>
    <footer class="footer">
      <p>{{content.profile.name}} · Updated <time datetime="{{generatedAt}}">{{generatedAt}}</time></p>
    </footer>
  </div>
</body>
</html>
`,
  css: `:root {
  --bg: #f8fafc;
  --text: #0f172a;
  --muted: #475569;
  --accent: #1d4ed8;
  --side-bg: #1e293b;
  --side-text: #e2e8f0;
  --side-muted: #94a3b8;
  --side-link: #93c5fd;
  --line: #cbd5e1;
  --font: 'Segoe UI', system-ui, -apple-system, Roboto, 'Helvetica Neue', Arial, sans-serif;
}
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 1rem/1.6 var(--font); }
a { color: var(--accent); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -100vw; top: 0.5rem; padding: 0.5rem 1rem; background: var(--bg); color: var(--accent); }
.skip:focus { left: 0.5rem; z-index: 1; }
.layout { display: grid; grid-template-columns: minmax(15rem, 20rem) minmax(0, 1fr); min-height: 100vh; }
.sidebar {
  grid-row: 1 / span 2;
  padding: 3rem 2rem;
  background: var(--side-bg);
  color: var(--side-text);
}
.sidebar a { color: var(--side-link); }
.sidebar :focus-visible { outline-color: var(--side-link); }
.avatar { display: block; width: 7rem; height: 7rem; margin-bottom: 1.5rem; border-radius: 50%; object-fit: cover; border: 3px solid #334155; }
h1 { margin: 0; font-size: 1.75rem; line-height: 1.2; }
.headline { margin: 0.5rem 0 0; color: var(--side-muted); }
.contact, .links, .tags { margin: 0; padding: 0; list-style: none; }
.contact { margin-top: 1.5rem; font-size: 0.9rem; overflow-wrap: anywhere; }
.contact li + li, .links li + li { margin-top: 0.35rem; }
.side-block { margin-top: 2.25rem; }
.sidebar h2 { margin: 0 0 0.75rem; font-size: 0.75rem; letter-spacing: 0.12em; text-transform: uppercase; color: var(--side-muted); }
.sidebar .item { margin-top: 0.75rem; gap: 0.75rem; }
.sidebar .thumb { width: 2.5rem; height: 2.5rem; }
.sidebar .item-head { display: block; }
.sidebar h3 { font-size: 0.95rem; }
.sidebar .period, .sidebar .subtitle { color: var(--side-muted); }
.sidebar .tags li { background: #334155; color: var(--side-text); }
.content { padding: 3.5rem clamp(1.5rem, 5vw, 4rem) 2rem; max-width: 52rem; }
.bio { margin: 0 0 1rem; font-size: 1.1rem; white-space: pre-line; }
.body, .description { white-space: pre-line; }
.section { margin-top: 2.5rem; }
.section h2 { margin: 0 0 1.25rem; padding-bottom: 0.4rem; font-size: 1.2rem; border-bottom: 2px solid var(--accent); }
.item { display: flex; gap: 1.25rem; }
.content .item + .item { margin-top: 1.5rem; padding-top: 1.5rem; border-top: 1px solid var(--line); }
.item-text { flex: 1; min-width: 0; }
.thumb { flex: none; width: 7.5rem; height: 5rem; border-radius: 4px; object-fit: cover; }
.item-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 0 1rem; }
h3 { margin: 0; font-size: 1.05rem; }
.period { margin: 0; font-size: 0.85rem; color: var(--muted); white-space: nowrap; }
.subtitle { margin: 0.1rem 0 0; font-weight: 600; color: var(--muted); }
.description { margin: 0.5rem 0 0; }
.tags { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-top: 0.6rem; }
.tags li { padding: 0.1rem 0.6rem; border-radius: 999px; background: #e2e8f0; color: #334155; font-size: 0.8rem; }
.footer { padding: 2rem clamp(1.5rem, 5vw, 4rem) 3rem; font-size: 0.85rem; color: var(--muted); }
@media (max-width: 48rem) {
  .layout { grid-template-columns: 1fr; }
  .sidebar { grid-row: auto; padding: 2.5rem 1.5rem; }
  .item { flex-direction: column; }
  .thumb { width: 100%; height: auto; max-height: 12rem; }
}
@media print {
  .skip { display: none; }
  .layout { grid-template-columns: 16rem 1fr; }
}
`,
};
