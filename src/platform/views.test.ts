import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { afterAll, describe, expect, it } from 'vitest';
import { configureViewEnvironment, indentFilter, templateDirs, useFrames, viewOptions } from './views.ts';

// The Map-based Frame (views.ts) must behave exactly as Nunjucks' own: each template here is
// rendered with both and the outputs compared.
// An included template that writes a variable the including template also has: the write must stay
// inside the include (its frame isolates writes).
const includeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cln-frames-'));
fs.writeFileSync(
  path.join(includeDir, 'include.njk'),
  '{% set top = "set in an include" %}({{ top }}){% for r in rows %}{% set top = r.name %}{% endfor %}',
);
const env = new nunjucks.Environment(
  new nunjucks.FileSystemLoader([includeDir, ...templateDirs]),
  viewOptions,
);
configureViewEnvironment(env);

const scoping = `
{%- set top = "outer" -%}
{%- macro card(title, body="none", tone=undefined) -%}
  [{{ title }}|{{ body }}|{{ tone or "plain" }}|{{ top }}{% if caller %}|{{ caller() }}{% endif %}]
{%- endmacro -%}
{% for row in rows %}
  {{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.first }}/{{ loop.last }}/{{ loop.length }}:
  {%- set top = "inner " ~ row.name %}{{ top }}
  {%- for tag in row.tags %} {{ loop.index }}.{{ tag }}{% if loop.last %}!{% endif %}{% else %} no tags{% endfor %}
  {{ card(row.name, tone=row.tone) }}
  {%- call card("called") %}body of {{ row.name }} and {{ loop.index }}{% endcall %}
{% else %}
  nothing
{% endfor %}
after the loop: {{ top }}
{%- macro shadow() %}{% set top = "set in a macro" %}{% for r in rows %}{% set top = r.name %}{% endfor %}({{ top }}){% endmacro %}
{{ shadow() }} then {{ top }}
{% for r in rows %}{% set top = "in a loop" %}{% include "include.njk" %} then {{ top }}{% endfor %}
{% call card("isolated") %}{% set top = "set in a caller body" %}{{ top }}{% endcall %} then {{ top }}
{%- macro counter(n) %}{% if n > 0 %}{{ n }},{{ counter(n - 1) }}{% endif %}{% endmacro %} {{ counter(3) }}
{% if rows | length %}{% set top = "changed in if" %}{% endif %}{{ top }}
{% set items = [] %}{% for r in rows %}{% set items = (items.push(r.name), items) %}{% endfor %}{{ items | join(",") }}
{% for k, v in { a: 1, b: null, c: undefined, d: false } %}{{ k }}={{ v }};{% endfor %}
{% set captured %}{% for r in rows %}<{{ r.name }}>{% endfor %}{% endset %}{{ captured }}
{{ missing.deeply.nested or "default" }} {{ rows[0].name if rows else "" }}
{% set unset = undefined %}{{ unset if unset !== undefined else "undefined stays undefined" }}`;

const components = `
{% from "nhsuk/components/summary-list/macro.njk" import summaryList %}
{% from "nhsuk/components/tables/macro.njk" import table %}
{% from "nhsuk/components/radios/macro.njk" import radios %}
{% from "nhsuk/components/checkboxes/macro.njk" import checkboxes %}
{% from "nhsuk/components/select/macro.njk" import select %}
{% from "nhsuk/components/textarea/macro.njk" import textarea %}
{% from "nhsuk/components/date-input/macro.njk" import dateInput %}
{% from "nhsuk/components/error-summary/macro.njk" import errorSummary %}
{% from "nhsuk/components/details/macro.njk" import details %}
{% from "nhsuk/components/tag/macro.njk" import tag %}
{% from "nhsuk/components/card/macro.njk" import card %}
{% from "nhsuk/components/pagination/macro.njk" import pagination %}
{% from "nhsuk/components/header/macro.njk" import header %}
{% from "nhsuk/components/footer/macro.njk" import footer %}
{{ header({ service: { text: "Service", href: "/" }, account: { items: [{ text: "Sign out", action: "/sign-out", method: "post" }] }, navigation: { items: [{ href: "/a", text: "A", current: true }, { href: "/b", text: "B" }] } }) }}
{{ errorSummary({ titleText: "There is a problem", errorList: [{ text: "Enter a name", href: "#name" }, { text: "Choose one", href: "#s" }] }) }}
{% for row in rows %}
  {{ summaryList({ rows: [{ key: { text: "Name" }, value: { text: row.name }, actions: { items: [{ href: "#", text: "Change", visuallyHiddenText: row.name }] } }, { key: { text: "Tags" }, value: { html: row.tags | join("<br>") } }] }) }}
  {{ radios({ idPrefix: "s-" ~ loop.index, name: "s-" ~ loop.index, classes: "nhsuk-radios--inline", fieldset: { legend: { text: row.name, size: "s" } }, hint: { text: "Pick one" }, errorMessage: { text: "Choose" } if loop.first, items: [{ value: "a", text: "A", checked: loop.first }, { divider: "or" }, { value: "b", text: "B", hint: { text: "b hint" }, conditional: { html: "<p>more</p>" } }] }) }}
  {{ checkboxes({ idPrefix: "c-" ~ loop.index, name: "c", items: [{ value: "yes", text: row.name ~ " presented", checked: loop.last }, { value: "none", text: "None", behaviour: "exclusive" }] }) }}
  {{ tag({ text: row.tone or "none", classes: "nhsuk-tag--grey" }) }}
{% endfor %}
{{ table({ caption: "Sets", firstCellIsHeader: true, head: [{ text: "Name" }, { text: "Tags", format: "numeric" }], rows: tableRows }) }}
{{ select({ id: "r", name: "r", label: { text: "Region" }, items: [{ value: "", text: "Any" }, { value: "Q34", text: "West", selected: true }] }) }}
{{ textarea({ id: "t", name: "t", label: { text: "Notes" }, value: "<b>notes</b>", rows: 3 }) }}
{{ dateInput({ id: "d", namePrefix: "d", fieldset: { legend: { text: "Date" } }, items: [{ name: "day", value: "1" }, { name: "month" }, { name: "year", classes: "nhsuk-input--width-4" }] }) }}
{{ details({ summaryText: "More", html: "<p>inside</p>" }) }}
{{ card({ heading: "A card", headingLevel: 3, href: "/x", description: "text", clickable: true }) }}
{{ pagination({ previous: { href: "?page=1" }, next: { href: "?page=3" }, items: [{ number: 1, href: "?page=1" }, { ellipsis: true }, { number: 2, href: "?page=2", current: true }] }) }}
{{ footer({ links: [{ href: "/privacy", text: "Privacy" }], copyright: { text: "Crown copyright" } }) }}`;

const data = {
  rows: [
    { name: 'Ada <Lovelace>', tags: ['quality', 'safety'], tone: 'warm' },
    { name: 'Grace', tags: [], tone: undefined },
    { name: "O'Brien & co", tags: ['a'], tone: null },
  ],
  tableRows: [
    [{ text: 'Set 1' }, { text: '8', format: 'numeric' }],
    [{ text: 'Set 2' }, { html: '<em>none</em>' }],
  ],
};

function renderBoth(template: string, context: Record<string, unknown>) {
  useFrames('stock');
  const stock = env.renderString(template, context);
  useFrames('map');
  return { stock, map: env.renderString(template, context) };
}

describe('Map-based Nunjucks frames', () => {
  afterAll(() => {
    useFrames('map');
    fs.rmSync(includeDir, { recursive: true, force: true });
  });

  it.each([
    ['scoping, loops, macros and calls', scoping, data],
    ['scoping with no rows', scoping, { rows: [] }],
    ['NHS.UK components in loops', components, data],
  ])('render %s exactly as the stock frames do', (_name, template, context) => {
    const { stock, map } = renderBoth(template, context);
    expect(stock).toMatch(/after the loop|nhsuk-header/);
    expect(map).toBe(stock);
  });

  it('render the app layout exactly as the stock frames do', () => {
    const page = `{% extends "views/layouts/base.njk" %}{% block body %}<h1>{{ pageTitle }}</h1>{% endblock %}`;
    const { stock, map } = renderBoth(page, {
      pageTitle: 'A page',
      currentUser: { name: 'Ada', email: 'ada@example.org' },
      navigation: [{ href: '/a', text: 'A', current: true }],
      csrfToken: 'token',
      cspNonce: 'nonce',
      flash: 'Saved',
    });
    expect(stock).toContain('<h1>A page</h1>');
    expect(map).toBe(stock);
  });
});

describe('the indent filter', () => {
  it('indents as the stock Nunjucks filter does, keeping safeness', () => {
    const stock = new nunjucks.Environment().getFilter('indent') as (...a: unknown[]) => unknown;
    const safe = (s: string) => new nunjucks.runtime.SafeString(s);
    const cases: unknown[][] = [
      ['<p>\n  text\n</p>', 6],
      ['one line', 2],
      ['a\n\nb\n', undefined],
      ['a\nb', 3, true],
      [safe('<b>\nsafe</b>'), 4],
      [safe(''), 2],
      ['', 2],
      [null, 2],
      [undefined, 2],
      [false, 2],
    ];
    for (const args of cases) {
      const ours = indentFilter(...(args as [unknown, number?, boolean?]));
      const theirs = stock(...args);
      expect(String(ours)).toBe(String(theirs));
      expect(ours instanceof nunjucks.runtime.SafeString).toBe(theirs instanceof nunjucks.runtime.SafeString);
    }
  });
});
