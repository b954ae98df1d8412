import type { Actor } from '../../platform/permissions.ts';
import type { DemoContext, DemoPerson, DemoStep } from '../../seed/demo.ts';
import { findPolicyFacts, listOrganisationsByIds } from '../members/index.ts';
import { createKnowledgeAccess } from './knowledge.access.ts';
import { cycleInput, itemInput } from './knowledge.items.schemas.ts';
import { createItems } from './knowledge.items.ts';

const asActor = (p: DemoPerson): Actor => ({ ...p, ip: null, requestId: null });

/**
 * The library's demo: the national team's topics, and items written by members through the items
 * service as they would on the pages: an improvement case study with two PDSA cycles, an
 * innovation kept to the member's region, a guidance summary and a public resource. The text is
 * fixed, so every demo looks the same; search finds the case study for "A&E frailty".
 */
export const knowledgeDemoStep: DemoStep = {
  name: 'knowledge: topics, a case study with PDSA cycles, an innovation, guidance and a public resource',
  async run(ctx: DemoContext) {
    const national = ctx.people.find((p) => p.roles.some((g) => g.role === 'national'));
    const facts = await Promise.all(ctx.people.map((p) => findPolicyFacts(ctx.db, p.userId)));
    const members = ctx.people
      .map((p, i) => ({ person: p, facts: facts[i] }))
      .filter((m) => m.facts && m.person.roles.some((g) => g.role === 'member'))
      .sort(
        (a, b) => Number(b.person.email.startsWith('member@')) - Number(a.person.email.startsWith('member@')),
      );
    if (!national || members.length < 2) return;
    const items = createItems({ db: ctx.db, access: createKnowledgeAccess({ db: ctx.db }) });
    const nat = asActor(national);

    const topics: Record<string, number> = {};
    for (const name of ['Frailty', 'Urgent and emergency care', 'Discharge', 'Workforce'])
      topics[name] = await items.addTopic(nat, name);

    const odsOf = async (organisationId: number | null | undefined) =>
      organisationId ? ((await listOrganisationsByIds(ctx.db, [organisationId]))[0]?.odsCode ?? null) : null;
    const [first, second] = members as [(typeof members)[number], (typeof members)[number]];
    const firstOds = await odsOf(first.facts!.organisationId);
    const secondOds = await odsOf(second.facts!.organisationId);
    const base = {
      body: null,
      resourceUrl: null,
      problem: null,
      baseline: null,
      aim: null,
      results: null,
      cost: null,
      careSetting: null,
      spreadStage: null,
      evidenceLevel: null,
      contactEmail: null,
      regionCode: null,
      reviewedOn: '2026-11-02',
      reviewBy: '2027-11-02',
      groupIds: [],
      note: null,
    };

    const maya = asActor(first.person);
    const caseStudy = await items.createItem(
      maya,
      itemInput.parse({
        ...base,
        kind: 'case-study',
        title: 'Frailty at the front door',
        summary:
          'A frailty practitioner in the emergency department assesses frail older people on arrival, so fewer are admitted by default.',
        body: 'We started with **one nurse on weekday mornings** and grew to a seven-day service.\n\nSee the [Clinical Frailty Scale](https://www.england.nhs.uk/) for the screening we used.',
        problem:
          'Frail older people waited hours in the emergency department and most were admitted, often to lose mobility on a ward.',
        baseline:
          'In August, 71% of people over 80 seen in the department were admitted; median stay 6.5 hours.',
        aim: 'Same-day frailty assessment for 80% of people over 80 arriving in the department by March.',
        results:
          'Admissions of people over 80 fell from 71% to 58%; nine in ten were assessed within the hour.',
        cost: 'One band 7 practitioner (0.8 WTE), from the winter resilience budget.',
        careSetting: 'acute',
        spreadStage: 'local',
        evidenceLevel: 'before-after',
        organisations: firstOds ? [firstOds] : [],
        topicIds: [topics['Frailty']!, topics['Urgent and emergency care']!],
        visibility: 'network',
      }),
    );
    for (const c of [
      {
        plan: 'A frailty nurse at triage on weekday mornings screens everyone over 75.',
        prediction: 'Fewer admissions of people over 80 on those mornings.',
        happened: 'Nine in ten screened within the hour; admissions on those mornings fell by a fifth.',
        decision: 'adopt',
        startedOn: '2026-09-07',
      },
      {
        plan: 'Extend to afternoons with a geriatrician on call for advice.',
        prediction: 'The same fall in the afternoons.',
        happened: 'Calls to the geriatrician averaged three a day; afternoon admissions fell less.',
        decision: 'adapt',
        startedOn: '2026-10-05',
      },
    ])
      await items.addCycle(maya, caseStudy, cycleInput.parse(c));
    await items.publishItem(maya, caseStudy);

    const sam = asActor(second.person);
    const innovation = await items.createItem(
      sam,
      itemInput.parse({
        ...base,
        kind: 'innovation',
        title: 'Discharge lounge with pharmacy on site',
        summary: 'Medicines to take home are dispensed in the discharge lounge, so beds are free by midday.',
        careSetting: 'acute',
        spreadStage: 'pilot',
        organisations: secondOds ? [secondOds] : [],
        regionCode: second.facts!.regionCode,
        topicIds: [topics['Discharge']!],
        visibility: 'region',
      }),
    );
    await items.publishItem(sam, innovation);

    const guidance = await items.createItem(
      maya,
      itemInput.parse({
        ...base,
        kind: 'guidance',
        title: 'Same day emergency care: a summary of the national guidance',
        summary:
          'What same day emergency care (SDEC) should offer, who should be referred and how to measure it.',
        careSetting: 'acute',
        topicIds: [topics['Urgent and emergency care']!],
        visibility: 'network',
      }),
    );
    await items.publishItem(maya, guidance);

    const resource = await items.createItem(
      maya,
      itemInput.parse({
        ...base,
        kind: 'resource',
        title: 'Clinical Frailty Scale: posters and a triage prompt card',
        summary: 'Printable posters of the Clinical Frailty Scale and a pocket card for triage nurses.',
        resourceUrl: 'https://www.england.nhs.uk/',
        topicIds: [topics['Frailty']!],
        visibility: 'public',
      }),
    );
    await items.publishItem(maya, resource);
  },
};
