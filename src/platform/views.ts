import path from 'node:path';
import nunjucks from 'nunjucks';
import { projectRoot, srcDir } from '../paths.ts';
import { formatLongDate } from './dates.ts';
import type { FieldError } from './errors.ts';
import { nhsukAttributes } from './nhsuk-attributes.ts';
import {
  nhsukCheckboxes,
  nhsukErrorMessage,
  nhsukFieldset,
  nhsukHint,
  nhsukInput,
  nhsukTag,
  nhsukLabel,
  nhsukRadios,
  nhsukSelect,
} from './nhsuk-components.ts';

export const nhsukFrontendDir = path.join(projectRoot, 'node_modules', 'nhsuk-frontend', 'dist');
/** Templates are found by paths relative to src/ ("views/...", "modules/x/views/...") or to nhsuk-frontend. */
export const templateDirs = [srcDir, nhsukFrontendDir];

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});
const numberFormat = new Intl.NumberFormat('en-GB');

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && value) {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

type ExportedCallback = (err: Error | null, exported: Record<string, unknown> | null) => void;
type TemplateWithExports = {
  getExported(ctx: unknown, parentFrame?: unknown, cb?: ExportedCallback): void;
};

/**
 * Remembers what a template exports (its macros) when it is imported without context.
 *
 * Nunjucks runs an imported template's top level again on every `{% from ... import ... %}`,
 * and each NHS.UK component runs two or three such imports (attributes, icons) every time it is
 * called: profiling a form page put about 40% of a request's CPU there. An import without context
 * sees only the environment's globals, so its exports are the same every time: compute them once
 * per compiled template. A template recompiled in development is a new object and misses the cache.
 */
function cacheContextFreeImports(): void {
  const proto = (nunjucks.Template as unknown as { prototype: TemplateWithExports }).prototype;
  if ((proto as { cln_cachedExports?: boolean }).cln_cachedExports) return;
  const original = proto.getExported;
  const cache = new WeakMap<object, Record<string, unknown>>();
  proto.getExported = function (this: object, ctx: unknown, parentFrame?: unknown, cb?: ExportedCallback) {
    if (typeof ctx !== 'function') return original.call(this, ctx, parentFrame, cb);
    const done = ctx as ExportedCallback;
    const hit = cache.get(this);
    if (hit) return done(null, hit);
    return original.call(this, (err: Error | null, exported: Record<string, unknown> | null) => {
      if (!err && exported) cache.set(this, exported);
      done(err, exported);
    });
  };
  (proto as { cln_cachedExports?: boolean }).cln_cachedExports = true;
}

type FrameLike = {
  parent?: FrameLike;
  isolateWrites?: boolean;
  vars?: Map<string, unknown>;
  set(name: string, value: unknown, resolveUp?: boolean): void;
  get(name: string): unknown;
  lookup(name: string): unknown;
  resolve(name: string, forWrite?: boolean): FrameLike | undefined;
};
type FrameMethods = Pick<FrameLike, 'set' | 'get' | 'lookup' | 'resolve'>;

const frameProto = (nunjucks.runtime as unknown as { Frame: { prototype: FrameMethods } }).Frame.prototype;
const stockFrameMethods: FrameMethods = {
  set: frameProto.set,
  get: frameProto.get,
  lookup: frameProto.lookup,
  resolve: frameProto.resolve,
};

/**
 * Nunjucks' Frame (the scope of a template, a macro call or a loop body) with its variables in a
 * Map. The stock Frame keeps them in an `Object.create(null)` dictionary: every macro call and loop
 * iteration makes a new one and adds a handful of names (loop.index, loop.first, ... and every
 * macro argument), and those adds were the largest single cost of rendering a form page (about
 * 20% of it; 3,600 of them for a learning-set session page). Same behaviour, including dotted
 * names and writes that stop at an isolating frame; views.test.ts renders the app's components
 * and a set of scoping cases both ways and compares.
 */
/** The names a `for` loop sets on every iteration (compiled as `frame.set("loop.index", ...)`). */
const LOOP_FIELDS = new Map(
  ['index', 'index0', 'revindex', 'revindex0', 'first', 'last', 'length'].map((f) => [`loop.${f}`, f]),
);

const mapFrameMethods: FrameMethods = {
  set(this: FrameLike, name, value, resolveUp) {
    let dot = name.indexOf('.');
    // Loop variables, seven per iteration: the property name without slicing the string.
    const loopField = dot === 4 && !resolveUp ? LOOP_FIELDS.get(name) : undefined;
    if (loopField !== undefined) {
      const vars = (this.vars ??= new Map());
      let loop = vars.get('loop') as Record<string, unknown> | undefined;
      if (!loop) {
        loop = {};
        vars.set('loop', loop);
      }
      loop[loopField] = value;
      return;
    }
    if (resolveUp) {
      const frame = this.resolve(dot === -1 ? name : name.slice(0, dot), true);
      if (frame) {
        frame.set(name, value);
        return;
      }
    }
    const vars = (this.vars ??= new Map());
    if (dot === -1) {
      vars.set(name, value);
      return;
    }
    // "loop.index": nested objects, as the stock Frame builds them.
    const head = name.slice(0, dot);
    let obj = vars.get(head) as Record<string, unknown> | undefined;
    if (!obj) {
      obj = {};
      vars.set(head, obj);
    }
    let start = dot + 1;
    dot = name.indexOf('.', start);
    while (dot !== -1) {
      const id = name.slice(start, dot);
      if (!obj[id]) obj[id] = {};
      obj = obj[id] as Record<string, unknown>;
      start = dot + 1;
      dot = name.indexOf('.', start);
    }
    obj[name.slice(start)] = value;
  },
  get(this: FrameLike, name) {
    const value = this.vars?.get(name);
    return value !== undefined ? value : null;
  },
  lookup(this: FrameLike, name) {
    const value = this.vars?.get(name);
    if (value !== undefined) return value;
    return this.parent?.lookup(name);
  },
  resolve(this: FrameLike, name, forWrite) {
    if (this.vars?.get(name) !== undefined) return this;
    const parent = forWrite && this.isolateWrites ? undefined : this.parent;
    return parent?.resolve(name);
  },
};

/** Which Frame implementation templates use: 'map' normally, 'stock' only to compare in tests. */
export function useFrames(kind: 'map' | 'stock'): void {
  Object.assign(frameProto, kind === 'map' ? mapFrameMethods : stockFrameMethods);
}

/** Nunjucks' `indent` filter: every line but the first (or every line) gains `width` spaces. */
export function indentFilter(value: unknown, width?: number, indentFirst?: boolean): unknown {
  if (value === null || value === undefined || value === false || value === '') return '';
  const spaces = ' '.repeat(width || 4);
  const out = (indentFirst ? spaces : '') + String(value).replaceAll('\n', `\n${spaces}`);
  return value instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(out) : out;
}

/** Filters every template may use; called by @fastify/view once the environment exists. */
export function configureViewEnvironment(env: nunjucks.Environment): void {
  cacheContextFreeImports();
  useFrames('map');
  // Used by src/nhsuk/macros/attributes.njk, which shadows the NHS.UK macro of the same name.
  env.addGlobal('clnNhsukAttributes', nhsukAttributes);
  // Used by src/nhsuk/components/*/macro.njk, which shadow the NHS.UK macros of those components.
  env.addGlobal('clnNhsukRadios', nhsukRadios);
  env.addGlobal('clnNhsukCheckboxes', nhsukCheckboxes);
  env.addGlobal('clnNhsukLabel', nhsukLabel);
  env.addGlobal('clnNhsukHint', nhsukHint);
  env.addGlobal('clnNhsukErrorMessage', nhsukErrorMessage);
  env.addGlobal('clnNhsukFieldset', nhsukFieldset);
  env.addGlobal('clnNhsukSelect', nhsukSelect);
  env.addGlobal('clnNhsukInput', nhsukInput);
  env.addGlobal('clnNhsukTag', nhsukTag);
  // The stock trim filter uses a regex that is quadratic on long whitespace and slows NHS.UK
  // macros several times over; String#trim is linear. Keep the input's safeness.
  env.addFilter('trim', (value: unknown) => {
    const out = String(value ?? '').trim();
    return value instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(out) : out;
  });
  // The stock indent filter splits the text into lines and joins them again; NHS.UK components
  // indent every nested component's HTML. Same result (tested against the stock filter).
  env.addFilter('indent', indentFilter);
  env.addFilter('date', (v: unknown) => {
    const d = toDate(v);
    return d ? formatLongDate(d) : '';
  });
  env.addFilter('datetime', (v: unknown) => {
    const d = toDate(v);
    return d ? dateTimeFormat.format(d) : '';
  });
  env.addFilter('number', (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v) ? numberFormat.format(v) : '',
  );
  env.addFilter('percent', (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v) ? `${Math.round(v * 1000) / 10}%` : '–',
  );
  /**
   * NHS error summary list items, each linking to its field. A message about the whole form (a rule
   * broken, such as a round that has closed) has no field to link to, so it is shown as text.
   */
  env.addFilter('errorList', (errors: FieldError[] | undefined) =>
    (errors ?? []).map((e) =>
      e.field === 'form' ? { text: e.message } : { text: e.message, href: `#${e.field}` },
    ),
  );
  /** The message for one field, shaped for an NHS component's errorMessage. */
  env.addFilter('fieldError', (errors: FieldError[] | undefined, field: string) => {
    const e = (errors ?? []).find((x) => x.field === field);
    return e ? { text: e.message } : undefined;
  });
}

export const viewOptions = {
  autoescape: true,
  throwOnUndefined: false,
  trimBlocks: true,
  lstripBlocks: true,
};
