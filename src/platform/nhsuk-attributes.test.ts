import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { srcDir } from '../paths.ts';
import { configureViewEnvironment, nhsukFrontendDir, viewOptions } from './views.ts';

const markSafe = (s: string) => new nunjucks.runtime.SafeString(s);

/** Renders `nhsukAttributes(input)` with the given template path (ours first, or the original only). */
function environment(paths: string[]) {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(paths), viewOptions);
  configureViewEnvironment(env);
  return (input: unknown) =>
    env.renderString(
      '{% from "nhsuk/macros/attributes.njk" import nhsukAttributes %}[{{ nhsukAttributes(input) }}]',
      { input },
    );
}

const cases: unknown[] = [
  undefined,
  null,
  '',
  ' data-x="1"',
  markSafe(' data-safe="<b>"'),
  {},
  { id: 'a', 'aria-hidden': true, hidden: false, tabindex: 0, count: 12.5 },
  { title: 'He said "hi" & <left>', alt: "it's" },
  { empty: undefined, nothing: null, blank: '' },
  { hidden: { value: true, optional: true }, open: { value: false, optional: true } },
  { gone: { value: undefined, optional: true }, kept: { value: 'x', optional: true } },
  { zero: { value: 0, optional: true }, nil: { value: null, optional: false } },
  { safe: markSafe('<i>"quoted"</i>'), safeOptional: { value: markSafe('yes'), optional: true } },
  { list: { value: ['a', "b'<c>&", 'd"e'], type: 'array' } },
  { flag: { value: true, optional: true }, list: { value: [1, 2], type: 'array', optional: true } },
  { list: { value: ['x'], type: 'array', optional: true } },
  { list: { value: 'not an array', type: 'array' } },
  { 'data-<odd>': 'v', 'back\\slash': 'a\\b' },
  { obj: { value: { nested: true } } },
  { asString: { value: 'text', type: 'string', optional: false } },
];

describe('nhsukAttributes in JavaScript', () => {
  const ours = environment([srcDir, nhsukFrontendDir]);
  const original = environment([nhsukFrontendDir]);

  it.each(cases.map((c, i) => [i, c]))('case %i renders exactly as the NHS.UK macro', (_i, input) => {
    expect(ours(input)).toBe(original(input));
  });

  it('is the one the templates import', () => {
    // The shadowing template is found first and calls the JavaScript version.
    expect(ours({ id: 'x' })).toBe('[ id="x"]');
  });
});

describe('NHS.UK components with the JavaScript attributes macro', () => {
  const render = (paths: string[]) => {
    const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(paths), viewOptions);
    configureViewEnvironment(env);
    return env.renderString(
      `{% from "nhsuk/components/button/macro.njk" import button %}
       {% from "nhsuk/components/input/macro.njk" import input %}
       {% from "nhsuk/components/radios/macro.njk" import radios %}
       {% from "nhsuk/components/checkboxes/macro.njk" import checkboxes %}
       {% from "nhsuk/components/select/macro.njk" import select %}
       {% from "nhsuk/components/header/macro.njk" import header %}
       {% from "nhsuk/components/pagination/macro.njk" import pagination %}
       {{ button({ text: "Save", classes: "nhsuk-button--secondary", attributes: { "data-x": "1" } }) }}
       {{ input({ label: { text: "Due" }, id: "due", name: "due", value: 'a "b" <c>', errorMessage: { text: "Enter a date" } }) }}
       {{ radios({ name: "s", fieldset: { legend: { text: "Status" } }, items: [{ value: "a", text: "A", checked: true }, { value: "b", text: "B", conditional: { html: "<p>x</p>" } }] }) }}
       {{ checkboxes({ name: "c", items: [{ value: "1", text: "One", hint: { text: "h" } }] }) }}
       {{ select({ id: "r", name: "r", label: { text: "Region" }, items: [{ value: "", text: "Any" }, { value: "Q34", text: "West", selected: true }] }) }}
       {{ header({ service: { text: "Service", href: "/" }, account: { items: [{ text: "Sign out", action: "/sign-out", method: "post" }] }, navigation: { items: [{ href: "/a", text: "A", current: true }] } }) }}
       {{ pagination({ previous: { href: "?page=1" }, next: { href: "?page=3" }, items: [{ number: 1, href: "?page=1" }, { number: 2, href: "?page=2", current: true }] }) }}`,
      {},
    );
  };

  it('render exactly as with the NHS.UK macro', () => {
    const original = render([nhsukFrontendDir]);
    expect(original).toContain('nhsuk-header');
    expect(render([srcDir, nhsukFrontendDir])).toBe(original);
  });
});
