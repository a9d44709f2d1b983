import type { SeedTemplate } from '../seed-templates.ts';

/**
 * Creative Sunrise: a bold amber-to-rose gradient hero, then warm cream sections. Projects become
 * a grid of image cards, skills a grid of small tiles, everything else a stack of accented cards
 * (the variation is CSS keyed on the `section--<kind>` class; the markup is the same for every kind).
 */
export const creativeSunrise: SeedTemplate = {
  slug: 'creative-sunrise',
  name: 'Creative Sunrise',
  category: 'creative',
  description:
    'A bold, warm page: a sunrise gradient hero, rounded cards and a project grid that puts your work up front.',
  thumbnailUrl:
    "data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%20width='320'%20height='200'%20viewBox='0%200%20320%20200'%3E" +
    "%3Cdefs%3E%3ClinearGradient%20id='g'%20x1='0'%20y1='0'%20x2='1'%20y2='1'%3E" +
    "%3Cstop%20offset='0'%20stop-color='%23b45309'/%3E%3Cstop%20offset='.5'%20stop-color='%23c2410c'/%3E" +
    "%3Cstop%20offset='1'%20stop-color='%23be123c'/%3E%3C/linearGradient%3E%3C/defs%3E" +
    "%3Crect%20width='320'%20height='200'%20fill='%23fff7ed'/%3E" +
    "%3Crect%20width='320'%20height='86'%20fill='url(%23g)'/%3E" +
    "%3Ccircle%20cx='44'%20cy='43'%20r='20'%20fill='%23fed7aa'/%3E" +
    "%3Crect%20x='76'%20y='30'%20width='130'%20height='13'%20rx='3'%20fill='%23ffffff'/%3E" +
    "%3Crect%20x='76'%20y='50'%20width='96'%20height='6'%20rx='3'%20fill='%23ffedd5'/%3E" +
    "%3Crect%20x='20'%20y='102'%20width='84'%20height='84'%20rx='10'%20fill='%23ffffff'%20stroke='%23fed7aa'/%3E" +
    "%3Crect%20x='118'%20y='102'%20width='84'%20height='84'%20rx='10'%20fill='%23ffffff'%20stroke='%23fed7aa'/%3E" +
    "%3Crect%20x='216'%20y='102'%20width='84'%20height='84'%20rx='10'%20fill='%23ffffff'%20stroke='%23fed7aa'/%3E" +
    "%3Crect%20x='28'%20y='110'%20width='68'%20height='36'%20rx='6'%20fill='%23fdba74'/%3E" +
    "%3Crect%20x='126'%20y='110'%20width='68'%20height='36'%20rx='6'%20fill='%23fda4af'/%3E" +
    "%3Crect%20x='224'%20y='110'%20width='68'%20height='36'%20rx='6'%20fill='%23fcd34d'/%3E" +
    "%3Crect%20x='28'%20y='154'%20width='52'%20height='6'%20rx='3'%20fill='%231c1917'/%3E" +
    "%3Crect%20x='126'%20y='154'%20width='52'%20height='6'%20rx='3'%20fill='%231c1917'/%3E" +
    "%3Crect%20x='224'%20y='154'%20width='52'%20height='6'%20rx='3'%20fill='%231c1917'/%3E" +
    "%3Crect%20x='28'%20y='166'%20width='40'%20height='8'%20rx='4'%20fill='%23c2410c'/%3E" +
    "%3Crect%20x='126'%20y='166'%20width='40'%20height='8'%20rx='4'%20fill='%23c2410c'/%3E" +
    "%3Crect%20x='224'%20y='166'%20width='40'%20height='8'%20rx='4'%20fill='%23c2410c'/%3E" +
    '%3C/svg%3E',
  palette: {
    background: '#fff7ed',
    text: '#1c1917',
    muted: '#57534e',
    accent: '#c2410c',
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
  <header class="hero">
    <div class="hero-inner">
      {{#if content.profile.avatarUrl}}
      <img class="avatar" src="{{content.profile.avatarUrl}}" alt="Portrait of {{content.profile.name}}" width="128" height="128">
      {{/if}}
      <div class="intro">
        <h1>{{content.profile.name}}</h1>
        {{#if content.profile.headline}}<p class="headline">{{content.profile.headline}}</p>{{/if}}
        {{#if content.profile.bio}}<p class="bio">{{content.profile.bio}}</p>{{/if}}
        <ul class="chips">
          {{#if content.profile.location}}<li>{{content.profile.location}}</li>{{/if}}
          {{#if content.profile.email}}<li><a href="mailto:{{content.profile.email}}">{{content.profile.email}}</a></li>{{/if}}
          {{#if content.profile.website}}<li><a href="{{content.profile.website}}" rel="noopener noreferrer">{{content.profile.website}}</a></li>{{/if}}
          {{#each content.links}}<li><a href="{{url}}" rel="noopener noreferrer">{{label}}</a></li>{{/each}}
        </ul>
      </div>
    </div>
  </header>
  <main id="main">
    {{#each content.sections}}
    <section class="section section--{{kind}}" aria-labelledby="section-{{@index}}">
      <h2 id="section-{{@index}}">{{title}}</h2>
      {{#if body}}<p class="body">{{body}}</p>{{/if}}
      {{#if items}}
      <div class="cards">
        {{#each items}}
        <article class="card">
          {{#if imageUrl}}<img class="card-image" src="{{imageUrl}}" alt="{{title}}" loading="lazy">{{/if}}
          <div class="card-body">
            {{#if period}}<p class="period">{{period}}</p>{{/if}}
            <h3>{{#if url}}<a href="{{url}}" rel="noopener noreferrer">{{title}}</a>{{else}}{{title}}{{/if}}</h3>
            {{#if subtitle}}<p class="subtitle">{{subtitle}}</p>{{/if}}
            {{#if description}}<p class="description">{{description}}</p>{{/if}}
            {{#if tags}}<ul class="tags">{{#each tags}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
          </div>
        </article>
        {{/each}}
      </div>
      {{/if}}
    </section>
    {{/each}}
  </main>
  <footer class="footer">
    <p>Made by {{content.profile.name}} · Updated <time datetime="{{generatedAt}}">{{generatedAt}}</time></p>
  </footer>
</body>
</html>
`,
  css: `:root {
  --bg: #fff7ed;
  --text: #1c1917;
  --muted: #57534e;
  --accent: #c2410c;
  --card: #ffffff;
  --edge: #fed7aa;
  --sunrise: linear-gradient(135deg, #b45309 0%, #c2410c 45%, #be123c 100%);
  --display: ui-rounded, 'SF Pro Rounded', 'Segoe UI Variable Display', 'Segoe UI', system-ui, sans-serif;
  --font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
}
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 1rem/1.65 var(--font); }
a { color: var(--accent); text-underline-offset: 0.15em; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 3px; }
.skip { position: absolute; left: -100vw; top: 0.75rem; padding: 0.5rem 1rem; border-radius: 999px; background: var(--card); color: var(--accent); }
.skip:focus { left: 0.75rem; z-index: 1; }
.hero { background: var(--sunrise); color: #ffffff; padding: clamp(3rem, 9vw, 6.5rem) 1.5rem clamp(4rem, 10vw, 7rem); }
.hero-inner { display: flex; gap: 2.5rem; align-items: center; max-width: 68rem; margin: 0 auto; }
.avatar { flex: none; width: 8rem; height: 8rem; border-radius: 50%; object-fit: cover; border: 5px solid #ffffff; box-shadow: 0 12px 32px rgb(69 10 10 / 0.35); }
h1, h2, h3 { font-family: var(--display); line-height: 1.1; margin: 0; }
h1 { font-size: clamp(2.5rem, 8vw, 4.75rem); font-weight: 800; letter-spacing: -0.03em; }
.headline { margin: 0.75rem 0 0; font-size: clamp(1.15rem, 2.5vw, 1.5rem); font-weight: 600; color: #ffffff; }
.bio { max-width: 44rem; margin: 1.25rem 0 0; white-space: pre-line; }
.chips { display: flex; flex-wrap: wrap; gap: 0.6rem; margin: 1.75rem 0 0; padding: 0; list-style: none; }
.chips li { padding: 0.35rem 0.95rem; border-radius: 999px; background: rgb(28 25 23 / 0.28); font-size: 0.9rem; font-weight: 600; overflow-wrap: anywhere; }
.chips a { color: #ffffff; text-decoration: none; }
.chips a:hover { text-decoration: underline; }
.hero :focus-visible { outline-color: #ffffff; }
main { max-width: 68rem; margin: -2.5rem auto 0; padding: 0 1.5rem; }
.section { margin-bottom: 3.5rem; }
.section:first-child { padding: 1.75rem; border-radius: 1.5rem; background: var(--card); box-shadow: 0 10px 30px rgb(124 45 18 / 0.12); }
h2 { display: inline-block; margin-bottom: 1.25rem; font-size: clamp(1.6rem, 4vw, 2.25rem); font-weight: 800; }
h2::after { content: ''; display: block; height: 0.35rem; margin-top: 0.35rem; border-radius: 999px; background: var(--sunrise); }
.body { max-width: 46rem; margin: 0 0 1.5rem; white-space: pre-line; }
.cards { display: grid; gap: 1.25rem; }
.card { overflow: hidden; border: 1px solid var(--edge); border-left: 6px solid var(--accent); border-radius: 1.25rem; background: var(--card); }
.card-body { padding: 1.25rem 1.5rem; }
.card-image { display: block; width: 100%; aspect-ratio: 16 / 9; object-fit: cover; background: var(--edge); }
h3 { font-size: 1.25rem; font-weight: 700; }
h3 a { color: inherit; text-decoration-color: var(--accent); }
.period { margin: 0 0 0.3rem; font-size: 0.8rem; font-weight: 700; letter-spacing: 0.08em; text-transform: uppercase; color: var(--accent); }
.subtitle { margin: 0.3rem 0 0; font-weight: 600; color: var(--muted); }
.description { margin: 0.75rem 0 0; white-space: pre-line; }
.tags { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.9rem 0 0; padding: 0; list-style: none; }
.tags li { padding: 0.15rem 0.7rem; border-radius: 999px; background: #ffedd5; color: #9a3412; font-size: 0.8rem; font-weight: 600; }
.section--projects .cards { grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: 1.5rem; }
.section--projects .card { border-left-width: 1px; box-shadow: 0 6px 20px rgb(124 45 18 / 0.1); transition: transform 0.2s ease; }
.section--projects .card:hover { transform: translateY(-4px); }
.section--skills .cards { grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); }
.section--skills .card { border-left-width: 1px; border-top: 5px solid var(--accent); }
.footer { padding: 2.5rem 1.5rem 3rem; text-align: center; font-size: 0.85rem; color: var(--muted); }
@media (max-width: 40rem) {
  .hero-inner { flex-direction: column; align-items: flex-start; gap: 1.5rem; }
  .avatar { width: 6rem; height: 6rem; }
  .card-body { padding: 1rem 1.15rem; }
}
@media (prefers-reduced-motion: reduce) {
  .section--projects .card { transition: none; }
}
@media print {
  .skip { display: none; }
  .hero { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`,
};
