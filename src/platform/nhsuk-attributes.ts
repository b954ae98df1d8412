import nunjucks from 'nunjucks';

const { SafeString } = nunjucks.runtime;
type Safe = InstanceType<typeof SafeString>;

const isSafe = (v: unknown): v is Safe => v instanceof SafeString;
/** Nunjucks' `mapping` test: a plain object (a SafeString is one too, hence the extra check). */
const isMapping = (v: unknown) => Object.prototype.toString.call(v) === '[object Object]';
const isString = (v: unknown): v is string => typeof v === 'string';
/** Nunjucks' `iterable` test: anything with an iterator, strings included. */
const isIterable = (v: unknown) =>
  v !== null && v !== undefined && Boolean((v as { [Symbol.iterator]?: unknown })[Symbol.iterator]);
// nunjucks.lib.escape, which the typings leave out: the escaping every template uses.
const escapeHtml = (s: string) => (nunjucks.lib as unknown as { escape(s: string): string }).escape(s);
/** The `escape` filter: a SafeString stays as it is; anything else is escaped text. */
const escapeValue = (v: unknown): string => (isSafe(v) ? String(v) : escapeHtml(String(v)));

/**
 * The NHS.UK frontend's `nhsukAttributes` macro (nhsuk/macros/attributes.njk) in JavaScript, with
 * the same output for every input (proved against the original macro in nhsuk-attributes.test.ts).
 * Every component renders its attributes through that macro, and running it as a template loop cost
 * a large share of each page's CPU; src/nhsuk/macros/attributes.njk calls this instead.
 */
export function nhsukAttributes(attributes: unknown): Safe {
  let html = isString(attributes) ? attributes : '';
  if (isSafe(attributes) && isString((attributes as unknown as { val: unknown }).val)) {
    return attributes;
  }
  if (isMapping(attributes) && !isSafe(attributes)) {
    // As in the macro, `value` keeps its last value from one attribute to the next when an
    // attribute sets none (the array case): the template loop shares one frame.
    let value: unknown;
    for (const [name, item] of Object.entries(attributes as Record<string, unknown>)) {
      const options = (
        isMapping(item) && !isSafe(item) ? item : { value: item, type: 'string', optional: false }
      ) as { value?: unknown; type?: unknown; optional?: unknown };
      let valueEscaped: string;
      // The macro tests `'"' in valueEscaped`, which looks inside plain strings only: a
      // SafeString (every escaped or `safe` value) never counts, so only JSON gets single quotes.
      let plainText = false;
      if (options.value === undefined || options.value === null) {
        value = null;
        valueEscaped = '';
      } else if (isSafe(options.value)) {
        value = (options.value as unknown as { val: unknown }).val;
        valueEscaped = String(options.value);
      } else if (options.type === 'array' && isIterable(options.value)) {
        valueEscaped = JSON.stringify(options.value)
          .replace(/</g, '\\u003c')
          .replace(/>/g, '\\u003e')
          .replace(/&/g, '\\u0026')
          .replace(/'/g, '\\u0027');
        plainText = true;
      } else {
        value = options.value;
        valueEscaped = escapeValue(options.value);
      }
      if (options.optional === true && value === true) {
        html = `${html} ${escapeHtml(name)}`;
      } else if (
        (options.optional === true && value !== undefined && value !== null && value !== false) ||
        options.optional !== true
      ) {
        html =
          plainText && valueEscaped.includes('"')
            ? `${html} ${escapeHtml(name)}='${valueEscaped}'`
            : `${html} ${escapeHtml(name)}="${valueEscaped}"`;
      }
    }
  }
  return new SafeString(html);
}
