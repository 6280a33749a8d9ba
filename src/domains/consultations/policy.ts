/**
 * Who may manage which consultation: a partnership editor any; an editor bound to a district only consultations and
 * meetings in that district or one of its wards (never partnership-wide ones, which have no area).
 */

/** The editor as the policy sees them. */
export interface ConsultationEditor {
  bindsDistrict: boolean;
  districtId: string | null;
}

/** An area as the policy needs it. */
interface AreaRef {
  id: string;
  parent?: string | null;
}

/** True when the editor may manage a consultation or meeting in this area (null: the whole partnership). */
export function canManageArea(editor: ConsultationEditor, areaId: string | null, areas: readonly AreaRef[]): boolean {
  if (!editor.bindsDistrict) return true;
  if (!editor.districtId || !areaId) return false;
  const area = areas.find((a) => a.id === areaId);
  return !!area && (area.id === editor.districtId || area.parent === editor.districtId);
}
