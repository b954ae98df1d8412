import nunjucks from 'nunjucks';
import { nhsukAttributes } from './nhsuk-attributes.ts';

/*
 * NHS.UK frontend (v10) form components rendered in TypeScript instead of through their Nunjucks
 * templates: radios, checkboxes, select and input, and the label, hint, error message and fieldset
 * they are built from (with the legend, heading and caption those use inside); and the tag, which
 * status columns and dashboards render once per row (20 times on the national dashboard). Rendering radios and checkboxes
 * through the templates was the largest share of a form page's CPU: every item went through a
 * macro, the label component, its heading component, several `trim` and `indent` filters and
 * nhsukAttributes.
 *
 * Each function follows its template line by line and gives the same output for the same params,
 * byte for byte, whitespace included (the templates are rendered with trimBlocks and lstripBlocks
 * and the filters of views.ts): nhsuk-components.test.ts renders every nhsuk-frontend fixture and
 * a few thousand generated param sets both ways and compares. The macro files under
 * src/nhsuk/components/ shadow the library's, so `{% from ... import radios %}` finds these.
 *
 * Nunjucks semantics kept on purpose, so that a param of an unusual type renders as it did:
 * truthiness is JavaScript's (a SafeString, even an empty one, is truthy); `==` is JavaScript's
 * loose equality; `~` is `a + "" + b` (undefined becomes "undefined"); `default(v, d)` keeps null;
 * `x in y` searches arrays and strings, looks for keys in plain objects and throws on anything
 * else; `{{ v }}` prints nothing for null and undefined, a SafeString as it is and anything else
 * escaped. Not kept: a function-valued param compared with `==` or `in` (the template compares a
 * fresh bound wrapper, never equal to anything); printed, it gives the same text as the template.
 */

const { SafeString } = nunjucks.runtime;
type Safe = InstanceType<typeof SafeString>;
type Caller = () => unknown;
/** A param read as a template reads it: `p?.key` is `params.key`, undefined when params is null or undefined. */
type Bag = { readonly [key: string]: unknown } | null | undefined;

const isSafe = (v: unknown): v is Safe => v instanceof SafeString;
const objectTag = (v: unknown) => Object.prototype.toString.call(v);
/** Nunjucks' `mapping` test: any object but an array or a Set (a SafeString too: templates add `is not escaped`). */
const isMapping = (v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Set);

/**
 * What a function-valued param prints as. Nunjucks' member lookup (`params.text`) gives a template
 * a wrapper bound to the object rather than the function itself, so printing one prints the
 * wrapper's source text, the same for every function.
 */
const functionText = String(
  (nunjucks.runtime as unknown as { memberLookup(obj: unknown, key: string): unknown }).memberLookup(
    { f() {} },
    'f',
  ),
);
/** A value as text, a function as the wrapper a template sees. */
const str = (v: unknown): string => (typeof v === 'function' ? functionText : String(v));

const escapeChars = /[&"'<>\\]/;
const escapeCharsAll = /[&"'<>\\]/g;
const escapes: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
  '\\': '&#92;',
};
/** nunjucks.lib.escape (autoescaping: & " ' < > and backslash), skipping the replace when there is nothing to escape. */
const escapeHtml = (s: string) =>
  escapeChars.test(s) ? s.replace(escapeCharsAll, (c) => escapes[c] as string) : s;

/** `{{ v }}` with autoescape on. */
function out(v: unknown): string {
  if (typeof v === 'string') return escapeHtml(v);
  if (v === undefined || v === null) return '';
  if (isSafe(v)) return String(v);
  return escapeHtml(str(v));
}
/** `{{ v | safe }}`: the value's text as it is. */
const raw = (v: unknown): string => (v === undefined || v === null ? '' : str(v));
/** `a ~ b`, which Nunjucks compiles to `a + "" + b`. */
const cat = (a: unknown, b: unknown): string =>
  (typeof a === 'function' ? functionText : (a as string)) +
  '' +
  (typeof b === 'function' ? functionText : (b as string));
/** `v | default(d)`: only undefined is replaced. */
const dflt = (v: unknown, d: unknown): unknown => (v !== undefined ? v : d);
/** Nunjucks `==`, which is JavaScript's loose equality. */
const looseEq = (a: unknown, b: unknown) => a == b;
/** `key in val`, as Nunjucks' runtime.inOperator. */
function inOp(key: unknown, val: unknown): boolean {
  if (Array.isArray(val) || objectTag(val) === '[object String]') {
    return (val as { indexOf(k: unknown): number }).indexOf(key) !== -1;
  }
  if (objectTag(val) === '[object Object]') return (key as PropertyKey) in (val as object);
  throw new Error(`Cannot use "in" operator to search for "${str(key)}" in unexpected types.`);
}
/**
 * The `indent` filter of views.ts on trimmed text: every line but the first gains the spaces (the
 * callers add the first line's). Empty text stays empty either way.
 */
const indent = (s: string, spaces: string) => (s.includes('\n') ? s.replaceAll('\n', `\n${spaces}`) : s);
/** `{{ v | trim | indent(n) }}`: a string's text escaped, a SafeString's as it is. */
function textBlock(v: unknown, spaces: string): string {
  const s = indent(str(v ?? '').trim(), spaces);
  return isSafe(v) ? s : escapeHtml(s);
}
/** `{{ v | safe | trim | indent(n) }}` */
const htmlBlock = (v: unknown, spaces: string) => indent(raw(v).trim(), spaces);
/** `v | lower` (null, undefined and false become ''; anything but a string throws). */
const lower = (v: unknown): string =>
  (v === null || v === undefined || v === false ? '' : (v as string)).toLowerCase();

/** `{{ nhsukAttributes(v) }}`, the common undefined and string cases without the call. */
function attributes(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return String(nhsukAttributes(v));
}
/** One `name: { value: v, optional: true }` entry of an nhsukAttributes mapping. */
function optionalAttribute(name: string, v: unknown): string {
  if (v === undefined || v === null) return '';
  const value = isSafe(v) ? (v as unknown as { val: unknown }).val : v;
  if (value === true) return ` ${name}`;
  if (value === undefined || value === null || value === false) return '';
  return ` ${name}="${out(v)}"`;
}

/** The mapping the templates make of a param that may also be a string (text) or a SafeString (html). */
const NO_TEXT: Bag = Object.freeze({ text: undefined, html: undefined });
function textOrHtml(v: unknown): Bag {
  if (isMapping(v)) return isSafe(v) ? { text: undefined, html: v } : (v as Bag);
  return typeof v === 'string' ? { text: v, html: undefined } : NO_TEXT;
}

/** `value | replace(old, "")` (Nunjucks' filter), for the heading's class prefix test. */
function replaceWithNothing(value: unknown, old: unknown): unknown {
  if (typeof old === 'number') old = '' + old;
  else if (typeof old !== 'string') return value;
  if (typeof value === 'number') value = '' + value;
  if (typeof value !== 'string' && !isSafe(value)) return value;
  const s = String(value);
  if (old === '') return s;
  return s.includes(old as string) ? s.split(old as string).join('') : value;
}

/** A macro's arguments as Nunjucks passes them: positional params, or keyword params, and a caller. */
function macroArgs(args: unknown[]): { params: unknown; caller: Caller | undefined } {
  let count = args.length;
  let kwargs: Record<string, unknown> | undefined;
  const last = args[count - 1];
  if (count && last && Object.prototype.hasOwnProperty.call(last, '__keywords')) {
    kwargs = last as Record<string, unknown>;
    count -= 1;
  }
  const caller = kwargs?.caller as Caller | undefined;
  if (count > 0) return { params: args[0], caller };
  if (kwargs && Object.prototype.hasOwnProperty.call(kwargs, 'params')) {
    return { params: kwargs.params, caller };
  }
  return { params: {}, caller };
}

/* ---------------------------------------------------------------------------------------------
 * Caption, heading and legend: used inside label and fieldset, which always trim them.
 * ------------------------------------------------------------------------------------------- */

const CAPTION_SIZES = ['m', 'l', 'xl', 'xxl'];
const CAPTION_BOTTOM = ['after', 'end'];

/** nhsuk/components/caption/template.njk, without a caller (the heading, label and legend never pass one). */
export function captionHtml(params: unknown): string {
  const p = params as Bag;
  const size = p?.size;
  const classes = p?.classes;
  const placement = p?.placement;
  let classNames = 'nhsuk-caption';
  if (
    size &&
    inOp(size, CAPTION_SIZES) &&
    (!classes ||
      (!inOp('nhsuk-caption-m', classes) &&
        !inOp('nhsuk-caption-l', classes) &&
        !inOp('nhsuk-caption-xl', classes) &&
        !inOp('nhsuk-caption-xxl', classes)))
  ) {
    classNames = cat('nhsuk-caption-', size);
  }
  if (placement && inOp(placement, CAPTION_BOTTOM)) classNames += ' nhsuk-caption--bottom';
  if (classes) classNames = cat(cat(classNames, ' '), classes);
  const element = out(lower(dflt(p?.element, 'span')));
  const id = p?.id;
  let html = `<${element} class="${out(classNames)}"${id ? ` id="${out(id)}"` : ''}${attributes(p?.attributes)}>\n`;
  if (p?.html) html += `  ${htmlBlock(p.html, '  ')}\n`;
  else if (p?.text) html += `  ${textBlock(p.text, '  ')}\n`;
  return `${html}</${element}>\n`;
}

/** The caption mapping the heading, label and legend build ("Limit heading caption to allowed options only"). */
function captionParams(headingCaption: Bag, size: unknown, placement: unknown) {
  return {
    id: headingCaption?.id,
    element: headingCaption?.element,
    text: headingCaption?.text,
    html: headingCaption?.html,
    placement,
    size: dflt(headingCaption?.size, size),
    classes: headingCaption?.classes,
    attributes: headingCaption?.attributes,
  };
}

const HEADING_SIZES = ['xxs', 'xs', 's', 'm', 'l', 'xl'];

/** nhsuk/components/heading/template.njk, as the label and legend templates call it. */
export function headingHtml(params: unknown, caller?: Caller): string {
  const p = params as Bag;
  const className = dflt(p?.className, 'nhsuk-heading');
  const classPrefix = dflt(p?.classPrefix, cat(className, '-'));
  let classNames = dflt(className, '');
  let size: unknown = undefined;
  const classes = p?.classes;
  if (
    p?.size &&
    inOp(p.size, dflt(p.sizes, HEADING_SIZES)) &&
    (!classes ||
      (!inOp(cat(classPrefix, 'xxs'), classes) &&
        !inOp(cat(classPrefix, 'xs'), classes) &&
        !inOp(cat(classPrefix, 's'), classes) &&
        !inOp(cat(classPrefix, 'm'), classes) &&
        !inOp(cat(classPrefix, 'l'), classes) &&
        !inOp(cat(classPrefix, 'xl'), classes)))
  ) {
    size = p.size;
    classNames = looseEq(replaceWithNothing(classPrefix, className), '-')
      ? cat(classPrefix, size)
      : cat(cat(cat(classNames, ' '), classPrefix), size);
  }
  if (classes) classNames = cat(cat(classNames, ' '), classes);
  // Without a caption param every field of the template's caption mapping but its size is
  // undefined, and nothing is rendered from it: skip building it.
  const headingCaption = p?.caption === undefined ? undefined : textOrHtml(p.caption);
  const placement = headingCaption?.placement;
  const caption = headingCaption && captionParams(headingCaption, size, placement);
  const hasCaption = caption && (caption.text || caption.html);
  const text = p?.text;
  const h = p?.html;
  if (!(caller || h || text)) return '';

  let inner = h ? raw(h) : text ? out(text) : '';
  inner = p?.href ? `<a class="nhsuk-link" href="${out(p.href)}">${inner.trim()}</a>` : inner.trim();

  // The template's output starts with a blank line, which every caller trims.
  let html = '\n';
  if (looseEq(placement, 'before')) html += `${captionHtml(caption).trim()}\n`;
  const element = out(lower(dflt(p?.element, cat('h', p?.level || '1'))));
  html += `<${element}${optionalAttribute('class', classNames ? classNames : false)}${optionalAttribute('id', p?.id)}${attributes(p?.attributes)}>\n`;
  if (looseEq(placement, 'start') || (hasCaption && !placement)) {
    html += `  ${indent(captionHtml(caption).trim(), '  ')}\n`;
  }
  // `innerHtml | safe | trim | indent(2, true)`; with visually hidden text, no line break before the span.
  html += caller ? `${out(caller())}\n` : `  ${indent(inner, '  ')}`;
  const visuallyHiddenText = p?.visuallyHiddenText;
  if (visuallyHiddenText) {
    html += `<span class="nhsuk-u-visually-hidden"> ${out(visuallyHiddenText)}</span>\n`;
  } else if (!caller) {
    html += '\n';
  }
  if (looseEq(placement, 'end')) html += `  ${indent(captionHtml(caption).trim(), '  ')}\n`;
  html += `</${element}>\n`;
  if (looseEq(placement, 'after')) html += `${captionHtml(caption).trim()}\n`;
  return html;
}

/** The label's or legend's `heading` param as a mapping, and whether it makes a page heading. */
function headingOption(p: Bag): { heading: Bag; hasHeading: boolean } {
  let heading = p?.heading;
  if (heading && (typeof heading === 'string' || isSafe(heading))) {
    heading = {
      text: typeof heading === 'string' ? heading : undefined,
      html: isSafe(heading) ? heading : undefined,
    };
  }
  const isPageHeading = p?.isPageHeading;
  const hasHeading =
    (isPageHeading && !looseEq(heading, false)) || (!looseEq(isPageHeading, false) && heading) ? true : false;
  return { heading: heading as Bag, hasHeading };
}

const LEGEND_SIZES = ['s', 'm', 'l', 'xl'];
const CAPTION_INSIDE = ['start', 'end'];

/** nhsuk/components/legend/template.njk, without a caller (the fieldset never passes one). */
export function legendHtml(params: unknown): string {
  const p = params as Bag;
  const { heading, hasHeading } = headingOption(p);
  const legendCaption = hasHeading ? dflt(heading?.caption, p?.caption) : p?.caption;
  const headingCaption = textOrHtml(legendCaption);
  const size = hasHeading ? dflt(heading?.size, p?.size) : p?.size;
  const captionPlacement = headingCaption?.placement;
  const placement = looseEq(captionPlacement, 'before') ? 'start' : captionPlacement;
  const caption = captionParams(headingCaption, size, placement);
  const id = p?.id;
  const text = hasHeading ? dflt(heading?.text, p?.text) : dflt(p?.text, heading?.text);
  const h = hasHeading ? dflt(heading?.html, p?.html) : dflt(p?.html, heading?.html);
  const visuallyHiddenText = hasHeading
    ? dflt(heading?.visuallyHiddenText, p?.visuallyHiddenText)
    : p?.visuallyHiddenText;
  const captionInside = !placement || inOp(placement, CAPTION_INSIDE) ? caption : undefined;
  const classes = p?.classes;
  const attrs = p?.attributes;

  let classNames = 'nhsuk-fieldset__legend';
  if (
    size &&
    inOp(size, LEGEND_SIZES) &&
    (!classes ||
      (!inOp('nhsuk-fieldset__legend--s', classes) &&
        !inOp('nhsuk-fieldset__legend--m', classes) &&
        !inOp('nhsuk-fieldset__legend--l', classes) &&
        !inOp('nhsuk-fieldset__legend--xl', classes)))
  ) {
    classNames = cat(cat(classNames, ' nhsuk-fieldset__legend--'), size);
  }
  if (classes) classNames = cat(cat(classNames, ' '), classes);
  if (!(h || text)) return '';

  const inner = `${h ? raw(h) : out(text)}\n`;
  let html: string;
  if (hasHeading) {
    const headingText = headingHtml({
      id: heading?.id,
      html: inner,
      visuallyHiddenText,
      caption: captionInside,
      level: heading?.level,
      className: 'nhsuk-fieldset__heading',
      attributes: heading?.attributes,
    });
    html = `<legend class="${out(classNames)}"${id ? ` id="${out(id)}"` : ''}${attributes(attrs)}>\n  ${indent(headingText.trim(), '  ')}\n</legend>\n`;
  } else {
    const headingText = headingHtml({
      id,
      html: inner,
      visuallyHiddenText,
      caption: captionInside,
      className: classNames,
      attributes: attrs,
      element: 'legend',
    });
    html = `${headingText.trim()}\n`;
  }
  if (looseEq(placement, 'after')) html += `${captionHtml(caption).trim()}\n`;
  return html;
}

/* ---------------------------------------------------------------------------------------------
 * Label, hint, error message and fieldset: each template's whole output, untrimmed.
 * ------------------------------------------------------------------------------------------- */

const LABEL_SIZES = ['s', 'm', 'l', 'xl'];

/** nhsuk/components/label/template.njk */
export function labelHtml(params: unknown, caller?: Caller): string {
  const p = params as Bag;
  const { heading, hasHeading } = headingOption(p);
  const labelCaption = hasHeading ? dflt(heading?.caption, p?.caption) : p?.caption;
  const size = hasHeading ? dflt(heading?.size, p?.size) : p?.size;
  // Without a caption (as for every radio and checkbox item) the template's caption mapping has
  // only a size, and renders nothing in the label or its heading: skip building it.
  const headingCaption = labelCaption === undefined ? undefined : textOrHtml(labelCaption);
  const placement = headingCaption?.placement;
  const caption = headingCaption && captionParams(headingCaption, size, placement);
  const text = hasHeading ? dflt(heading?.text, p?.text) : dflt(p?.text, heading?.text);
  const h = hasHeading ? dflt(heading?.html, p?.html) : dflt(p?.html, heading?.html);
  const label = {
    id: p?.id,
    text,
    html: h,
    visuallyHiddenText: hasHeading
      ? dflt(heading?.visuallyHiddenText, p?.visuallyHiddenText)
      : p?.visuallyHiddenText,
    caption: !placement || inOp(placement, CAPTION_INSIDE) ? caption : undefined,
    size,
    sizes: LABEL_SIZES,
    className: 'nhsuk-label',
    classPrefix: 'nhsuk-label--',
    classes: p?.classes,
    attributes: optionalAttribute('for', p?.for) + attributes(p?.attributes),
    element: 'label',
  };
  if (!(caller || h || text)) return '';
  // With a caller, `{% call nhsukHeading(label) %}{{- outerCaller() }}{% endcall %}`, untrimmed.
  const inner = caller
    ? headingHtml(label, () => new SafeString(out(caller())))
    : `${headingHtml(label).trim()}\n`;

  let html = '';
  if (looseEq(placement, 'before')) html += `${captionHtml(caption).trim()}\n`;
  if (hasHeading) {
    const element = out(cat('h', heading?.level || '1'));
    const headingId = heading?.id;
    html += `<${element} class="nhsuk-label-wrapper"${headingId ? ` id="${out(headingId)}"` : ''}${attributes(heading?.attributes)}>\n  ${indent(inner.trim(), '  ')}\n</${element}>\n`;
  } else {
    html += `${inner.trim()}\n`;
  }
  if (looseEq(placement, 'after')) html += `${captionHtml(caption).trim()}\n`;
  return html;
}

/**
 * The body the hint and tag templates share: `{{- caller() }}`, else
 * `  {{ params.html | safe | trim | indent(2) }}`, else `  {{ params.text | trim | indent(2) }}`.
 */
function callerHtmlOrText(p: Bag, caller?: Caller): string {
  if (caller) return `${out(caller())}\n`;
  if (p?.html) return `  ${htmlBlock(p.html, '  ')}\n`;
  if (p?.text) return `  ${textBlock(p.text, '  ')}\n`;
  return '';
}

/** nhsuk/components/hint/template.njk */
export function hintHtml(params: unknown, caller?: Caller): string {
  const p = params as Bag;
  const classes = p?.classes;
  const id = p?.id;
  const open = `<div class="${out(classes ? cat('nhsuk-hint ', classes) : 'nhsuk-hint')}"${id ? ` id="${out(id)}"` : ''}${attributes(p?.attributes)}>\n`;
  return `${open}${callerHtmlOrText(p, caller)}</div>\n`;
}

const TAG_COLOURS = [
  'white',
  'grey',
  'green',
  'aqua-green',
  'blue',
  'purple',
  'pink',
  'red',
  'orange',
  'yellow',
];
const TAG_COLOUR_CLASSES = TAG_COLOURS.map((c) => `nhsuk-tag--${c}`);

/** nhsuk/components/tag/template.njk */
export function tagHtml(params: unknown, caller?: Caller): string {
  const p = params as Bag;
  const colour = p?.colour;
  const classes = p?.classes;
  let classNames = 'nhsuk-tag';
  if (colour && inOp(colour, TAG_COLOURS) && (!classes || TAG_COLOUR_CLASSES.every((c) => !inOp(c, classes))))
    classNames = cat(cat(classNames, ' nhsuk-tag--'), colour);
  if (colour === false && (!classes || !inOp('nhsuk-tag--no-colour', classes)))
    classNames += ' nhsuk-tag--no-colour';
  if (p?.border === false && (!classes || !inOp('nhsuk-tag--no-border', classes)))
    classNames += ' nhsuk-tag--no-border';
  if (classes) classNames = cat(cat(classNames, ' '), classes);
  const id = p?.id;
  const open = `<strong class="${out(classNames)}"${id ? ` id="${out(id)}"` : ''}${attributes(p?.attributes)}>\n`;
  return `${open}${callerHtmlOrText(p, caller)}</strong>\n`;
}

/** nhsuk/components/error-message/template.njk */
export function errorMessageHtml(params: unknown, caller?: Caller): string {
  const p = params as Bag;
  const classes = p?.classes;
  const visuallyHiddenText = dflt(p?.visuallyHiddenText, 'Error');
  let inner = '';
  if (caller) inner = `${out(caller())}\n`;
  else if (p?.html) inner = `${raw(p.html)}\n`;
  else if (p?.text) inner = `${out(p.text)}\n`;
  const id = p?.id;
  let html = `<span class="${out(classes ? cat('nhsuk-error-message ', classes) : 'nhsuk-error-message')}"${id ? ` id="${out(id)}"` : ''}${attributes(p?.attributes)}>\n`;
  html += visuallyHiddenText
    ? `  <span class="nhsuk-u-visually-hidden">${out(visuallyHiddenText)}: </span>`
    : '  ';
  return `${html}${indent(inner.trim(), '  ')}\n</span>\n`;
}

/** nhsuk/components/fieldset/template.njk */
export function fieldsetHtml(params: unknown, caller?: Caller): string {
  const p = params as Bag;
  const classes = p?.classes;
  const describedBy = p?.describedBy;
  let html = `<fieldset class="${out(classes ? cat('nhsuk-fieldset ', classes) : 'nhsuk-fieldset')}"${optionalAttribute('id', p?.id)}${optionalAttribute('role', p?.role)}${optionalAttribute('aria-describedby', describedBy ? describedBy : false)}${attributes(p?.attributes)}>\n`;
  // The template passes the legend's options one by one; the legend reads no others.
  html += `  ${indent(legendHtml(textOrHtml(p?.legend)).trim(), '  ')}\n`;
  if (caller) html += `${out(caller())}\n`;
  else if (p?.html) html += `  ${raw(p.html).trim()}\n`;
  return `${html}</fieldset>\n`;
}

/* ---------------------------------------------------------------------------------------------
 * Radios and checkboxes
 * ------------------------------------------------------------------------------------------- */

type Kind = 'radios' | 'checkboxes';

/** What every item of one radios or checkboxes group shares. */
type Group = {
  kind: Kind;
  params: Bag;
  idPrefix: unknown;
  /** Checkboxes: the group's aria-describedby, once the hint and error message are added. */
  describedBy: unknown;
  hasFieldset: boolean;
};

/** The `_radioItem` and `_checkboxItem` macros of the radios and checkboxes templates. */
function itemHtml(group: Group, itemParam: unknown, index: number): string {
  const { kind, params: p } = group;
  const item = itemParam as Bag;
  const checkbox = kind === 'checkboxes';
  const itemLabel = textOrHtml(item?.label);
  const itemHint = textOrHtml(item?.hint);
  const itemId = item?.id ? item.id : cat(group.idPrefix, index > 1 ? `-${index}` : '');
  const conditionalId = cat('conditional-', itemId);
  if (item?.divider) {
    if (!checkbox) return `    <div class="nhsuk-radios__divider">${out(item.divider)}</div>\n`;
    const hidden = looseEq(item.behaviour, 'inclusive') ? ' nhsuk-u-frontend-not-supported-hidden' : '';
    return `    <div class="nhsuk-checkboxes__divider${hidden}">${out(item.divider)}</div>\n`;
  }
  const checked = item?.checked;
  const value = item?.value;
  let isChecked: unknown;
  if (checkbox) {
    isChecked = checked || (p?.values ? inOp(value, p.values) && !looseEq(checked, false) : false);
  } else {
    isChecked = checked || (p?.value ? looseEq(value, p.value) && !looseEq(checked, false) : false);
  }
  const hintText = itemHint?.text;
  const hintHtmlParam = itemHint?.html;
  const hasHint = hintText || hintHtmlParam ? true : false;
  const hintId = itemHint?.id;
  let itemHintId: unknown = '';
  if (hasHint || !checkbox) itemHintId = dflt(hintId, cat(itemId, '-item-hint'));
  const disabled = item?.disabled;
  const conditional = (item?.conditional as Bag)?.html;
  const classes = item?.classes ? cat(` `, item.classes) : '';

  let html: string;
  if (checkbox) {
    const hidden = looseEq(item?.behaviour, 'inclusive') ? ' nhsuk-u-frontend-not-supported-hidden' : '';
    html = `    <div class="nhsuk-checkboxes__item${hidden}">\n      <input class="nhsuk-checkboxes__input${out(classes)}" id="${out(itemId)}" name="${out(item?.name ? item.name : p?.name)}" type="checkbox" value="${out(value)}"`;
  } else {
    html = `    <div class="nhsuk-radios__item">\n      <input class="nhsuk-radios__input${out(classes)}" id="${out(itemId)}" name="${out(p?.name)}" type="radio" value="${out(value)}"`;
  }
  if (isChecked) html += ' checked';
  if (disabled || (!looseEq(disabled, false) && p?.disabled)) html += ' disabled';
  if (checkbox) {
    const behaviour = item?.exclusive ? 'exclusive' : item?.behaviour;
    const behaviourGroup = dflt(item?.exclusiveGroup, item?.behaviourGroup);
    if (behaviour) html += ` data-behaviour="${out(behaviour)}"`;
    if (behaviourGroup) html += ` data-behaviour-group="${out(behaviourGroup)}"`;
  }
  if (conditional) html += ` data-aria-controls="${out(conditionalId)}"`;
  if (checkbox) {
    const describedBy = cat(cat(!group.hasFieldset ? group.describedBy : '', ' '), itemHintId).trim();
    if (describedBy) html += ` aria-describedby="${out(describedBy)}"`;
  } else if (hasHint) {
    html += ` aria-describedby="${out(itemHintId)}"`;
  }
  html += `${attributes(item?.attributes)}>\n`;

  const labelClasses = itemLabel?.classes;
  const label = labelHtml({
    html: dflt(itemLabel?.html, item?.html),
    text: dflt(itemLabel?.text, item?.text),
    visuallyHiddenText: itemLabel?.visuallyHiddenText,
    id: itemLabel?.id,
    for: itemId,
    classes: cat(`nhsuk-${kind}__label`, labelClasses ? cat(' ', labelClasses) : ''),
    attributes: itemLabel?.attributes,
  });
  html += `      ${indent(label.trim(), '      ')}\n`;
  if (hasHint) {
    const hintClasses = itemHint?.classes;
    const hint = hintHtml({
      html: hintHtmlParam,
      text: hintText,
      id: dflt(hintId, itemHintId),
      classes: cat(`nhsuk-${kind}__hint`, hintClasses ? cat(' ', hintClasses) : ''),
      attributes: itemHint?.attributes,
    });
    html += `      ${indent(hint.trim(), '      ')}\n`;
  }
  html += '    </div>\n';
  if (conditional) {
    const hidden = isChecked ? '' : ` nhsuk-${kind}__conditional--hidden`;
    html += `    <div class="nhsuk-${kind}__conditional${hidden}" id="${out(conditionalId)}">\n      ${raw(conditional).trim()}\n    </div>\n`;
  }
  return html;
}

/** `{{ formGroup.beforeInputs.html | safe | trim | indent(4) if ....html else ....text }}` (or afterInputs). */
function inputsSlot(slot: Bag): string {
  return `    ${slot?.html ? htmlBlock(slot.html, '    ') : out(slot?.text)}\n`;
}

/** nhsuk/components/radios/template.njk and nhsuk/components/checkboxes/template.njk */
function choicesHtml(kind: Kind, params: unknown): string {
  const p = params as Bag;
  const hint = textOrHtml(p?.hint);
  const errorMessage = textOrHtml(p?.errorMessage);
  const classes = p?.classes;
  let classNames: string = `nhsuk-${kind}`;
  let classNamesFormGroup = 'nhsuk-form-group';
  if (p?.small && (!classes || !inOp(`nhsuk-${kind}--small`, classes))) {
    classNames += ` nhsuk-${kind}--small`;
  }
  if (p?.inline && (!classes || !inOp(`nhsuk-${kind}--inline`, classes))) {
    classNames += ` nhsuk-${kind}--inline`;
  }
  const errorText = errorMessage?.text;
  const errorHtml = errorMessage?.html;
  if (errorText || errorHtml || looseEq(p?.errorMessage, true)) {
    classNamesFormGroup += ' nhsuk-form-group--error';
  }
  if (classes) classNames = cat(cat(classNames, ' '), classes);
  const formGroup = p?.formGroup as Bag;
  if (formGroup?.classes) classNamesFormGroup = cat(cat(classNamesFormGroup, ' '), formGroup.classes);
  const idPrefix = p?.idPrefix ? p.idPrefix : p?.name;
  const fieldset = p?.fieldset as Bag;
  let describedBy: unknown;
  if (kind === 'radios') {
    describedBy = fieldset?.describedBy ? fieldset.describedBy : '';
  } else {
    describedBy = p?.describedBy ? p.describedBy : '';
    if (fieldset?.describedBy) describedBy = fieldset.describedBy;
  }
  const hasFieldset = fieldset ? true : false;

  let inner = '';
  const hintText = hint?.text;
  const hintHtmlParam = hint?.html;
  if (hintText || hintHtmlParam) {
    const hintId = dflt(hint?.id, cat(idPrefix, '-hint'));
    describedBy = cat(cat(describedBy, ' '), hintId).trim();
    const hintText_ = hintHtml({
      html: hintHtmlParam,
      text: hintText,
      id: dflt(hint?.id, hintId),
      classes: hint?.classes,
      attributes: hint?.attributes,
    });
    inner += `  ${indent(hintText_.trim(), '  ')}\n`;
  }
  if (errorText || errorHtml) {
    const errorId = dflt(errorMessage?.id, cat(idPrefix, '-error'));
    describedBy = cat(cat(describedBy, ' '), errorId).trim();
    const errorText_ = errorMessageHtml({
      html: errorHtml,
      text: errorText,
      visuallyHiddenText: errorMessage?.visuallyHiddenText,
      id: dflt(errorMessage?.id, errorId),
      classes: errorMessage?.classes,
      attributes: errorMessage?.attributes,
    });
    inner += `  ${indent(errorText_.trim(), '  ')}\n`;
  }
  inner += `  <div class="${out(classNames)}"${optionalAttribute('id', p?.id)} data-module="nhsuk-${kind}"${attributes(p?.attributes)}>\n`;
  if (formGroup?.beforeInputs) inner += inputsSlot(formGroup.beforeInputs as Bag);
  const items = p?.items;
  if (items) {
    // Nunjucks' `for`: an iterable object (a Set, a Map) is turned into an array first.
    const list = (
      typeof items === 'object' && !Array.isArray(items) && Symbol.iterator in items
        ? Array.from(items as Iterable<unknown>)
        : items
    ) as ArrayLike<unknown>;
    const group: Group = { kind, params: p, idPrefix, describedBy, hasFieldset };
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (item) inner += itemHtml(group, item, i + 1);
    }
  }
  if (formGroup?.afterInputs) inner += inputsSlot(formGroup.afterInputs as Bag);
  inner += '  </div>\n';

  let html = `<div class="${out(classNamesFormGroup)}"${attributes(formGroup?.attributes)}>\n`;
  if (hasFieldset) {
    const fieldsetText = fieldsetHtml({
      legend: fieldset?.legend,
      html: inner.trim(),
      id: fieldset?.id,
      role: fieldset?.role,
      describedBy,
      classes: fieldset?.classes,
      attributes: fieldset?.attributes,
    });
    html += `  ${fieldsetText.trim()}\n`;
  } else {
    html += `  ${inner.trim()}\n`;
  }
  return `${html}</div>\n`;
}

/** nhsuk/components/radios/template.njk */
export const radiosHtml = (params: unknown) => choicesHtml('radios', params);
/** nhsuk/components/checkboxes/template.njk */
export const checkboxesHtml = (params: unknown) => choicesHtml('checkboxes', params);

/* ---------------------------------------------------------------------------------------------
 * Select
 * ------------------------------------------------------------------------------------------- */

/**
 * `{{- v | safe | trim | indent(4, true) }}` for the select's (and input's) before and after
 * slots: an empty result still gains the spaces (the filters pass a SafeString on).
 */
const slotBlock = (v: unknown, spaces: string) => `${spaces}${indent(raw(v).trim(), spaces)}`;

/** `{{- beforeInput.html | safe | trim | indent(4, true) if beforeInput.html else beforeInput.text }}` (or afterInput). */
function inputSlot(slot: Bag): string {
  return `${slot?.html ? slotBlock(slot.html, '    ') : out(slot?.text)}\n`;
}

/** The label, hint and error message the select and input templates render above the field. */
function fieldTop(p: Bag, id: unknown, describedByParam: unknown): { html: string; describedBy: unknown } {
  const label = textOrHtml(p?.label);
  const hint = textOrHtml(p?.hint);
  const errorMessage = textOrHtml(p?.errorMessage);
  let describedBy = describedByParam;
  const labelText = labelHtml({
    html: label?.html,
    text: label?.text,
    visuallyHiddenText: label?.visuallyHiddenText,
    caption: label?.caption,
    id: label?.id,
    for: dflt(label?.for, id),
    size: label?.size,
    heading: label?.heading,
    isPageHeading: label?.isPageHeading,
    classes: label?.classes,
    attributes: label?.attributes,
  });
  let html = `  ${indent(labelText.trim(), '  ')}\n`;
  if (hint?.text || hint?.html) {
    const hintId = dflt(hint.id, cat(id, '-hint'));
    describedBy = cat(cat(describedBy, ' '), hintId).trim();
    const hintText = hintHtml({
      html: hint.html,
      text: hint.text,
      id: dflt(hint.id, hintId),
      classes: hint.classes,
      attributes: hint.attributes,
    });
    html += `  ${indent(hintText.trim(), '  ')}\n`;
  }
  if (errorMessage?.text || errorMessage?.html) {
    const errorId = dflt(errorMessage.id, cat(id, '-error'));
    describedBy = cat(cat(describedBy, ' '), errorId).trim();
    const errorText = errorMessageHtml({
      html: errorMessage.html,
      text: errorMessage.text,
      visuallyHiddenText: errorMessage.visuallyHiddenText,
      id: dflt(errorMessage.id, errorId),
      classes: errorMessage.classes,
      attributes: errorMessage.attributes,
    });
    html += `  ${indent(errorText.trim(), '  ')}\n`;
  }
  return { html, describedBy };
}

/** Whether the form group's beforeInput or afterInput slot has text or html. */
const hasSlot = (slot: unknown) => (slot && ((slot as Bag)?.text || (slot as Bag)?.html) ? true : false);

/** The `<option>` and `<hr>` lines of the select template's `_selectElement` macro. */
function optionsHtml(p: Bag): string {
  const items = p?.items;
  if (!items) return '';
  // Nunjucks' `for`: an iterable object (a Set, a Map) is turned into an array first.
  const list = (
    typeof items === 'object' && !Array.isArray(items) && Symbol.iterator in items
      ? Array.from(items as Iterable<unknown>)
      : items
  ) as ArrayLike<unknown>;
  const chosen = p?.value;
  let html = '';
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as Bag;
    if (item?.divider) {
      html += '    <hr>\n';
      continue;
    }
    if (!item) continue;
    const value = item.value;
    const selected = item.selected;
    // `item.selected | default((effectiveValue == params.value and item.selected != false) if params.value else false, true)`
    const isSelected = selected
      ? selected
      : chosen
        ? looseEq(dflt(value, item.text), chosen) && !looseEq(selected, false)
        : false;
    html += `    <option${value !== undefined ? ` value="${out(value)}"` : ''}${isSelected ? ' selected' : ''}${item.disabled ? ' disabled' : ''}${attributes(item.attributes)}>${out(item.text)}</option>\n`;
  }
  return html;
}

/** nhsuk/components/select/template.njk */
export function selectHtml(params: unknown): string {
  const p = params as Bag;
  const errorMessage = textOrHtml(p?.errorMessage);
  let classNames = 'nhsuk-select';
  let classNamesFormGroup = 'nhsuk-form-group';
  if (errorMessage?.text || errorMessage?.html || looseEq(p?.errorMessage, true)) {
    classNames += ' nhsuk-select--error';
    classNamesFormGroup += ' nhsuk-form-group--error';
  }
  if (p?.classes) classNames = cat(cat(classNames, ' '), p.classes);
  const formGroup = p?.formGroup as Bag;
  if (formGroup?.classes) classNamesFormGroup = cat(cat(classNamesFormGroup, ' '), formGroup.classes);
  const id = p?.id ? p.id : p?.name;
  const hasBeforeInput = hasSlot(formGroup?.beforeInput);
  const hasAfterInput = hasSlot(formGroup?.afterInput);
  const top = fieldTop(p, id, p?.describedBy ? p.describedBy : '');
  const describedBy = top.describedBy;

  const select = `<select class="${out(classNames)}" id="${out(id)}" name="${out(p?.name)}"${p?.disabled ? ' disabled' : ''}${describedBy ? ` aria-describedby="${out(describedBy)}"` : ''}${attributes(p?.attributes)}>\n${optionsHtml(p)}  </select>`;

  let html = `<div class="${out(classNamesFormGroup)}"${attributes(formGroup?.attributes)}>\n${top.html}`;
  const inputWrapper = p?.inputWrapper as Bag;
  if (hasBeforeInput || hasAfterInput || inputWrapper?.classes || inputWrapper?.attributes) {
    const wrapperClasses = inputWrapper?.classes;
    html += `  <div class="nhsuk-input-wrapper${wrapperClasses ? ` ${out(wrapperClasses)}` : ''}"${attributes(inputWrapper?.attributes)}>\n`;
    if (hasBeforeInput) html += inputSlot(formGroup?.beforeInput as Bag);
    html += `    ${select}\n`;
    if (hasAfterInput) html += inputSlot(formGroup?.afterInput as Bag);
    html += '  </div>\n';
  } else {
    html += `  ${select}\n`;
  }
  return `${html}</div>\n`;
}

/* ---------------------------------------------------------------------------------------------
 * Input
 * ------------------------------------------------------------------------------------------- */

const INPUT_WIDTHS = ['2', '3', '4', '4', '5', '10', '20', '30'];
const TRUE_FALSE = [true, false];
/** A looked-up param as the template holds it: a function as the wrapper, printing as its text. */
const lookedUp = (v: unknown): unknown => (typeof v === 'function' ? functionText : v);

/** The input template's `_affixItem` macro, `| indent(2, true)` as the template uses it. */
function affixHtml(affix: Bag, type: string): string {
  const classes = affix?.classes;
  const content = affix?.html ? indent(raw(affix.html).trim(), '    ') : out(affix?.text);
  const html = `  <div class="nhsuk-input-wrapper__${type}${classes ? ` ${out(classes)}` : ''}" aria-hidden="true"${attributes(affix?.attributes)}>${content}</div>`;
  return `  ${indent(html, '  ')}\n`;
}

/** nhsuk/components/input/template.njk */
export function inputHtml(params: unknown): string {
  const p = params as Bag;
  const errorMessage = textOrHtml(p?.errorMessage);
  const classes = p?.classes;
  let classNames = 'nhsuk-input';
  let classNamesInputWrapper = 'nhsuk-input-wrapper';
  let classNamesFormGroup = 'nhsuk-form-group';
  if (p?.large && (!classes || !inOp('nhsuk-input--large', classes))) {
    classNames += ' nhsuk-input--large';
    classNamesInputWrapper += ' nhsuk-input-wrapper--large';
  }
  if (p?.code && (!classes || !inOp('nhsuk-input--code', classes))) classNames += ' nhsuk-input--code';
  if (errorMessage?.text || errorMessage?.html || looseEq(p?.errorMessage, true)) {
    classNames += ' nhsuk-input--error';
    classNamesFormGroup += ' nhsuk-form-group--error';
  }
  const width = p?.width;
  if (
    width &&
    // `params.width | string in [...]`: the `string` filter keeps a SafeString one, never in the list.
    !isSafe(width) &&
    INPUT_WIDTHS.includes(str(width)) &&
    (!classes ||
      (!inOp('nhsuk-input--width-2', classes) &&
        !inOp('nhsuk-input--width-3', classes) &&
        !inOp('nhsuk-input--width-4', classes) &&
        !inOp('nhsuk-input--width-5', classes) &&
        !inOp('nhsuk-input--width-10', classes) &&
        !inOp('nhsuk-input--width-20', classes) &&
        !inOp('nhsuk-input--width-30', classes)))
  ) {
    classNames = cat(cat(classNames, ' nhsuk-input--width-'), width);
  }
  if (classes) classNames = cat(cat(classNames, ' '), classes);
  const inputWrapper = p?.inputWrapper as Bag;
  if (inputWrapper?.classes) {
    classNamesInputWrapper = cat(cat(classNamesInputWrapper, ' '), inputWrapper.classes);
  }
  const formGroup = p?.formGroup as Bag;
  if (formGroup?.classes) classNamesFormGroup = cat(cat(classNamesFormGroup, ' '), formGroup.classes);
  const id = p?.id ? p.id : p?.name;
  const prefix = textOrHtml(p?.prefix);
  const suffix = textOrHtml(p?.suffix);
  const hasPrefix = prefix?.text || prefix?.html ? true : false;
  const hasSuffix = suffix?.text || suffix?.html ? true : false;
  const hasBeforeInput = hasSlot(formGroup?.beforeInput);
  const hasAfterInput = hasSlot(formGroup?.afterInput);
  const top = fieldTop(p, id, p?.describedBy ? p.describedBy : '');
  const describedBy = top.describedBy;

  // The `_inputElement` macro: the same mapping, through the same nhsukAttributes.
  const spellcheck = p?.spellcheck;
  const optional = (value: unknown) => ({ value: lookedUp(value), optional: true });
  const input = `<input${attributes({
    class: classNames,
    id: lookedUp(id),
    name: lookedUp(p?.name),
    type: lookedUp(p?.type || 'text'),
    spellcheck: { value: inOp(spellcheck, TRUE_FALSE) ? String(spellcheck) : false, optional: true },
    value: optional(p?.value),
    disabled: optional(p?.disabled),
    'aria-describedby': { value: describedBy ? describedBy : false, optional: true },
    autocomplete: optional(p?.autocomplete),
    autocapitalize: optional(p?.autocapitalize),
    pattern: optional(p?.pattern),
    placeholder: optional(p?.placeholder),
    inputmode: optional(p?.inputmode),
  })}${attributes(p?.attributes)}>`;

  let html = `<div class="${out(classNamesFormGroup)}"${attributes(formGroup?.attributes)}>\n${top.html}`;
  if (
    hasPrefix ||
    hasSuffix ||
    hasBeforeInput ||
    hasAfterInput ||
    inputWrapper?.classes ||
    inputWrapper?.attributes
  ) {
    html += `  <div class="${out(classNamesInputWrapper)}"${attributes(inputWrapper?.attributes)}>\n`;
    if (hasBeforeInput) html += inputSlot(formGroup?.beforeInput as Bag);
    if (hasPrefix) html += affixHtml(prefix, 'prefix');
    html += `    ${input}\n`;
    if (hasSuffix) html += affixHtml(suffix, 'suffix');
    if (hasAfterInput) html += inputSlot(formGroup?.afterInput as Bag);
    html += '  </div>\n';
  } else {
    html += `  ${input}\n`;
  }
  return `${html}</div>\n`;
}

/*
 * The globals the shadowing macro files export under the NHS.UK macro names, called by templates
 * as the macros were: `radios({...})`, `radios(params={...})`, `{% call fieldset({...}) %}...`.
 */
export function nhsukRadios(...args: unknown[]): Safe {
  return new SafeString(radiosHtml(macroArgs(args).params));
}
export function nhsukCheckboxes(...args: unknown[]): Safe {
  return new SafeString(checkboxesHtml(macroArgs(args).params));
}
export function nhsukLabel(...args: unknown[]): Safe {
  const { params, caller } = macroArgs(args);
  return new SafeString(labelHtml(params, caller));
}
export function nhsukHint(...args: unknown[]): Safe {
  const { params, caller } = macroArgs(args);
  return new SafeString(hintHtml(params, caller));
}
export function nhsukTag(...args: unknown[]): Safe {
  const { params, caller } = macroArgs(args);
  return new SafeString(tagHtml(params, caller));
}
export function nhsukErrorMessage(...args: unknown[]): Safe {
  const { params, caller } = macroArgs(args);
  return new SafeString(errorMessageHtml(params, caller));
}
export function nhsukFieldset(...args: unknown[]): Safe {
  const { params, caller } = macroArgs(args);
  return new SafeString(fieldsetHtml(params, caller));
}
export function nhsukSelect(...args: unknown[]): Safe {
  return new SafeString(selectHtml(macroArgs(args).params));
}
export function nhsukInput(...args: unknown[]): Safe {
  return new SafeString(inputHtml(macroArgs(args).params));
}
