import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, buildTestApp, signedInAgent, type TestContext, visibleText } from '../../../test/app.ts';
import { seedItem } from '../../../test/knowledge-fixtures.ts';
import type { SearchOut } from './knowledge.search.schemas.ts';
import type { SynonymGroupOut, SynonymListOut } from './knowledge.synonyms.schemas.ts';

let ctx: TestContext;
let national: Agent;
let member: Agent;
let sdecItem: number;

/** The groups and their audit trail, to show that a refusal wrote nothing. */
async function snapshot() {
  const groups = await sql<{
    s: string;
  }>`select coalesce(string_agg(id || ':' || array_to_string(terms, '|'), ';'
      order by id), '') as s from knowledge_synonyms`.execute(ctx.db);
  const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log
      where action like 'knowledge.synonyms.%'`.execute(ctx.db);
  return { groups: groups.rows[0]!.s, audit: audit.rows[0]!.n };
}

async function groupIdWith(term: string): Promise<number | undefined> {
  const row = await sql<{ id: number }>`select id from knowledge_synonyms
      where ${term} = any(terms) order by id limit 1`.execute(ctx.db);
  return row.rows[0]?.id;
}

async function searchIds(agent: Agent, q: string): Promise<number[]> {
  const res = await agent.api('GET', `/api/v1/knowledge/search?q=${encodeURIComponent(q)}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as SearchOut).results.map((r) => r.itemId);
}

beforeAll(async () => {
  ctx = await buildTestApp();
  national = (await signedInAgent(ctx, [{ role: 'national', regionCode: null }])).agent;
  const m = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q34' }]);
  member = m.agent;
  sdecItem = await seedItem(ctx.db, {
    ownerUserId: m.user.id,
    title: 'Same day emergency care for older people',
    summary: 'Patients go home the same day instead of staying overnight on a ward.',
  });
});
afterAll(() => ctx.close());

describe('the clinical synonyms editor', () => {
  it('lists the shipped groups to the national team, with a filter and pages', async () => {
    const page = await national.get('/knowledge/synonyms');
    expect(page.statusCode).toBe(200);
    const text = visibleText(page.body);
    expect(text).toContain('A&E, AE, ED, emergency department');
    expect(text).toMatch(/Showing 1 to 25 of \d+/);
    const filtered = await national.get('/knowledge/synonyms?q=pulmonary');
    const shown = visibleText(filtered.body);
    expect(shown).toContain('COPD, chronic obstructive pulmonary disease');
    expect(shown).not.toContain('A&E, AE');
    const api = await national.api('GET', '/api/v1/knowledge/synonyms?q=COPD');
    expect(api.statusCode).toBe(200);
    const list = api.json() as SynonymListOut;
    expect(list.groups.map((g) => g.terms[0])).toEqual(['COPD']);
    // A filter with a LIKE wildcard in it matches it as text, not as a pattern.
    const wild = (await national.api('GET', '/api/v1/knowledge/synonyms?q=%25')).json() as SynonymListOut;
    expect(wild.total).toBe(0);
    const second = (await national.api('GET', '/api/v1/knowledge/synonyms?page=2')).json() as SynonymListOut;
    expect(second.groups.length).toBeGreaterThan(0);
    expect(second.groups[0]!.id).toBeGreaterThan(list.groups[0]!.id - 1);
    const long = await national.get(`/knowledge/synonyms?q=${'x'.repeat(101)}`);
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('There is a problem');
  });

  it('is the national team’s alone', async () => {
    const id = (await groupIdWith('COPD'))!;
    for (const url of ['/knowledge/synonyms', '/knowledge/synonyms/new', `/knowledge/synonyms/${id}`])
      expect((await member.get(url)).statusCode, url).toBe(403);
    const before = await snapshot();
    await member.get('/knowledge/search');
    expect(
      (await member.post('/knowledge/synonyms', { terms: 'SDEC, same day emergency care' })).statusCode,
    ).toBe(403);
    expect((await member.post(`/knowledge/synonyms/${id}/delete`)).statusCode).toBe(403);
    expect((await member.api('GET', '/api/v1/knowledge/synonyms')).statusCode).toBe(403);
    expect((await member.api('DELETE', `/api/v1/knowledge/synonyms/${id}`)).statusCode).toBe(403);
    expect(
      (await member.api('PUT', `/api/v1/knowledge/synonyms/${id}`, { terms: ['COPD', 'lungs'] })).statusCode,
    ).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses bad groups with the error summary and saves nothing', async () => {
    const before = await snapshot();
    await national.get('/knowledge/synonyms/new');
    const cases: [string, string][] = [
      ['', 'Enter the terms'],
      ['SDEC', 'Enter at least two terms'],
      ['video clinic, , remote consultation', 'Remove the empty term'],
      ['video clinic, remote consultation,', 'Remove the empty term'],
      ['remote consultation, remote consultation', '“remote consultation” is in the list twice'],
      ['Remote Consultation, remote   consultation', 'are the same term to search'],
      ['remote consultation, !!!', 'has no letters or numbers'],
      [`remote consultation, ${'w'.repeat(81)}`, 'Each term must be 80 characters or fewer'],
      [Array.from({ length: 21 }, (_, i) => `term${i}`).join(', '), 'up to 20 terms'],
      ['SDEC, video clinic', 'is already a term of another group'],
      ['video clinic, a&e', 'is already a term of another group'],
    ];
    for (const [terms, message] of cases) {
      const res = await national.post('/knowledge/synonyms', { terms });
      expect(res.statusCode, terms).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, terms).toBeLessThan(500);
      expect(res.body, terms).toContain('nhsuk-error-summary');
      expect(visibleText(res.body), terms).toContain(message);
    }
    // The form keeps what was typed.
    const again = await national.post('/knowledge/synonyms', { terms: 'SDEC, video clinic' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('SDEC, video clinic</textarea>');

    const api: [unknown, number, string][] = [
      [{ terms: ['SDEC', ''] }, 400, 'Remove the empty term'],
      [{ terms: ['remote consultation', 'Remote consultation'] }, 400, 'same term to search'],
      [{ terms: ['remote consultation', 'x'.repeat(81)] }, 400, '80 characters'],
      [{ terms: ['remote consultation'] }, 400, 'at least two'],
      [{ terms: ['remote consultation', 'COPD'] }, 409, 'already a term of another group'],
      [{ terms: ['remote consultation', 'video clinic'], extra: 1 }, 400, 'Unrecognized key'],
    ];
    for (const [body, status, message] of api) {
      const res = await national.api('POST', '/api/v1/knowledge/synonyms', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().error.message, JSON.stringify(body)).toContain(message);
    }
    // Editing a group into a clash with another is refused the same way.
    const copd = (await groupIdWith('COPD'))!;
    const put = await national.api('PUT', `/api/v1/knowledge/synonyms/${copd}`, { terms: ['COPD', 'ED'] });
    expect(put.statusCode).toBe(409);
    await national.get(`/knowledge/synonyms/${copd}`);
    const form = await national.post(`/knowledge/synonyms/${copd}`, { terms: 'COPD\nheart attack' });
    expect(form.statusCode).toBe(409);
    expect(form.body).toContain('nhsuk-error-summary');
    expect(await snapshot()).toEqual(before);
    expect((await national.api('GET', '/api/v1/knowledge/synonyms/987654')).statusCode).toBe(404);
  });

  it('adds, changes and deletes groups, audited, and search uses them at once', async () => {
    // The shipped list already pairs SDEC with same day emergency care: deleting that group stops
    // the expansion at the next search.
    expect(await searchIds(member, 'SDEC')).toContain(sdecItem);
    const shipped = (await groupIdWith('SDEC'))!;
    const confirm = await national.get(`/knowledge/synonyms/${shipped}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(visibleText(confirm.body)).toContain('ambulatory emergency care');
    const deleted = await national.post(`/knowledge/synonyms/${shipped}/delete`);
    expect(deleted.statusCode).toBe(303);
    expect(await groupIdWith('SDEC')).toBeUndefined();
    expect(await searchIds(member, 'SDEC')).not.toContain(sdecItem);

    // Added through the page: the next search for SDEC finds the item by its other term.
    await national.get('/knowledge/synonyms/new');
    const added = await national.post('/knowledge/synonyms', { terms: 'SDEC, same day emergency care' });
    expect(added.statusCode).toBe(303);
    const shown = await national.get(String(added.headers.location));
    expect(visibleText(shown.body)).toContain('The synonym group SDEC, same day emergency care is added');
    expect(await searchIds(member, 'SDEC')).toContain(sdecItem);
    const why = (
      (await member.api('GET', '/api/v1/knowledge/search?q=SDEC')).json() as SearchOut
    ).results.find((r) => r.itemId === sdecItem)!;
    expect(why.synonyms).toEqual([{ typed: 'sdec', matched: ['same day emergency care'] }]);

    // Changed through the API: a new term finds the item, the removed one no longer does.
    const id = (await groupIdWith('SDEC'))!;
    const put = await national.api('PUT', `/api/v1/knowledge/synonyms/${id}`, {
      terms: [' same day emergency care ', 'ambulatory  care'],
    });
    expect(put.statusCode).toBe(200);
    expect((put.json() as SynonymGroupOut).terms).toEqual(['same day emergency care', 'ambulatory care']);
    expect(await searchIds(member, 'ambulatory care')).toContain(sdecItem);
    expect(await searchIds(member, 'SDEC')).not.toContain(sdecItem);

    // Changed through the page, one term a line.
    await national.get(`/knowledge/synonyms/${id}`);
    const edited = await national.post(`/knowledge/synonyms/${id}`, {
      terms: 'SDEC\nsame day emergency care, ambulatory care',
    });
    expect(edited.statusCode).toBe(303);
    expect((await national.api('GET', `/api/v1/knowledge/synonyms/${id}`)).json().terms).toEqual([
      'SDEC',
      'same day emergency care',
      'ambulatory care',
    ]);

    // Through the API, a new group and its deletion.
    const made = await national.api('POST', '/api/v1/knowledge/synonyms', {
      terms: ['remote consultation', 'video clinic'],
    });
    expect(made.statusCode).toBe(201);
    const madeId = (made.json() as SynonymGroupOut).id;
    expect((await national.api('DELETE', `/api/v1/knowledge/synonyms/${madeId}`)).statusCode).toBe(204);
    expect((await national.api('GET', `/api/v1/knowledge/synonyms/${madeId}`)).statusCode).toBe(404);

    const audit = await sql<{ action: string; entity_id: string; summary: string }>`select action,
        entity_id, summary from audit_log where action like 'knowledge.synonyms.%' order by id`.execute(
      ctx.db,
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'knowledge.synonyms.delete',
      'knowledge.synonyms.add',
      'knowledge.synonyms.edit',
      'knowledge.synonyms.edit',
      'knowledge.synonyms.add',
      'knowledge.synonyms.delete',
    ]);
    expect(audit.rows[1]!.summary).toBe('Added the synonym group SDEC, same day emergency care');
    expect(audit.rows[0]!.entity_id).toBe(String(shipped));
  });
});
