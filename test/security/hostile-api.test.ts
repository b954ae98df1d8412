import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorSchema } from '../../src/platform/schemas.ts';
import { buildTestApp, createUser, type TestContext } from '../app.ts';
import { seedItem } from '../knowledge-fixtures.ts';
import { addMember, organisationIdOf } from '../journeys/support.ts';
import { HOSTILE_PATH_VALUES, HOSTILE_STRINGS, internalDetail, OVER_LONG } from './hostile-values.ts';

/**
 * Every operation of the OpenAPI document the app serves, called with bodies, query strings and path
 * parameters generated from its own schema and then broken one field at a time: missing, wrongly typed,
 * over-long, hostile strings, huge, negative and fractional numbers, arrays for scalars, deep nesting;
 * plus bodies that are not objects, invalid JSON and content types the API does not take. As the
 * national team, a member and someone signed out: never a 5xx, never internal detail in a body, and
 * every JSON error in the usual `{ error: { code, message } }` shape.
 */

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
  nullable?: boolean;
};
type Parameter = { in: 'path' | 'query' | 'header'; name: string; schema: JsonSchema; required?: boolean };
type Operation = {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: JsonSchema;
};

/** A value the schema would plausibly accept, so that breaking one field tests that field alone. */
function sample(schema: JsonSchema, key = ''): unknown {
  const options = schema.anyOf ?? schema.oneOf;
  if (options) {
    const concrete = options.find((o) => !(o.enum && o.enum.length === 1 && o.enum[0] === '')) ?? options[0]!;
    return sample(concrete, key);
  }
  if (schema.allOf?.length) return sample(schema.allOf[0]!, key);
  if (schema.enum?.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'integer':
    case 'number': {
      const lo = schema.minimum ?? 1;
      return Math.min(Math.max(lo, 1), schema.maximum ?? 1_000);
    }
    case 'boolean':
      return true;
    case 'array':
      return schema.items ? [sample(schema.items, key)] : [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(schema.properties ?? {})) out[k] = sample(s, k);
      return out;
    }
    default:
      return sampleString(schema, key);
  }
}

function sampleString(schema: JsonSchema, key: string): string {
  const p = schema.pattern ?? '';
  if (p.includes('Q3')) return 'Q34';
  if (schema.format === 'date' || p.includes('\\d{4}-') || /date|On$/i.test(key)) return '2027-03-01';
  if (p.includes('[0-5]\\d')) return '10:00';
  if (p.includes('[A-Z0-9]')) return 'RBK';
  if (p.includes('[0-9 ()-]')) return '01234 567890';
  if (/email/i.test(key)) return `fuzz.${key.toLowerCase()}@nhs.test`;
  if (/url/i.test(key)) return 'https://meet.nhs.test/room';
  return 'Fuzz value';
}

const deepObject = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

/** Replacement values for one field of a JSON body (undefined means the field is left out). */
function bodyVariants(schema: JsonSchema): unknown[] {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const common: unknown[] = [undefined, null, true, {}, ['a', 'b'], deepObject(64)];
  const numbers = [-1, 0, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2_147_483_648, 'NaN', '12', ''];
  if (type === 'integer' || type === 'number') return [...common, ...numbers, ...HOSTILE_STRINGS.slice(0, 3)];
  if (type === 'boolean') return [...common, 'true', 1, 0, 'yes'];
  if (type === 'array') {
    const item = schema.items ? sample(schema.items) : 'x';
    return [
      ...common,
      'not a list',
      42,
      Array.from({ length: 1_000 }, () => item),
      ...HOSTILE_STRINGS.map((s) => [s]),
      [OVER_LONG],
      [null],
      [[item]],
      schema.items?.type === 'object' ? [{ ...(item as object), extra: 1 }] : [-1],
    ];
  }
  if (type === 'object') return [...common, 'text', 42, [], { __proto__: { admin: true } }];
  return [...common, 42, -1, 1e308, ...HOSTILE_STRINGS, OVER_LONG, '', ' ', '\t\n'];
}

/** Replacement values for one query parameter, as raw (already encoded) query-string pieces. */
function queryVariants(name: string): string[] {
  // A lone surrogate has no UTF-8 form: it travels as the bytes a careless encoder would send.
  const enc = (v: string) =>
    `${name}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '')).replace('%20%20', '%20%ED%A0%80%20')}`;
  return [
    `${name}=`,
    `${name}=a&${name}=b`,
    `${name}[]=a`,
    `${name}[x]=1`,
    enc('-1'),
    enc('1.5'),
    enc('1e400'),
    enc('NaN'),
    enc('99999999999999999999'),
    enc(OVER_LONG.slice(0, 20_000)),
    `${name}=%00`,
    `${name}=%ED%A0%80`,
    `${name}=%E2%80%AE`,
    `${name}=%`,
    ...HOSTILE_STRINGS.map(enc),
  ];
}

/** Whole-request variants: bodies that are not objects, invalid JSON, wrong or missing content types. */
const WHOLE_BODY_VARIANTS: { payload: string; contentType?: string }[] = [
  { payload: '{"a":', contentType: 'application/json' },
  { payload: '', contentType: 'application/json' },
  { payload: 'null', contentType: 'application/json' },
  { payload: '[]', contentType: 'application/json' },
  { payload: '"text"', contentType: 'application/json' },
  { payload: '42', contentType: 'application/json' },
  {
    payload: '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}',
    contentType: 'application/json',
  },
  { payload: `${'['.repeat(5_000)}${']'.repeat(5_000)}`, contentType: 'application/json' },
  { payload: JSON.stringify(deepObject(2_000)), contentType: 'application/json' },
  { payload: '{"name": "\\ud800"}', contentType: 'application/json' },
  { payload: 'name=x&email=y', contentType: 'application/x-www-form-urlencoded' },
  { payload: '<user/>', contentType: 'application/xml' },
  { payload: 'plain', contentType: 'text/plain' },
  {
    payload: '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--b--',
    contentType: 'multipart/form-data; boundary=b',
  },
  { payload: '{"a":1}', contentType: 'application/json; charset=utf-16' },
  { payload: '{"a":1}' },
];

type Caller = { label: string; headers: Record<string, string>; variantStride: number };

let ctx: TestContext;
let operations: Operation[];
let callers: Caller[];
let address = 0;
/** Real records for the paths that name them, so that their bodies reach the service's rules. */
const realIds: { pattern: RegExp; name: string; value: string }[] = [];

beforeAll(async () => {
  ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
  const doc = (await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json() as {
    paths: Record<
      string,
      Record<
        string,
        { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }
      >
    >;
  };
  operations = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(item)) {
      const body = op.requestBody?.content['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        ...(body ? { body } : {}),
      });
    }
  }

  const national = await createUser(ctx, [{ role: 'national', regionCode: null }]);
  const member = await addMember(ctx, {
    regionCode: 'Q34',
    name: 'Fuzz Member',
    profession: 'nurse',
    organisationId: await organisationIdOf(ctx, 'RPA'),
    jobTitle: 'Ward sister',
    mentor: true,
  });
  const tokenOf = async (u: { id: number; name: string; email: string; roles: never[] | unknown[] }) =>
    (
      await ctx.app.services.accounts.createApiToken(
        { userId: u.id, name: u.name, email: u.email, roles: u.roles as never, ip: null, requestId: null },
        'hostile input',
      )
    ).token;
  // Knowledge: discussion and moderation. A network item with a question by someone who is not a
  // caller (so no caller can delete it): the discussion's operations reach a real post.
  const author = await createUser(ctx, [{ role: 'member', regionCode: 'Q34' }]);
  const item = await seedItem(ctx.db, { ownerUserId: author.id, title: 'Fuzz discussion item' });
  const posted = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/knowledge/items/${item}/posts`,
    headers: { authorization: `Bearer ${await tokenOf(author)}`, accept: 'application/json' },
    payload: { kind: 'question', body: 'Fuzz question' },
  });
  if (posted.statusCode !== 201) throw new Error(`knowledge post: ${posted.statusCode} ${posted.body}`);
  const post = (posted.json() as { post: { id: number } }).post.id;
  realIds.push(
    {
      pattern: /^\/api\/v1\/knowledge\/items\/\{id\}\/(discussion|posts|follow)$/,
      name: 'id',
      value: String(item),
    },
    { pattern: /^\/api\/v1\/knowledge\/posts\/\{id\}/, name: 'id', value: String(post) },
  );
  callers = [
    { label: 'national', headers: { authorization: `Bearer ${await tokenOf(national)}` }, variantStride: 1 },
    { label: 'member', headers: { authorization: `Bearer ${await tokenOf(member)}` }, variantStride: 4 },
    { label: 'signed out', headers: {}, variantStride: 6 },
  ];
  const made = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/knowledge/items',
    headers: callers[0]!.headers,
    payload: { kind: 'case-study', title: 'Fuzz case study', summary: 'Fuzz summary', visibility: 'network' },
  });
  expect(made.statusCode, made.body).toBe(201);
  const id = String(made.json().id);
  const cycle = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/knowledge/items/${id}/cycles`,
    headers: callers[0]!.headers,
    payload: { plan: 'Fuzz cycle' },
  });
  expect(cycle.statusCode, cycle.body).toBe(201);
  // After the discussion's own item: the other item routes (edit, publish, cycles, versions, files).
  realIds.push(
    { pattern: /^\/api\/v1\/knowledge\/items\/\{id\}/, name: 'id', value: id },
    {
      pattern: /^\/api\/v1\/knowledge\/items\/\{id\}\/cycles\//,
      name: 'cycleId',
      value: String(cycle.json().id),
    },
  );
});
afterAll(async () => {
  await ctx?.close();
});

/** A path with each parameter filled: a record that does not exist unless a value is given. */
function fillPath(path: string, values: Record<string, string> = {}): string {
  return path.replace(
    /\{(\w+)\}/g,
    (_, name: string) =>
      values[name] ??
      realIds.find((r) => r.name === name && r.pattern.test(path))?.value ??
      (name === 'code' ? 'Q34' : name === 'ods' ? 'RRK' : name === 'token' ? 'no-such-token' : '987654'),
  );
}

function validQuery(op: Operation): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of op.parameters)
    if (p.in === 'query' && p.required) out[p.name] = String(sample(p.schema, p.name));
  return out;
}

type Probe = { op: Operation; url: string; payload?: string; contentType?: string; what: string };

function probesFor(op: Operation): Probe[] {
  const probes: Probe[] = [];
  const query = new URLSearchParams(validQuery(op)).toString();
  const baseUrl = (path = fillPath(op.path)) => (query ? `${path}?${query}` : path);
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(op.method);
  const validBody = op.body ? (sample(op.body) as Record<string, unknown>) : {};
  const json = (b: unknown) => JSON.stringify(b);

  for (const p of op.parameters.filter((x) => x.in === 'path'))
    for (const v of HOSTILE_PATH_VALUES)
      probes.push({
        op,
        url: baseUrl(fillPath(op.path, { [p.name]: v })),
        ...(hasBody ? { payload: json(validBody), contentType: 'application/json' } : {}),
        what: `path ${p.name}=${v.slice(0, 30)}`,
      });

  for (const p of op.parameters.filter((x) => x.in === 'query'))
    for (const piece of queryVariants(p.name)) {
      const rest = new URLSearchParams(validQuery(op));
      rest.delete(p.name);
      const qs = [rest.toString(), piece].filter(Boolean).join('&');
      probes.push({
        op,
        url: `${fillPath(op.path)}?${qs}`,
        ...(hasBody ? { payload: json(validBody), contentType: 'application/json' } : {}),
        what: `query ${piece.slice(0, 40)}`,
      });
    }
  probes.push({
    op,
    url: `${fillPath(op.path)}?__proto__[admin]=1&constructor[prototype][admin]=1`,
    what: 'query prototype keys',
  });

  if (hasBody) {
    probes.push({
      op,
      url: baseUrl(),
      payload: json(validBody),
      contentType: 'application/json',
      what: 'valid body',
    });
    probes.push({
      op,
      url: baseUrl(),
      payload: json({ ...validBody, unexpected: '<script>alert(1)</script>' }),
      contentType: 'application/json',
      what: 'unknown field',
    });
    for (const w of WHOLE_BODY_VARIANTS)
      probes.push({
        op,
        url: baseUrl(),
        payload: w.payload,
        ...(w.contentType ? { contentType: w.contentType } : {}),
        what: `body ${w.payload.slice(0, 30)} as ${w.contentType ?? 'none'}`,
      });
    for (const [field, schema] of Object.entries(op.body?.properties ?? {})) {
      const variants = bodyVariants(schema);
      for (const v of variants) {
        const body: Record<string, unknown> = { ...validBody };
        if (v === undefined) delete body[field];
        else body[field] = v;
        probes.push({
          op,
          url: baseUrl(),
          payload: json(body),
          contentType: 'application/json',
          what: `body ${field}=${String(json(v) ?? 'missing').slice(0, 40)}`,
        });
      }
      // One level down: each field of the first item of a list of objects.
      const itemSchema = schema.items;
      if (itemSchema?.properties)
        for (const [sub, subSchema] of Object.entries(itemSchema.properties))
          for (const v of bodyVariants(subSchema).slice(0, 14)) {
            const item = { ...(sample(itemSchema) as Record<string, unknown>) };
            if (v === undefined) delete item[sub];
            else item[sub] = v;
            probes.push({
              op,
              url: baseUrl(),
              payload: json({ ...validBody, [field]: [item] }),
              contentType: 'application/json',
              what: `body ${field}[0].${sub}=${String(json(v) ?? 'missing').slice(0, 30)}`,
            });
          }
    }
  } else {
    probes.push({ op, url: baseUrl(), what: 'plain call' });
    probes.push({
      op,
      url: baseUrl(),
      payload: '{"a":',
      contentType: 'application/json',
      what: 'unexpected invalid body',
    });
  }
  return probes;
}

function check(
  caller: Caller,
  probe: Probe,
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
  failures: string[],
) {
  const where = `${caller.label} ${probe.op.method} ${probe.url.slice(0, 70)} [${probe.what}]`;
  if (res.statusCode >= 500) failures.push(`${where}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  const leak = internalDetail(res.body);
  if (leak) failures.push(`${where}: internal detail "${leak}"`);
  if (res.statusCode >= 400) {
    const type = String(res.headers['content-type'] ?? '');
    if (!type.includes('application/json')) failures.push(`${where}: ${res.statusCode} answered as ${type}`);
    else {
      const parsed = apiErrorSchema.safeParse(JSON.parse(res.body));
      if (!parsed.success || !parsed.data.error.code || !parsed.data.error.message)
        failures.push(`${where}: error body not in the usual shape: ${res.body.slice(0, 120)}`);
    }
  }
}

describe('hostile input on every API operation of the OpenAPI document', () => {
  it('finds the operations', () => {
    expect(operations.length).toBeGreaterThan(60);
    expect(operations.filter((o) => o.body).length).toBeGreaterThan(25);
    // The shared default query schema is not documented as parameters named "type" and "additionalProperties".
    const bogus = operations.flatMap((o) =>
      o.parameters
        .filter((p) => p.in === 'query' && typeof p.schema !== 'object')
        .map((p) => `${o.path} ${p.name}`),
    );
    expect(bogus).toEqual([]);
  });

  it('never answers 5xx or with internal detail, as the national team, a member and signed out', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const [n, op] of operations.entries()) {
      const probes = probesFor(op);
      for (const caller of callers) {
        for (let i = 0; i < probes.length; i++) {
          // The member and the signed-out caller take every n-th probe (a different slice for each
          // operation), to keep the run short.
          if ((i + n) % caller.variantStride !== 0) continue;
          const probe = probes[i]!;
          address++;
          const res = await ctx.app.inject({
            method: op.method as 'GET',
            url: probe.url,
            remoteAddress: `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`,
            headers: {
              accept: 'application/json',
              ...caller.headers,
              ...(probe.contentType ? { 'content-type': probe.contentType } : {}),
            },
            ...(probe.payload === undefined ? {} : { payload: probe.payload }),
          });
          sent++;
          check(caller, probe, res, failures);
        }
      }
    }
    console.info(`hostile-api: ${operations.length} operations, ${sent} requests`);
    // The discussion's operations reached the real post: some of the valid replies were written.
    const replies = await ctx.db
      .selectFrom('knowledge_posts')
      .select('id')
      .where('parent_id', 'is not', null)
      .execute();
    expect(replies.length).toBeGreaterThan(0);
    expect(failures.slice(0, 60)).toEqual([]);
  }, 600_000);
});
