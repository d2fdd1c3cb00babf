/**
 * The Markdown report read by a CommonMark parser (markdown-it, as GitHub renders GFM: tables on),
 * through the built CLI on the demo pair: module changes stay one flat list whose items start with
 * the change, tables are tables. The module changes to find are those of the same run's JSON report.
 */
import MarkdownIt from 'markdown-it';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from '../commands/cli.js';

let markdown: string;
let json: { binaries: Array<{ path: string; modules: Array<{ path: string; change: string }> }> };

beforeAll(async () => {
  await ensureBuilt();
  const args = ['compare', `oci:${ROOT}/fixtures/demo:v1`, `oci:${ROOT}/fixtures/demo:v2`, '--no-cache'];
  const [md, js] = await Promise.all([
    runCli([...args, '--output', 'markdown']),
    runCli([...args, '--json']),
  ]);
  expect(md.status, md.stderr).toBe(0);
  markdown = md.stdout;
  json = JSON.parse(js.stdout) as typeof json;
}, 180_000);

describe('Markdown report in CommonMark', () => {
  it('lists module changes as one flat list, each item naming its change and module', () => {
    const tokens = new MarkdownIt({ html: true }).parse(markdown, {});
    const modules = json.binaries.flatMap((b) => b.modules);
    expect(modules.map((m) => m.change).sort()).toEqual(['added', 'upgraded']);
    const lists = tokens.filter((t) => t.type === 'bullet_list_open');
    // One list per binary with module changes, none nested in another (a `- + …` item would nest).
    expect(lists.map((t) => t.level)).toEqual([0]);
    const items = tokens.filter((t) => t.type === 'inline' && t.level === 3).map((t) => t.content);
    expect(items).toHaveLength(modules.length);
    for (const module of modules) {
      expect(items).toContainEqual(
        expect.stringMatching(new RegExp(`^${module.change} <code>${module.path}</code>`)),
      );
    }
  });

  it('renders every table of the report (image, layers, binaries, files, …) as a table', () => {
    const html = new MarkdownIt({ html: true }).render(markdown);
    // A GFM table is a header row followed by a delimiter row: count those in the source.
    const delimiterRows = markdown.split('\n').filter((line) => /^\|(\s*:?-+:?\s*\|)+\s*$/.test(line));
    expect(delimiterRows.length).toBeGreaterThanOrEqual(3);
    expect(html.match(/<table>/g)).toHaveLength(delimiterRows.length);
    expect(html).not.toMatch(/<li>\s*<ul>/);
  });
});
