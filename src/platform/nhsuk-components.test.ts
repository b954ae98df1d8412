import fs from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { srcDir } from '../paths.ts';
import { headingHtml, legendHtml } from './nhsuk-components.ts';
import { configureViewEnvironment, nhsukFrontendDir, templateDirs, viewOptions } from './views.ts';

// Every case is rendered twice, through nhsuk-frontend's own templates (an environment whose only
// template directory is the library's) and through ours (the app's template path, where the
// macro files under src/nhsuk/components/ shadow the library's), and the two must be identical.

const markSafe = (s: string) => new nunjucks.runtime.SafeString(s);

function environment(paths: string[]) {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(paths), viewOptions);
  configureViewEnvironment(env);
  return env;
}
const original = environment([nhsukFrontendDir]);
const ours = environment(templateDirs);

type Component = { dir: string; macro: string };
const radios: Component = { dir: 'radios', macro: 'radios' };
const checkboxes: Component = { dir: 'checkboxes', macro: 'checkboxes' };
const label: Component = { dir: 'label', macro: 'label' };
const hint: Component = { dir: 'hint', macro: 'hint' };
const errorMessage: Component = { dir: 'error-message', macro: 'errorMessage' };
const fieldset: Component = { dir: 'fieldset', macro: 'fieldset' };
const select: Component = { dir: 'select', macro: 'select' };
const input: Component = { dir: 'input', macro: 'input' };
const tag: Component = { dir: 'tag', macro: 'tag' };
/** Library components that are not ours but use label, hint, error message, fieldset or input. */
const users: Component[] = [
  { dir: 'textarea', macro: 'textarea' },
  { dir: 'date-input', macro: 'dateInput' },
  { dir: 'character-count', macro: 'characterCount' },
  { dir: 'file-upload', macro: 'fileUpload' },
  { dir: 'password-input', macro: 'passwordInput' },
  { dir: 'search-input', macro: 'searchInput' },
  { dir: 'header', macro: 'header' },
];

/** The component's output, bracketed so that leading and trailing whitespace count. */
function render(env: nunjucks.Environment, c: Component, params: unknown, call = `${c.macro}(params)`) {
  return env.renderString(
    `{% from "nhsuk/components/${c.dir}/macro.njk" import ${c.macro} %}[{{ ${call} }}]`,
    { params },
  );
}

function expectSame(c: Component, params: unknown) {
  const expected = render(original, c, params);
  expect(render(ours, c, params)).toBe(expected);
  return expected;
}

type Fixture = { name: string; context: Record<string, unknown> };
function fixtures(c: Component): [string, Record<string, unknown>][] {
  const file = path.join(nhsukFrontendDir, 'nhsuk', 'components', c.dir, 'fixtures.json');
  const { fixtures: list } = JSON.parse(fs.readFileSync(file, 'utf8')) as { fixtures: Fixture[] };
  return list.map((f, i) => [`${i} ${f.name}`, f.context]);
}

/**
 * The checks every component rendered in JavaScript gets: each of the library's fixtures renders
 * the same both ways (and contains `marker`), each renders as the library recorded it, and the
 * macro is called as the library's is (no params, keyword params, extra arguments, a call block).
 */
function componentChecks(c: Component, opts: { atLeast: number; marker: string; params: unknown }) {
  const cases = fixtures(c);

  it('has the library fixtures to compare with', () => {
    expect(cases.length).toBeGreaterThan(opts.atLeast);
  });

  it.each(cases)('fixture %s renders exactly as the NHS.UK template', (_name, context) => {
    expect(expectSame(c, context)).toContain(opts.marker);
  });

  it('renders the fixtures as nhsuk-frontend recorded them', () => {
    // The fixture files also hold the library's expected HTML (trimmed): a check on the comparison.
    const file = path.join(nhsukFrontendDir, 'nhsuk', 'components', c.dir, 'fixtures.json');
    const { fixtures: list } = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      fixtures: (Fixture & { html: string; callBlock?: string })[];
    };
    for (const f of list) {
      const rendered = f.callBlock
        ? ours.renderString(
            `{% from "nhsuk/components/${c.dir}/macro.njk" import ${c.macro} %}[{% call ${c.macro}(params) %}${f.callBlock}{% endcall %}]`,
            { params: f.context },
          )
        : render(ours, c, f.context);
      expect(rendered.slice(1, -1).trim()).toBe(f.html.trim());
    }
  });

  it('is called as the macro is: no params, keyword params, extra arguments, a call block', () => {
    const { params } = opts;
    const m = c.macro;
    for (const call of [`${m}()`, `${m}(params=params)`, `${m}(params, "extra")`, `${m}(undefined)`]) {
      expect(render(ours, c, params, call)).toBe(render(original, c, params, call));
    }
    const block = (env: nunjucks.Environment) =>
      env.renderString(
        `{% from "nhsuk/components/${c.dir}/macro.njk" import ${m} %}[{% call ${m}(params) %}ignored{% endcall %}]`,
        { params },
      );
    expect(block(ours)).toBe(block(original));
  });
}

describe('the environments compared', () => {
  it('find the library macros in one and ours in the other', () => {
    const where = (env: nunjucks.Environment, name: string) =>
      (env.getTemplate(name) as unknown as { path: string }).path;
    for (const c of [radios, checkboxes, label, hint, errorMessage, fieldset, select, input, tag]) {
      const name = `nhsuk/components/${c.dir}/macro.njk`;
      expect(where(original, name)).toBe(path.join(nhsukFrontendDir, name));
      expect(where(ours, name)).toBe(path.join(srcDir, name));
    }
    expect(where(original, 'nhsuk/macros/attributes.njk')).toBe(
      path.join(nhsukFrontendDir, 'nhsuk/macros/attributes.njk'),
    );
  });
});

describe.each([radios, checkboxes])('$macro in JavaScript', (c) => {
  componentChecks(c, {
    atLeast: 40,
    marker: `data-module="nhsuk-${c.dir}"`,
    params: { name: 'n', items: [{ value: 'a', text: 'A' }] },
  });

  it('throws where the template throws', () => {
    // `"x" in classes` with classes a number: Nunjucks' `in` accepts arrays, strings and objects only.
    const params = { name: 'n', small: true, classes: 5, items: [] };
    expect(() => render(original, c, params)).toThrow(/Cannot use "in" operator/);
    expect(() => render(ours, c, params)).toThrow(/Cannot use "in" operator/);
    const chosen = { name: 'n', values: new Map([['a', 1]]), items: [{ value: 'a', text: 'A' }] };
    expect(() => render(original, checkboxes, chosen)).toThrow(/Cannot use "in" operator/);
    expect(() => render(ours, checkboxes, chosen)).toThrow(/Cannot use "in" operator/);
  });
});

// ------------------------------------------------------------------------------------------------
// The app's own calls (grep src/**/*.njk for `radios(` and `checkboxes(`), with awkward values.

/** Another component's HTML, as conditional content: an input with a label, hint and error. */
const inputHtml = original.renderString(
  '{% from "nhsuk/components/input/macro.njk" import input %}{{ input({ label: { text: "Email" }, hint: { text: "We use it" }, id: "email", name: "email", errorMessage: { text: "Enter an email" } }) }}',
  {},
);
const odd = `<b>"Tom" & 'Jerry'</b> \\ end`;

const appRadios: [string, unknown][] = [
  [
    'session attendance, inline by class, with an error',
    {
      idPrefix: 'status-42',
      name: 'status-42',
      classes: 'nhsuk-radios--inline',
      fieldset: { legend: { text: 'Ann Smith', size: 's' } },
      items: [
        { value: 'attended', text: 'Attended', checked: true },
        { value: 'apologies', text: 'Sent apologies', checked: false },
        { value: 'absent', text: 'Absent', checked: false },
      ],
      errorMessage: { text: 'Choose an attendance status' },
    },
  ],
  [
    'session action outcome, no error',
    {
      idPrefix: 'status-action-7',
      name: 'status',
      classes: 'nhsuk-radios--inline',
      fieldset: { legend: { text: 'Outcome', size: 's' } },
      items: [
        { value: 'done', text: 'Done' },
        { value: 'carried', text: 'Carried over' },
      ],
      errorMessage: undefined,
    },
  ],
  [
    'self-assessment: inline, hint, value chosen, number values',
    {
      idPrefix: 'rating-3',
      name: 'rating-3',
      inline: true,
      fieldset: { legend: { text: 'Leading with care', size: 's' } },
      hint: { text: 'Last time: Proficient' },
      items: [1, 2, 3, 4].map((n) => ({ value: n, text: `Level ${n}` })),
      value: '3',
      errorMessage: { text: 'Choose a level' },
    },
  ],
  [
    'rater form: hint undefined, value not among the items',
    {
      idPrefix: 'r',
      name: 'r',
      inline: true,
      fieldset: { legend: { text: 'Empathy', size: 's' } },
      hint: undefined,
      items: [
        { value: 'a', text: 'A' },
        { value: 'b', text: 'B' },
      ],
      value: 'z',
    },
  ],
  [
    'apply: page heading legend with a hint and many items',
    {
      idPrefix: 'regionCode',
      name: 'regionCode',
      fieldset: {
        legend: {
          text: 'Which region do you work in?',
          isPageHeading: true,
          classes: 'nhsuk-fieldset__legend--l',
        },
      },
      hint: { text: 'We have suggested London from where Barts Health is based.' },
      items: ['Y56', 'Y58', 'Y59', 'Y60', 'Y61', 'Y62', 'Y63'].map((v, i) => ({
        value: v,
        text: `Region ${v}`,
        checked: i === 2,
      })),
    },
  ],
  [
    'review list: small by class, legend class size, error',
    {
      idPrefix: 'decision',
      name: 'decision',
      classes: 'nhsuk-radios--small',
      fieldset: { legend: { text: 'Decision', classes: 'nhsuk-fieldset__legend--s' } },
      errorMessage: { text: 'Choose a decision' },
      items: [
        { value: 'shortlist', text: 'Shortlist', checked: true },
        { value: 'offer', text: 'Offer a place (beyond the quota, they go on the waitlist)' },
      ],
    },
  ],
  [
    'names, values and text with markup characters',
    {
      idPrefix: `id-${odd}`,
      name: `name-${odd}`,
      fieldset: { legend: { text: `Legend ${odd}`, size: 'm' } },
      hint: { text: `Hint ${odd}` },
      errorMessage: { text: `Error ${odd}` },
      items: [
        { value: odd, text: odd, hint: { text: odd } },
        { value: 'safe', html: markSafe('<strong>safe</strong>'), label: { classes: `c-${odd}` } },
        { value: 'plain html', html: '<em>html param</em>' },
      ],
      value: odd,
    },
  ],
  [
    'conditional content holding another component',
    {
      idPrefix: 'contact',
      name: 'contact',
      fieldset: { legend: { text: 'How should we contact you?', size: 's' } },
      items: [
        { value: 'email', text: 'Email', conditional: { html: inputHtml } },
        { value: 'phone', text: 'Phone', conditional: { html: markSafe(`\n  ${inputHtml}  \n`) } },
        { divider: 'or' },
        { value: 'none', text: 'Do not contact me' },
      ],
      value: 'phone',
    },
  ],
  [
    'without a fieldset, strings for hint and error, safe strings',
    {
      name: 'solo',
      hint: markSafe('<span class="x">safe hint</span>'),
      errorMessage: 'Plain error',
      items: [{ value: 'y', text: markSafe('<b>Yes</b>') }, null, { value: 'n', text: 'No' }],
    },
  ],
];

const appCheckboxes: [string, unknown][] = [
  [
    'session presenters: ids and names per item, hint, some checked',
    {
      idPrefix: 'presented',
      name: 'presented',
      fieldset: { legend: { text: 'Who presented a problem', size: 's' } },
      hint: { text: 'Select everyone who presented a problem to the set at this session' },
      items: ['Ann Smith', `O'Brien & "Co" <Ltd>`, 'Zoë'].map((name, i) => ({
        id: `presented-${i}`,
        name: `presented-${i}`,
        value: 'yes',
        text: name,
        checked: i !== 1,
      })),
    },
  ],
  [
    'plan sharing: hint, one checked by a boolean',
    {
      idPrefix: 'share',
      name: 'share',
      fieldset: { legend: { text: 'Who else may see this plan?', size: 's' } },
      hint: { text: 'Nobody else sees it unless you choose.' },
      items: [
        { value: 'mentor', text: 'My mentor', checked: true },
        { value: 'facilitator', text: 'My action learning set facilitator', checked: false },
      ],
    },
  ],
  [
    'import dry run: no fieldset, one item',
    { idPrefix: 'dryRun', name: 'dryRun', items: [{ value: 'yes', text: 'Check the file only (dry run)' }] },
  ],
  [
    'erasure confirmation with an error',
    {
      idPrefix: 'confirm',
      name: 'confirm',
      fieldset: { legend: { text: 'Confirm', size: 's' } },
      items: [{ value: 'yes', text: 'I want my personal data erased', checked: false }],
      errorMessage: { text: 'Confirm that you want your data erased' },
    },
  ],
  [
    'mentoring goals: values chosen through params.values, hints on items',
    {
      idPrefix: 'goalAreas',
      name: 'goalAreas',
      fieldset: { legend: { text: 'What your goals are about', size: 's' } },
      hint: { text: 'Choose all that apply' },
      values: ['strategy', 'finance'],
      items: [
        { value: 'strategy', text: 'Strategy', hint: { text: 'Planning ahead' } },
        { value: 'finance', text: 'Finance', hint: 'Budgets' },
        { value: 'people', text: 'People', hint: markSafe('<b>Teams</b>') },
        { divider: 'or' },
        { value: 'none', text: 'None of these', behaviour: 'exclusive' },
      ],
      errorMessage: { text: 'Choose at least one area' },
    },
  ],
  [
    'no fieldset with hint, error and item hints: described by all three',
    {
      idPrefix: 'x',
      name: 'x',
      describedBy: 'outer',
      hint: 'Group hint',
      errorMessage: { text: 'Group error' },
      items: [
        { value: '1', text: 'One', hint: 'Item hint' },
        { value: '2', text: 'Two' },
      ],
    },
  ],
  [
    'region checklist: legend class, markup characters, conditional content',
    {
      idPrefix: 'done',
      name: `done-${odd}`,
      fieldset: { legend: { text: `Tick what is done ${odd}`, classes: 'nhsuk-fieldset__legend--s' } },
      items: [
        { value: odd, text: odd, checked: true, conditional: { html: inputHtml } },
        {
          value: 'b',
          text: 'B',
          conditional: { html: markSafe(inputHtml) },
          attributes: { 'data-odd': odd },
        },
      ],
    },
  ],
];

describe('the app’s radios', () => {
  it.each(appRadios)('%s', (_name, params) => {
    expectSame(radios, params);
  });
});

describe('the app’s checkboxes', () => {
  it.each(appCheckboxes)('%s', (_name, params) => {
    expectSame(checkboxes, params);
  });
});

// ------------------------------------------------------------------------------------------------
// Generated params: every option, alone and in combination, including values of unusual types.

/** A small seeded random generator (mulberry32), so that a failure can be reproduced. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  /** An object with each option present with probability p, its value picked from its list. */
  const some = (options: Record<string, readonly unknown[]>, p = 0.35) => {
    const out: Record<string, unknown> = {};
    for (const [key, values] of Object.entries(options)) if (next() < p) out[key] = pick(values);
    return out;
  };
  return { next, pick, some };
}

const texts = ['Text', odd, '  padded\n  over lines  ', '', 0, 7, true, markSafe('<b>safe</b>'), null];
const htmls = ['<b>html</b>', '\n  <p>\n  para\n  </p>\n', markSafe('<i>safe</i>'), '', markSafe('')];
const attributeSets = [
  { 'data-a': 'b' },
  { 'data-q': odd, hidden: { value: true, optional: true } },
  ' data-raw="1"',
  markSafe(' data-safe="1"'),
];
const captions = [
  'Caption',
  markSafe('<b>Caption</b>'),
  { text: 'C', placement: 'before' },
  { text: 'C', placement: 'after', size: 'l' },
  { html: '<b>C</b>', placement: 'start', classes: 'cc' },
  { text: 'C', placement: 'end', id: 'cid', attributes: { x: 'y' }, element: 'P' },
  { text: 'C', placement: 'elsewhere' },
  { text: 'C', size: 'xxl' },
];
const headings = [
  'Heading',
  markSafe('<b>Heading</b>'),
  { text: 'H', level: 2, id: 'hid', attributes: { 'data-h': 1 } },
  { html: '<i>H</i>', caption: 'Cap', size: 'xl' },
  { text: 'H', visuallyHiddenText: 'hidden' },
  { text: 'H', level: 0, caption: { text: 'C', placement: 'end' } },
  { html: '<b>H</b>', level: '', id: '' },
  { caption: { text: 'C', placement: 'after' } },
  false,
  '',
  0,
];

function legend(r: ReturnType<typeof random>): unknown {
  const kind = r.next();
  if (kind < 0.15) return r.pick(['Legend', odd, markSafe('<b>Legend</b>'), '', undefined]);
  return r.some(
    {
      text: texts,
      html: htmls,
      size: ['s', 'm', 'l', 'xl', 'xxl', null, ''],
      classes: ['nhsuk-fieldset__legend--s', 'lc', ['arr'], ''],
      isPageHeading: [true, false, 0],
      heading: headings,
      caption: captions,
      visuallyHiddenText: ['vht', '', null],
      id: ['lid', '', 0],
      attributes: attributeSets,
    },
    0.4,
  );
}

function item(r: ReturnType<typeof random>, checkbox: boolean): unknown {
  const kind = r.next();
  if (kind < 0.06) return r.pick([null, undefined, false, 0, '']);
  if (kind < 0.14) {
    return r.some(
      { divider: ['or', odd, markSafe('<b>or</b>')], behaviour: ['inclusive', 'exclusive'] },
      0.9,
    );
  }
  return r.some(
    {
      value: ['a', 'b', 'c', 2, '2', odd, '', null],
      text: texts,
      html: htmls,
      label: [
        'Label',
        markSafe('<b>Label</b>'),
        { classes: 'lc', attributes: { 'data-l': 1 }, id: 'lid' },
        { text: 'LT', visuallyHiddenText: 'vis' },
        { html: '<u>u</u>', classes: ['x', 'y'] },
        { text: 'LT', heading: 'ignored', size: 'l', caption: 'ignored' },
      ],
      hint: [
        'Item hint',
        markSafe('<b>hint</b>'),
        { text: odd, id: 'ihid', classes: 'hc', attributes: { x: 'y' } },
        { html: '<p>\nx\n</p>' },
        { id: 'no text' },
        { text: 'null id', id: null },
        '',
      ],
      checked: [true, false, null, 0, 'yes'],
      disabled: [true, false, null],
      id: ['own-id', '', 0, odd],
      classes: ['ic', '', markSafe('<x>')],
      attributes: attributeSets,
      conditional: [
        { html: '<p>c</p>' },
        { html: markSafe('  <div>\n  x\n</div>  ') },
        { html: '' },
        {},
        { html: inputHtml },
      ],
      ...(checkbox
        ? {
            name: ['own-name', '', odd],
            behaviour: ['exclusive', 'inclusive', 'other'],
            exclusive: [true, false],
            exclusiveGroup: ['eg', null],
            behaviourGroup: ['bg', ''],
          }
        : {}),
    },
    0.45,
  );
}

function params(r: ReturnType<typeof random>, checkbox: boolean): unknown {
  const kind = checkbox ? 'checkboxes' : 'radios';
  const p = r.some({
    name: ['n', odd, 'x y', 5, ''],
    idPrefix: ['pre', odd, ''],
    classes: [
      `nhsuk-${kind}--inline`,
      `nhsuk-${kind}--small extra`,
      'other',
      markSafe('s<b>'),
      ['a', 'b'],
      '',
    ],
    small: [true, false, 'yes'],
    inline: [true, false],
    hint: [
      'Hint',
      odd,
      markSafe('<b>hint</b>'),
      { text: '  spaced\n text  ' },
      { html: '<p>\n h\n</p>', id: 'hid', classes: 'hc', attributes: { 'data-x': 'y' } },
      { text: '' },
      { id: 'hid' },
      null,
    ],
    errorMessage: [
      true,
      false,
      'Error',
      markSafe('<i>e</i>'),
      { text: odd, visuallyHiddenText: '' },
      { html: '<b>x</b>', id: 'eid', visuallyHiddenText: 'Warn', classes: 'ec', attributes: { a: 'b' } },
      { text: 'E', visuallyHiddenText: null },
      { id: 'eid' },
      1,
    ],
    fieldset: [
      null,
      {},
      true,
      { legend: legend(r) },
      { legend: legend(r) },
      { legend: legend(r) },
      {
        describedBy: 'fdb',
        id: 'fid',
        role: 'group',
        classes: 'fc',
        attributes: { 'data-f': '1' },
        legend: legend(r),
      },
    ],
    formGroup: [
      { classes: 'fg' },
      { attributes: { 'data-g': '"q"' } },
      { beforeInputs: { text: odd }, afterInputs: { html: '<p>\na\n</p>' } },
      { beforeInputs: { html: markSafe('<i>i</i>') }, afterInputs: { text: '' } },
      { beforeInputs: {}, classes: ['a', 'b'] },
    ],
    describedBy: ['outer', ''],
    id: ['gid', '', true, 0],
    attributes: attributeSets,
    disabled: [true, false],
    value: ['a', 'b', 2, '', odd],
    values: [['a', 'c'], 'abc', [], { a: 1, b: 2 }, [2, odd]],
  });
  const count = Math.floor(r.next() * 6);
  if (r.next() < 0.92) p.items = Array.from({ length: count }, () => item(r, checkbox));
  else p.items = r.pick([undefined, null, new Set([{ value: 's', text: 'from a set' }]), 'ab', 3]);
  return p;
}

describe.each([
  [radios, false],
  [checkboxes, true],
] as const)('$macro with generated params', (c, checkbox) => {
  const r = random(checkbox ? 2 : 1);
  const cases = Array.from({ length: 400 }, (_, i) => [i, params(r, checkbox)] as const);
  it.each(cases)('case %i renders exactly as the NHS.UK template', (_i, p) => {
    expectSame(c, p);
  });
});

// ------------------------------------------------------------------------------------------------
// The heading and legend, which label and fieldset use inside (not shadowed: no page calls them),
// compared directly with their templates. Their callers always trim them.

describe.each([
  ['heading', headingHtml],
  ['legend', legendHtml],
] as const)('the internal %s', (name, fn) => {
  const c: Component = { dir: name, macro: name };
  const compare = (p: unknown) => expect(fn(p).trim()).toBe(render(original, c, p).slice(1, -1).trim());

  it.each(fixtures(c))('fixture %s renders as the NHS.UK template', (_name, context) => compare(context));

  const r = random(name === 'heading' ? 3 : 4);
  const cases = Array.from({ length: 300 }, (_, i) => {
    if (name === 'legend') return [i, legend(r)] as const;
    const p = r.some(
      {
        text: texts,
        html: htmls,
        href: ['/x?a=1&b=2', ''],
        className: ['nhsuk-label', 'nhsuk-fieldset__legend nhsuk-fieldset__legend--m', '', 5],
        classPrefix: ['nhsuk-label--', 'p-', ''],
        sizes: [['s', 'm', 'l', 'xl'], ['m']],
        size: ['xxs', 's', 'm', 'xl', 'xxl', ''],
        classes: ['nhsuk-heading-m', 'nhsuk-label--s', 'hc', ['a']],
        caption: captions,
        element: ['label', 'LEGEND', 'h3', ''],
        level: [2, 6, 0, ''],
        id: ['hid', '', true],
        attributes: attributeSets,
        visuallyHiddenText: ['hidden', '', null],
      },
      0.4,
    );
    return [i, p] as const;
  });
  it.each(cases)('generated case %i renders as the NHS.UK template', (_i, p) => compare(p));
});

// ------------------------------------------------------------------------------------------------
// Label, hint, error message and fieldset on their own, and the library components that use them.

describe.each([label, hint, errorMessage, fieldset])('$macro in JavaScript', (c) => {
  const cases = fixtures(c);

  it.each(cases)('fixture %s renders exactly as the NHS.UK template', (_name, context) => {
    expectSame(c, context);
  });

  it('is called as the macro is: no params, keyword params', () => {
    const params = { text: 'Text', legend: 'Legend' };
    for (const call of [`${c.macro}()`, `${c.macro}(params=params)`, `${c.macro}(params, "extra")`]) {
      expect(render(ours, c, params, call)).toBe(render(original, c, params, call));
    }
  });

  const r = random(10 + cases.length);
  const generated = Array.from({ length: 300 }, (_, i) => {
    const common = {
      id: ['cid', '', 0, odd],
      classes: ['cc', '', markSafe('<c>'), ['a']],
      attributes: attributeSets,
    };
    const text = { text: texts, html: htmls };
    const options: Record<Component['dir'], Record<string, readonly unknown[]>> = {
      label: {
        ...common,
        ...text,
        heading: headings,
        isPageHeading: [true, false, 0, 'yes'],
        caption: captions,
        size: ['s', 'm', 'l', 'xl', 'xxl', ''],
        classes: ['nhsuk-label--m', 'lc', ['nhsuk-label--s'], ''],
        for: ['for-id', odd, true, false, ''],
        visuallyHiddenText: ['hidden', '', null],
      },
      hint: { ...common, ...text },
      'error-message': { ...common, ...text, visuallyHiddenText: ['Warning', odd, '', null, false] },
      fieldset: {
        ...common,
        legend: [legend(r), legend(r), legend(r)],
        html: [...htmls, inputHtml],
        role: ['group', '', true],
        describedBy: ['described', '', true, 0],
      },
    };
    return [i, r.some(options[c.dir] as Record<string, readonly unknown[]>, 0.45)] as const;
  });
  it.each(generated)('generated case %i renders exactly as the NHS.UK template', (_i, p) => {
    expectSame(c, p);
  });
});

describe('called with a caller', () => {
  /** `{% call macro(params) %}...{% endcall %}` both ways; the body uses the calling template's variables. */
  const called = (env: nunjucks.Environment, c: Component, params: unknown) =>
    env.renderString(
      `{% from "nhsuk/components/${c.dir}/macro.njk" import ${c.macro} %}` +
        `{% from "nhsuk/components/input/macro.njk" import input %}` +
        `{% set outside = "set outside" %}` +
        `[{% call ${c.macro}(params) %}\n  <p>Body: {{ odd }} {{ outside }}</p>\n  ` +
        `{{ input({ label: { text: "Nested" }, id: "nested", name: "nested" }) }}\n{% endcall %}]`,
      { params, odd },
    );
  const cases: [Component, unknown][] = [
    [label, {}],
    [label, { text: 'ignored', for: 'f' }],
    [label, { heading: 'H', isPageHeading: true, caption: { text: 'C', placement: 'start' } }],
    [label, { heading: { text: 'H', level: 3 }, visuallyHiddenText: 'hidden', caption: 'C', size: 'l' }],
    [label, { text: 'T', visuallyHiddenText: 'vht', caption: { text: 'C', placement: 'after' } }],
    [hint, {}],
    [hint, { text: 'ignored', id: 'h', classes: 'c' }],
    [tag, {}],
    [tag, { text: 'ignored', colour: 'red', border: false, id: 't' }],
    [errorMessage, {}],
    [errorMessage, { html: '<b>ignored</b>', visuallyHiddenText: '' }],
    [fieldset, {}],
    [fieldset, { legend: { text: 'Set sizes', size: 'm' } }],
    [fieldset, { legend: { heading: 'H', caption: 'C' }, html: 'ignored', describedBy: 'd', role: 'group' }],
  ];
  it.each(cases.map(([c, p], i) => [i, c, p] as const))('case %i: %o', (_i, c, params) => {
    const expected = called(original, c, params);
    expect(expected).toContain('set outside');
    expect(called(ours, c, params)).toBe(expected);
  });
});

describe.each(users)('$macro, which uses them', (c) => {
  it.each(fixtures(c))('fixture %s renders exactly as with the NHS.UK templates', (_name, context) => {
    expectSame(c, context);
  });
});

describe('the app’s forms', () => {
  const page = (env: nunjucks.Environment) =>
    env.renderString(
      `{% from "nhsuk/components/fieldset/macro.njk" import fieldset %}
{% from "nhsuk/components/input/macro.njk" import input %}
{% from "nhsuk/components/textarea/macro.njk" import textarea %}
{% from "nhsuk/components/select/macro.njk" import select %}
{% from "nhsuk/components/character-count/macro.njk" import characterCount %}
{% from "nhsuk/components/checkboxes/macro.njk" import checkboxes %}
{% from "nhsuk/components/radios/macro.njk" import radios %}
{% call fieldset({ legend: { text: "Set sizes", size: "m" } }) %}
  {{ input({ label: { text: "Smallest set" }, hint: { text: "Usually 6; between 3 and 10" }, id: "minSize", name: "minSize", inputmode: "numeric", classes: "nhsuk-input--width-2", value: values.minSize, errorMessage: errors | fieldError("minSize") }) }}
{% endcall %}
{{ radios({ idPrefix: "sizing", name: "sizing", fieldset: { legend: { text: "Sizes of the sets", size: "s" } }, items: [{ value: "equal", text: "As equal as possible", checked: values.sizing == "equal" }], errorMessage: errors | fieldError("sizing") }) }}
{% call fieldset({ legend: { text: "Rules", size: "m" } }) %}
  {{ checkboxes({ idPrefix: "separateOrganisations", name: "separateOrganisations", items: [{ value: "yes", text: "Keep apart", checked: values.separateOrganisations == "yes" }] }) }}
  {{ textarea({ label: { text: "Keep apart" }, hint: { text: "One pair a line" }, id: "keepApart", name: "keepApart", rows: 3, value: values.keepApart, errorMessage: errors | fieldError("keepApart") }) }}
{% endcall %}
{{ select({ label: { text: "Who commits to it" }, id: "ownerUserId", name: "ownerUserId", items: [{ value: "", text: "Choose" }, { value: "7", text: values.name, selected: true }], errorMessage: errors | fieldError("ownerUserId") }) }}
{{ input({ label: { text: "Registration number", isPageHeading: true, classes: "nhsuk-label--l" }, hint: { text: "For example " ~ values.name }, id: "registrationNumber", name: "registrationNumber", value: values.keepApart, classes: "nhsuk-input--width-10", spellcheck: false, errorMessage: errors | fieldError("registrationNumber") }) }}
{{ characterCount({ label: { text: "Describe your current role" }, hint: { text: "Your team" }, id: "roleSummary", name: "roleSummary", value: values.keepApart, maxlength: 500, rows: 5, errorMessage: errors | fieldError("roleSummary") }) }}`,
      {
        values: { minSize: '4<', sizing: 'equal', separateOrganisations: 'yes', keepApart: odd, name: odd },
        errors: ['minSize', 'sizing', 'keepApart', 'ownerUserId', 'registrationNumber', 'roleSummary'].map(
          (field) => ({
            field,
            message: `Fix ${field} ${odd}`,
          }),
        ),
      },
    );

  it('render exactly as with the NHS.UK templates', () => {
    const expected = page(original);
    expect(expected).toContain('nhsuk-character-count');
    expect(page(ours)).toBe(expected);
  });
});

// ------------------------------------------------------------------------------------------------
// Select: the library fixtures, the app's calls (grep src/**/*.njk for `select(`) and generated params.

/** A list of options as the app builds them: a blank choice first, values as strings. */
const optionList = (count: number, chosen?: number) => [
  { value: '', text: 'Any' },
  ...Array.from({ length: count }, (_, i) => ({
    value: `v${i}`,
    text: i % 7 === 3 ? `Option ${i} ${odd}` : `Option ${i}`,
    selected: i === chosen,
  })),
];

const appSelects: [string, unknown][] = [
  [
    'directory filter: 51 regions, one chosen, no error',
    {
      label: { text: 'Region' },
      id: 'region',
      name: 'region',
      items: optionList(50, 7),
      errorMessage: undefined,
    },
  ],
  [
    'directory filter with an error from fieldError',
    {
      label: { text: 'Region' },
      id: 'region',
      name: 'region',
      items: optionList(5),
      errorMessage: { text: `Choose a region ${odd}` },
    },
  ],
  [
    'profile edit: hint, error, selected false on the rest',
    {
      label: { text: 'Region' },
      hint: { text: 'Leave as the region of your employer unless you belong to another region' },
      id: 'regionCode',
      name: 'regionCode',
      items: [
        { value: '', text: 'Choose a region', selected: false },
        { value: 'Y56', text: 'London', selected: true },
        { value: 'Y58', text: 'South West', selected: false },
      ],
      errorMessage: { text: 'Choose a region' },
    },
  ],
  [
    'competency goal: visually hidden label class, no selection',
    {
      id: 'status-12',
      name: 'status',
      label: { text: `Progress on ${odd}`, classes: 'nhsuk-u-visually-hidden' },
      items: [
        { value: 'not_started', text: 'Not started' },
        { value: 'done', text: 'Done' },
      ],
    },
  ],
  [
    'cohort: label size, id from the name, number values',
    {
      label: { text: 'Cohort', size: 's' },
      name: 'intakeId',
      items: [1, 2, 3].map((n) => ({ value: n, text: `Cohort ${n}`, selected: n === 2 })),
      errorMessage: undefined,
    },
  ],
  [
    'outbox: items without values, chosen by params.value',
    {
      label: { text: 'Status' },
      id: 'status',
      name: 'status',
      value: 'failed',
      items: [{ text: 'pending' }, { text: 'failed' }, { value: 'sent', text: 'sent', disabled: true }],
    },
  ],
];

describe('select in JavaScript', () => {
  componentChecks(select, {
    atLeast: 15,
    marker: '<select class="nhsuk-select',
    params: { name: 'n', label: 'L', items: [{ value: 'a', text: 'A' }] },
  });

  it.each(appSelects)('the app’s %s', (_name, params) => {
    expectSame(select, params);
  });

  const r = random(20);
  const generatedItem = (): unknown => {
    const kind = r.next();
    if (kind < 0.08) return r.pick([null, undefined, false, 0, '', 'str']);
    if (kind < 0.14) return r.some({ divider: [true, 'or', 0, ''], text: ['T'], value: ['v'] }, 0.8);
    return r.some(
      {
        value: ['a', 'b', 2, '2', odd, '', null, 0, false],
        text: ['a', 'b', 2, odd, '', null, markSafe('<b>safe</b>'), true],
        selected: [true, false, null, 0, 'yes', ''],
        disabled: [true, false, null, 1],
        attributes: attributeSets,
      },
      0.5,
    );
  };
  const slots = [
    { text: 'Before' },
    { text: odd },
    { html: '<span>\n  £\n</span>' },
    { html: markSafe('<b>safe</b>') },
    { html: '   ' },
    { html: ['<b>', 'array'] },
    { html: 5 },
    { text: '' },
    {},
  ];
  const generated = Array.from({ length: 400 }, (_, i) => {
    const p = r.some({
      id: ['sid', '', 0, odd],
      name: ['n', odd, '', 5],
      label: [
        'Label',
        markSafe('<b>Label</b>'),
        { text: 'L', for: 'elsewhere' },
        { text: odd, classes: 'lc', size: 'm', isPageHeading: true },
        { html: '<i>L</i>', heading: 'H', caption: 'C', id: 'lid', attributes: { x: 'y' } },
        { text: 'L', visuallyHiddenText: 'vht', caption: { text: 'C', placement: 'after' } },
        { text: 'L', heading: { text: 'H', level: 2 }, for: null },
        5,
        null,
      ],
      hint: [
        'Hint',
        markSafe('<b>hint</b>'),
        { text: odd, id: 'hid', classes: 'hc', attributes: { a: 'b' } },
        { html: '<p>\nh\n</p>', id: null },
        { id: 'hid' },
        '',
      ],
      errorMessage: [
        true,
        false,
        'Error',
        markSafe('<i>e</i>'),
        { text: odd, visuallyHiddenText: '' },
        { html: '<b>x</b>', id: 'eid', classes: 'ec', attributes: { a: 'b' } },
        { id: 'eid' },
        1,
      ],
      describedBy: ['outer', '', 0],
      classes: ['nhsuk-input--width-10', markSafe('s<b>'), ['a', 'b'], ''],
      disabled: [true, false, 'yes'],
      attributes: attributeSets,
      value: ['a', 'b', 2, '', odd, 0, null],
      formGroup: [
        { classes: 'fg' },
        { attributes: { 'data-g': '"q"' } },
        { beforeInput: r.pick(slots), afterInput: r.pick(slots) },
        { beforeInput: r.pick(slots), classes: ['a', 'b'] },
        { afterInput: r.pick(slots) },
        { beforeInput: 'string slot' },
        {},
      ],
      inputWrapper: [{ classes: 'wc' }, { attributes: { 'data-w': odd } }, { classes: '' }, {}],
    });
    if (r.next() < 0.9) p.items = Array.from({ length: Math.floor(r.next() * 7) }, generatedItem);
    else p.items = r.pick([undefined, null, new Set([{ value: 's', text: 'from a set' }]), 'ab', 3, {}]);
    return [i, p] as const;
  });
  it.each(generated)('generated case %i renders exactly as the NHS.UK template', (_i, p) => {
    expectSame(select, p);
  });
});

// ------------------------------------------------------------------------------------------------
// Input: the library fixtures, the app's calls (grep src/**/*.njk for `input(`) and generated
// params. The date input, password input, search input and header, which embed it, are among the
// `users` above.

const appInputs: [string, unknown][] = [
  [
    'directory filter: label, hint, value, no error',
    {
      label: { text: 'Name' },
      hint: { text: 'Spelling need not be exact' },
      id: 'name',
      name: 'name',
      value: `Ann ${odd}`,
      errorMessage: undefined,
    },
  ],
  [
    'directory filter with an error from fieldError, value undefined',
    {
      label: { text: 'Employer ODS code' },
      id: 'organisation',
      name: 'organisation',
      value: undefined,
      errorMessage: { text: `Enter an ODS code ${odd}` },
    },
  ],
  [
    'set sizes: inputmode, width class, number value',
    {
      label: { text: 'Smallest set' },
      hint: { text: 'Usually 6; between 3 and 10' },
      id: 'minSize',
      name: 'minSize',
      inputmode: 'numeric',
      classes: 'nhsuk-input--width-2',
      value: 4,
      errorMessage: { text: 'Enter a number' },
    },
  ],
  [
    'feedback round: email type, spellcheck false, autocomplete off',
    {
      id: 'email',
      name: 'email',
      type: 'email',
      label: { text: 'Their email address' },
      hint: { text: 'They do not need an account' },
      value: '',
      spellcheck: false,
      autocomplete: 'off',
    },
  ],
  [
    'registration number: page heading label, spellcheck true',
    {
      label: { text: 'Registration number', isPageHeading: true, classes: 'nhsuk-label--l' },
      id: 'registrationNumber',
      name: 'registrationNumber',
      classes: 'nhsuk-input--width-10',
      spellcheck: true,
      value: null,
    },
  ],
  [
    'meeting date: date type, label size, no id',
    {
      name: 'metOn',
      type: 'date',
      label: { text: 'Date of the meeting', size: 's' },
      value: '2027-01-15',
      classes: 'nhsuk-input--width-10',
    },
  ],
];

describe('input in JavaScript', () => {
  componentChecks(input, { atLeast: 40, marker: '<input', params: { name: 'n', label: 'L', value: 'v' } });

  it('throws where the template throws', () => {
    const params = { name: 'n', large: true, classes: 5 };
    expect(() => render(original, input, params)).toThrow(/Cannot use "in" operator/);
    expect(() => render(ours, input, params)).toThrow(/Cannot use "in" operator/);
  });

  it.each(appInputs)('the app’s %s', (_name, params) => {
    expectSame(input, params);
  });

  const r = random(30);
  const slots = [
    { text: 'Before' },
    { text: odd },
    { html: '<span>\n  £\n</span>' },
    { html: markSafe('<b>safe</b>') },
    { html: '   ' },
    { html: ['<b>', 'array'] },
    { text: '' },
    {},
  ];
  const affixes = [
    '£',
    odd,
    markSafe('<b>£</b>'),
    { text: 'per item', classes: 'ac', attributes: { 'data-a': odd } },
    { html: '<span>\n  kg\n</span>' },
    { html: markSafe('  ') },
    { text: 'two\nlines' },
    { text: '' },
    {},
    5,
  ];
  const scalar = ['v', odd, '', 0, 7, true, false, null, markSafe('<b>s</b>')];
  const generated = Array.from({ length: 500 }, (_, i) => {
    const p = r.some({
      id: ['iid', '', 0, odd],
      name: ['n', odd, '', 5, null],
      type: ['text', 'email', '', null, 'number'],
      label: [
        'Label',
        markSafe('<b>Label</b>'),
        { text: 'L', for: 'elsewhere' },
        { text: odd, classes: 'lc', size: 'm', isPageHeading: true },
        { html: '<i>L</i>', heading: 'H', caption: 'C', id: 'lid', attributes: { x: 'y' } },
        { text: 'L', heading: { text: 'H', level: 2 }, for: null },
        null,
      ],
      hint: ['Hint', markSafe('<b>hint</b>'), { text: odd, id: 'hid', classes: 'hc' }, { id: 'hid' }, ''],
      errorMessage: [
        true,
        false,
        'Error',
        markSafe('<i>e</i>'),
        { text: odd, visuallyHiddenText: '' },
        { html: '<b>x</b>', id: 'eid', classes: 'ec', attributes: { a: 'b' } },
        { id: 'eid' },
      ],
      describedBy: ['outer', '', 0],
      classes: [
        'nhsuk-input--width-10',
        'nhsuk-input--large nhsuk-input--code',
        'other',
        markSafe('s<b>'),
        ['nhsuk-input--width-2', 'b'],
        { 'nhsuk-input--width-3': 1 },
        '',
      ],
      large: [true, false, 'yes'],
      code: [true, false],
      width: [2, '3', 4, 5, 10, '20', 30, 7, 'full', markSafe('10'), 0, ''],
      spellcheck: [true, false, 'true', 0, null],
      value: scalar,
      disabled: [true, false, 'yes', null, ''],
      autocomplete: scalar,
      autocapitalize: ['none', '', null],
      pattern: ['[0-9]*', odd],
      placeholder: scalar,
      inputmode: ['numeric', '', true],
      attributes: attributeSets,
      prefix: affixes,
      suffix: affixes,
      formGroup: [
        { classes: 'fg' },
        { attributes: { 'data-g': '"q"' } },
        { beforeInput: r.pick(slots), afterInput: r.pick(slots) },
        { beforeInput: r.pick(slots), classes: ['a', 'b'] },
        { afterInput: r.pick(slots) },
        { beforeInput: 'string slot' },
        {},
      ],
      inputWrapper: [{ classes: 'wc' }, { attributes: { 'data-w': odd } }, { classes: '' }, {}],
    });
    return [i, p] as const;
  });
  it.each(generated)('generated case %i renders exactly as the NHS.UK template', (_i, p) => {
    expectSame(input, p);
  });
});

describe('tag in JavaScript', () => {
  componentChecks(tag, { atLeast: 20, marker: '<strong class="nhsuk-tag', params: { text: 'Active' } });

  it('throws where the template throws', () => {
    const params = { text: 'T', colour: 'red', classes: 5 };
    expect(() => render(original, tag, params)).toThrow(/Cannot use "in" operator/);
    expect(() => render(ours, tag, params)).toThrow(/Cannot use "in" operator/);
  });

  it.each([
    ['a state tag, as the dashboard has it', { text: 'Go-live: Late', classes: 'nhsuk-tag--red' }],
    ['a colour', { text: 'Open', colour: 'green' }],
    ['a colour the classes already give', { text: 'Open', colour: 'green', classes: 'nhsuk-tag--blue' }],
    ['no colour, no border', { text: 'Plain', colour: false, border: false }],
  ])('the app’s %s', (_name, params) => {
    expect(expectSame(tag, params)).toContain('<strong class="nhsuk-tag');
  });

  const r = random(40);
  const generated = Array.from({ length: 400 }, (_, i) => {
    const p = r.some(
      {
        text: texts,
        html: htmls,
        id: ['tid', '', 0, odd],
        colour: ['red', 'aqua-green', 'yellow', 'teal', '', false, true, 0, null, markSafe('blue'), ['red']],
        border: [false, true, 0, '', null],
        classes: [
          'nhsuk-tag--grey',
          'nhsuk-tag--no-colour nhsuk-tag--no-border',
          'tc',
          markSafe('<c>'),
          ['nhsuk-tag--red', 'x'],
          { 'nhsuk-tag--white': 1 },
          '',
        ],
        attributes: attributeSets,
      },
      0.5,
    );
    return [i, p] as const;
  });
  it.each(generated)('generated case %i renders exactly as the NHS.UK template', (_i, p) => {
    expectSame(tag, p);
  });
});
