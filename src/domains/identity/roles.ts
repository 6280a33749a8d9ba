/**
 * Roles and their permissions, as data in content/config/roles.json, validated with zod.
 * A role names the permissions it grants and whether its users must use two-factor authentication.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../platform/config/env.ts';

/** Every permission the application knows; roles.json may grant only these. */
export const PERMISSIONS = [
  'call.log',
  'call.read',
  'case.create',
  'case.lookup',
  'case.read.all',
  'case.update',
  'case.assign',
  'case.refer',
  'case.close',
  'case.reopen',
  'case.bulk',
  'case.hold',
  'note.internal.write',
  'reply.send',
  'pii.view',
  'pii.export',
  'referral.partner',
  'advice.read',
  'publish',
  'consultation.key',
  'admin.users',
  'admin.config',
  'admin.api',
  'audit.read',
  'privacy.manage',
  'insight.view',
] as const;

/** One permission name. */
export type Permission = (typeof PERMISSIONS)[number];

/** True when the text is a permission the application knows. */
export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

const roleSchema = z.object({
  label: z.string().min(2),
  twoFactorRequired: z.boolean(),
  bindsAgency: z.boolean().optional(),
  bindsDistrict: z.boolean().optional(),
  permissions: z.array(z.enum(PERMISSIONS)).min(1),
});

const rolesSchema = z.record(z.string().regex(/^[a-z][a-z_]*$/, 'role ids are lower-case words joined by _'), roleSchema).refine((r) => Object.keys(r).length > 0, 'at least one role');

/** A validated role. */
export interface Role {
  id: string;
  label: string;
  twoFactorRequired: boolean;
  /** Users with this role belong to one partner agency (users.agency_id). */
  bindsAgency: boolean;
  /** Users with this role see and act only on the cases of one district (users.district_id). */
  bindsDistrict: boolean;
  permissions: Permission[];
}

let loaded: Map<string, Role> | undefined;

/** Parse roles.json text; throws ConfigError naming the bad entry. */
export function parseRoles(value: unknown): Map<string, Role> {
  const result = rolesSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`content/config/roles.json: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const roles = new Map<string, Role>();
  for (const [id, r] of Object.entries(result.data)) {
    const bindsAgency = r.bindsAgency ?? id === 'partner_officer';
    const bindsDistrict = r.bindsDistrict ?? false;
    if (bindsAgency && bindsDistrict) throw new ConfigError(`content/config/roles.json: ${id}: a role binds an agency or a district, not both`);
    roles.set(id, { id, label: r.label, twoFactorRequired: r.twoFactorRequired, bindsAgency, bindsDistrict, permissions: [...new Set(r.permissions)] });
  }
  if (![...roles.values()].some((r) => r.permissions.includes('admin.users'))) {
    throw new ConfigError('content/config/roles.json: no role grants admin.users, so nobody could manage users');
  }
  return roles;
}

/** Load and validate content/config/roles.json (cached; pass a directory to reload). */
export function loadRoles(contentDir = process.env.CONTENT_DIR || 'content'): Map<string, Role> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(contentDir, 'config', 'roles.json'), 'utf8'));
  } catch (error) {
    throw new ConfigError(`content/config/roles.json: cannot be read as JSON (${(error as Error).message})`);
  }
  loaded = parseRoles(raw);
  return loaded;
}

/** All roles, loading them on first use. */
export function getRoles(): Map<string, Role> {
  return loaded ?? loadRoles();
}

/** One role by id, or undefined. */
export function findRole(id: string): Role | undefined {
  return getRoles().get(id);
}

/** The permissions a role grants (none for an unknown role). */
export function permissionsForRole(id: string): Permission[] {
  return findRole(id)?.permissions ?? [];
}

/** True when users of this role must complete two-factor authentication. */
export function isTwoFactorRequired(id: string): boolean {
  return findRole(id)?.twoFactorRequired ?? true;
}
