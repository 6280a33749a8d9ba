/** Demo publishing content for Hollowmere: achievements, an initiative and improvement-plan recommendations, published through the same checks as the editor's form. */
import { validateForm } from '../platform/forms/index.ts';
import { actOnItem, createItem, KIND_SCHEMAS, recommendationData, type ContentData, type ContentKind, type Editor } from '../domains/publishing/index.ts';

const DEMO_EDITOR: Editor = { id: 'demo', name: 'Demo data', districtId: null, bindsDistrict: false };

const ITEMS: { kind: ContentKind; district?: string; form: Record<string, string | string[]> }[] = [
  {
    kind: 'achievement',
    district: 'brackenford',
    form: { title: 'Mill Lane underpass reopened', summary: 'New lighting, murals by local pupils and a cleaning rota made the underpass a route people use again.', body: 'After **42 reports** in a year, the council, police and Mill Lane residents agreed a plan.\n\n- LED lighting along the whole underpass\n- Murals painted by pupils of Mill Lane Primary\n- A weekly cleaning rota\n\nReports about the underpass fell to 6 in the six months since.', theme: 'asb', date: '14/2/2026', areas: ['mill-lane'] },
  },
  {
    kind: 'achievement',
    form: { title: 'Hotline answered 9 in 10 calls within a minute', summary: 'The Community Safety Hotline met its answering target every month this year.', body: 'Customer Service Centre staff answered **91%** of hotline calls within 60 seconds between April and December.\n\nCall the hotline on 01632 960 000, or [report online](/report).', theme: 'asb', date: '9/1/2026', areas: ['hollowmere'] },
  },
  {
    kind: 'initiative',
    form: {
      title: 'Street Safe Eastmere', aim: 'Cut repeat calls about anti-social behaviour on the Eastmere seafront by working with the young people involved.', leadPartner: 'Hollowmere Constabulary', partners: 'Eastmere District Council, Hollowmere Youth Service',
      budget: '24,000', fundingSource: 'Police and Crime Commissioner community safety fund', start: '1/4/2025', end: '31/3/2026', evaluation: 'in-progress',
      measure0: 'Repeat ASB callers a quarter', baseline0: '120', target0: '60', actual0: '72', measure1: 'Young people engaged', baseline1: '0', target1: '150', actual1: '96', areas: ['eastmere'],
    },
  },
  {
    kind: 'recommendation',
    form: {
      title: 'Publish performance in a user-friendly form', plan: 'Community safety audit 2025', recommendation: 'Publish the partnership\'s performance information every quarter in plain words, with the cost and benefit of each initiative.',
      responsibleRole: 'Performance and intelligence lead', officer: 'Sam Shah', originalTarget: '30/9/2025', currentTarget: '31/3/2026', status: 'at-risk', updateDate: '15/1/2026', updateText: 'First quarterly report drafted; cost figures for two initiatives still awaited from partners.', areas: ['hollowmere'],
    },
  },
  {
    kind: 'recommendation',
    form: {
      title: 'Promote the hotline with the partnership\'s achievements', plan: 'Community safety audit 2025', recommendation: 'Promote the Community Safety Hotline on every partner\'s website alongside the partnership\'s achievements.',
      responsibleRole: 'Communications manager', officer: 'Jo Marsh', originalTarget: '31/12/2025', currentTarget: '', status: 'on-track', updateDate: '2/10/2025', updateText: 'Four of seven partners link to the hotline page.', areas: ['hollowmere'],
    },
  },
  {
    kind: 'assessment',
    form: {
      title: 'Value-for-money self-assessment 2024', date: '15/3/2024',
      aspect0: 'Use of resources', rating0: 'amber', evidence0: 'Budgets set per initiative, but no cost per outcome reported.',
      aspect1: 'Performance information', rating1: 'red', evidence1: 'Performance reported to the board only, not to the public.',
      aspect2: 'Partnership working', rating2: 'amber-green', evidence2: 'All statutory partners attend the board.', areas: [],
    },
  },
  {
    kind: 'assessment',
    form: {
      title: 'Value-for-money self-assessment 2025', date: '20/3/2025',
      aspect0: 'Use of resources', rating0: 'amber-green', evidence0: 'Cost per outcome now reported for every initiative over £5,000.',
      aspect1: 'Performance information', rating1: 'amber', evidence1: 'Quarterly performance published on this site; ward figures still to come.',
      aspect2: 'Partnership working', rating2: 'amber-green', evidence2: 'All statutory partners attend the board; two theme groups lack a chair.', areas: [],
    },
  },
  {
    kind: 'priority',
    district: 'brackenford',
    form: { title: 'Street drinking in Market Square', issue: 'Residents and traders report street drinking and litter in Market Square most afternoons.', dateRaised: '12/11/2025', action: 'Public Spaces Protection Order consultation opened; joint patrols on Thursdays and Fridays.', dateTaken: '8/12/2025', areas: ['brackenford-central'] },
  },
  {
    kind: 'priority',
    form: { title: 'Off-road bikes on Lydgate playing field', issue: 'Off-road bikes racing across the playing field in the evenings.', dateRaised: '3/2/2026', action: '', dateTaken: '', areas: ['lydgate'] },
  },
  {
    kind: 'group',
    form: { title: 'Hollowmere Community Safety Partnership Board', type: 'board', purpose: 'Sets the partnership\'s strategy and priorities and holds the groups to account.', chair: 'Chief Executive, Hollowmere County Council', members: 'Hollowmere County Council, Hollowmere Constabulary, Hollowmere Fire and Rescue, Hollowmere Integrated Care Board, Probation Service', actionPlanOwner: 'Head of Community Safety', cadence: 'Every quarter', reportsTo: '', areas: ['hollowmere'] },
  },
  {
    kind: 'group',
    form: { title: 'Anti-social behaviour theme group', type: 'theme-group', purpose: 'Delivers the anti-social behaviour action plan across the three districts.', chair: 'ASB lead, Hollowmere Constabulary', members: 'Hollowmere Constabulary, district councils, housing associations', actionPlanOwner: 'District ASB officers', cadence: 'Every 6 weeks', reportsTo: 'Hollowmere Community Safety Partnership Board', areas: ['hollowmere'] },
  },
];

/** Create and publish the demo publishing content (demo data the form checks refuse stops start-up). */
export async function seedDemoPublishing(now: number): Promise<void> {
  for (const { kind, district, form } of ITEMS) {
    const checked = validateForm(KIND_SCHEMAS[kind], form);
    if (!checked.ok) throw new Error(`demo ${kind} '${String(form.title)}' is refused: ${checked.errors.map((e) => e.text).join('; ')}`);
    const data = (kind === 'recommendation' ? recommendationData(checked.data as Parameters<typeof recommendationData>[0], []) : checked.data) as ContentData[ContentKind];
    const created = await createItem(DEMO_EDITOR, kind, data, now, district ?? null);
    if (created.ok) await actOnItem(DEMO_EDITOR, created.id, 'publish', now);
  }
}
