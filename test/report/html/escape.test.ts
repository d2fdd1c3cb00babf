import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from '../../../src/report/html/escape.js';
import { SCRIPT } from '../../../src/report/html/script.js';
import { STYLE } from '../../../src/report/html/style.js';

describe('html template', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const hostile = `<script>alert("x")</script> & 'q'`;
    const out = html`<p title="${hostile}">${hostile}</p>`.value;
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>',
    );
  });

  it('escapes inside arrays, keeps nested templates and trusted markup as they are', () => {
    const items = ['a<b', 'c&d'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>${trusted('<br>')}`.value).toBe(
      '<ul><li>a&lt;b</li><li>c&amp;d</li></ul><br>',
    );
  });

  it('prints numbers and drops null, undefined and booleans', () => {
    expect(html`${1}|${null}|${undefined}|${false}|${true}|${0}`.value).toBe('1|||||0');
  });

  it('has no way out of the inline script and style elements', () => {
    expect(SCRIPT).not.toMatch(/<\/script/i);
    expect(STYLE).not.toMatch(/<\/style/i);
  });

  it('escapes the five characters that matter and nothing else', () => {
    expect(escapeHtml(`&<>"' main.(*T).M[...] ü`)).toBe('&amp;&lt;&gt;&quot;&#39; main.(*T).M[...] ü');
  });
});
