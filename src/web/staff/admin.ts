/** Shared bits of the user administration pages: role and agency choices and labels. */
import { getRoles } from '../../domains/identity/roles.ts';
import { getConfig } from '../../server/runtime.ts';

/** Radio items for every role. */
export function roleItems(): { value: string; label: string; hint?: string }[] {
  return [...getRoles().values()].map((r) => ({
    value: r.id,
    label: r.label,
    hint: r.bindsAgency ? 'Sees only referrals to their agency' : r.bindsDistrict ? 'Sees and acts only on the cases of their district' : r.twoFactorRequired ? 'Must use two-factor authentication' : undefined,
  }));
}

/** True when some role binds its users to a district (the user forms then ask for one). */
export function anyRoleBindsDistrict(): boolean {
  return [...getRoles().values()].some((r) => r.bindsDistrict);
}

/** Select items for every district, with an empty first choice. */
export function districtItems(): { value: string; label: string }[] {
  return [{ value: '', label: 'No district' }, ...getConfig().areas.filter((a) => a.kind === 'district').map((a) => ({ value: a.id, label: a.name }))];
}

/** A district's name. */
export function districtLabel(id: string | null): string {
  if (!id) return '';
  return getConfig().areas.find((a) => a.id === id)?.name ?? id;
}

/** Select items for every configured agency, with an empty first choice. */
export function agencyItems(): { value: string; label: string }[] {
  return [{ value: '', label: 'Not a partner officer' }, ...getConfig().agencies.map((a) => ({ value: a.id, label: a.name }))];
}

/** A role's label. */
export function roleLabel(id: string): string {
  return getRoles().get(id)?.label ?? id;
}

/** An agency's name. */
export function agencyLabel(id: string | null): string {
  if (!id) return '';
  return getConfig().agencies.find((a) => a.id === id)?.name ?? id;
}
