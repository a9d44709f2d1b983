import { describe, expect, it } from 'vitest';

import { escapeHtml } from './escape-html.ts';

describe(escapeHtml.name, () => {
  it('escapes every character that could open a tag, end an attribute or start an entity', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`=</a>`)).toBe(
      '&lt;a href&#x3D;&quot;x&quot; onclick&#x3D;&#x27;y&#x27;&gt;&amp;&#x60;&#x3D;&lt;/a&gt;',
    );
    expect(escapeHtml('plain text · ünïcode')).toBe('plain text · ünïcode');
  });
});
