/**
 * A referral as a file for the partner's own systems, JSON or CSV, built only from the frozen snapshot (never the
 * live case). The partner officer of the referral's agency and staff who may refer the case can download it; anyone
 * else gets nothing (the page answers 404). Each download writes a `referral.exported` audit row. The fields are
 * documented in README.md ("Referral export").
 */
import { eq } from 'drizzle-orm';
import { auditStatement } from '../../platform/audit.ts';
import { getDatabase, getDb } from '../../platform/db/client.ts';
import { referrals } from '../../platform/db/schema.ts';
import { csvText } from '../../platform/csv.ts';
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { findCase, type StaffActor } from '../cases/actions.ts';
import { canActOnCase } from '../cases/policy.ts';
import { findReferralFor, snapshotOf, type Referral } from './actions.ts';

/** One shared item of the export. */
export interface ExportItem {
  field: string;
  label: string;
  value: string;
}

/** The JSON export of one referral. */
export interface ReferralExport {
  referral_id: string;
  case_reference: string;
  agency_id: string;
  agency_name: string;
  agreement_reference: string;
  legal_basis: string;
  shared_at: string;
  fields: string[];
  items: ExportItem[];
}

/** The CSV columns, in order: one row per shared item. */
export const REFERRAL_CSV_COLUMNS = ['referral_id', 'case_reference', 'agency_id', 'agency_name', 'agreement_reference', 'legal_basis', 'shared_at', 'field', 'label', 'value'] as const;

/** The export formats. */
export type ExportFormat = 'json' | 'csv';

/** A referral the actor may download: a partner officer who may see it in the console (agency and district team), or staff who may refer its case. */
export async function findReferralForExport(actor: StaffActor, id: string): Promise<Referral | undefined> {
  if (actor.bindsAgency) return findReferralFor(actor, id);
  if (!/^[0-9A-Za-z_-]{1,40}$/.test(id)) return undefined;
  const [row] = await getDb().select().from(referrals).where(eq(referrals.id, id)).limit(1);
  if (!row) return undefined;
  const c = await findCase(row.caseId);
  return c && canActOnCase(actor, c, 'case.refer') ? row : undefined;
}

/** The JSON export of a referral, from its snapshot only. */
export function buildReferralExport(referral: Pick<Referral, 'id' | 'agencyId' | 'snapshot'>, config: SiteConfig): ReferralExport {
  const snap = snapshotOf(referral);
  return {
    referral_id: referral.id,
    case_reference: snap.ref,
    agency_id: referral.agencyId,
    agency_name: config.agencies.find((a) => a.id === referral.agencyId)?.name ?? referral.agencyId,
    agreement_reference: snap.agreementReference,
    legal_basis: snap.legalBasis,
    shared_at: new Date(snap.sharedAt).toISOString(),
    fields: [...snap.fields],
    items: snap.rows.map((r) => ({ field: r.field, label: r.key, value: r.value })),
  };
}

/** The CSV text of an export: the header, then one row per shared item with the referral's fields repeated. */
export function referralExportCsv(exp: ReferralExport): string {
  const head = [exp.referral_id, exp.case_reference, exp.agency_id, exp.agency_name, exp.agreement_reference, exp.legal_basis, exp.shared_at];
  return csvText([REFERRAL_CSV_COLUMNS, ...exp.items.map((i) => [...head, i.field, i.label, i.value])]);
}

/** Download a referral as JSON or CSV, audited; null when the actor may not see it (or it does not exist). */
export async function exportReferral(actor: StaffActor, id: string, format: ExportFormat, config: SiteConfig, now = Date.now()): Promise<{ body: string; filename: string } | null> {
  const referral = await findReferralForExport(actor, id);
  if (!referral) return null;
  const exp = buildReferralExport(referral, config);
  const data = { referralId: referral.id, ref: exp.case_reference, agencyId: referral.agencyId, format, fields: exp.fields };
  await getDatabase().writer.batch([auditStatement({ kind: 'user', id: actor.id, ip: actor.ip ?? null }, 'referral.exported', { kind: 'case', id: referral.caseId }, data, now)]);
  const filename = `referral-${exp.case_reference}-${referral.agencyId}.${format}`;
  return { body: format === 'json' ? `${JSON.stringify(exp, null, 2)}\n` : referralExportCsv(exp), filename };
}
