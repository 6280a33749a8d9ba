/** Staff accounts: look-up, creation, invitation, role and agency changes, deactivation and password changes. */
import type { InStatement } from '@libsql/client';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase, toStatement } from '../../platform/db/client.ts';
import { agencies, areas, userDistricts, users } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import { MAX_EMAIL_LENGTH, parseEmailAddress } from '../../platform/mail/address.ts';
import { findRole } from './roles.ts';
import { invalidateUserSessionsStatement } from './session.ts';
import { createUserTokenStatement, INVITE_TTL_MS, voidUserTokensStatement } from './user-tokens.ts';

/** A user row. */
export type User = typeof users.$inferSelect;

/** Thrown for a change that breaks a rule; message is fit to show next to the field. */
export class UserRuleError extends Error {
  override name = 'UserRuleError';
  field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** The look-up key for typed text: the parsed address, or (when it is not one) the trimmed lower-case text, which matches no user. */
export function normalizeEmail(email: string): string {
  return parseEmailAddress(email) ?? email.trim().toLowerCase().slice(0, MAX_EMAIL_LENGTH);
}

/** True when the text is exactly one e-mail address (the one parser: src/platform/mail/address.ts). */
export function isEmailAddress(email: string): boolean {
  return parseEmailAddress(email) !== null;
}

/** One user by e-mail (case-insensitive), or undefined. */
export async function findUserByEmail(email: string): Promise<User | undefined> {
  const [row] = await getDatabase().db.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1);
  return row;
}

/** One user by id, or undefined. */
export async function findUserById(id: string): Promise<User | undefined> {
  const [row] = await getDatabase().db.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

/** Every user, by name, for the administration list. */
export async function listUsers(): Promise<User[]> {
  return getDatabase().db.select().from(users).orderBy(asc(sql`lower(${users.name})`));
}

/** A role's name after "A" or "An", as its first sound needs ("An administrator", "A triage officer"). */
function withArticle(name: string): string {
  return `${/^[aeiou]/i.test(name) ? 'An' : 'A'} ${name}`;
}

/** Check a role and agency pair: partner roles need an active agency, other roles are refused one. Returns the agency to store. */
export async function checkRoleAndAgency(role: string, agencyId: string | null | undefined): Promise<string | null> {
  const r = findRole(role);
  if (!r) throw new UserRuleError('role', 'Select a role');
  if (!r.bindsAgency) {
    if (agencyId) throw new UserRuleError('agencyId', `${withArticle(r.label.toLowerCase())} does not work for a partner agency: select “Not a partner officer”`);
    return null;
  }
  if (!agencyId) throw new UserRuleError('agencyId', 'Select the agency this partner officer works for');
  const [a] = await getDatabase().db.select().from(agencies).where(eq(agencies.id, agencyId)).limit(1);
  if (!a || !a.active) throw new UserRuleError('agencyId', 'Select an agency from the list');
  return a.id;
}

/** Check a role and district pair: district-bound roles need a district, other roles are refused one. Returns the district to store. */
export async function checkRoleAndDistrict(role: string, districtId: string | null | undefined): Promise<string | null> {
  const r = findRole(role);
  if (!r) throw new UserRuleError('role', 'Select a role');
  if (!r.bindsDistrict) {
    if (districtId) throw new UserRuleError('districtId', `${withArticle(r.label.toLowerCase())} works across the partnership, not in one district: select “No district”`);
    return null;
  }
  if (!districtId) throw new UserRuleError('districtId', 'Select the district this person works in');
  const [d] = await getDatabase().db.select({ id: areas.id, kind: areas.kind }).from(areas).where(eq(areas.id, districtId)).limit(1);
  if (!d || d.kind !== 'district') throw new UserRuleError('districtId', 'Select a district from the list');
  return d.id;
}

/** New user values, checked; the statement inserts them. */
export async function newUserStatement(input: { email: string; name: string; role: string; agencyId?: string | null; districtId?: string | null; passwordHash?: string | null }, now = Date.now()): Promise<{ user: User; statement: InStatement }> {
  const email = parseEmailAddress(input.email);
  if (!email) throw new UserRuleError('email', 'Enter an e-mail address in the correct format, like name@example.org');
  const name = input.name.trim();
  if (!name) throw new UserRuleError('name', 'Enter the person’s full name');
  if (name.length > 100) throw new UserRuleError('name', 'Name must be 100 characters or fewer');
  const agencyId = await checkRoleAndAgency(input.role, input.agencyId);
  const districtId = await checkRoleAndDistrict(input.role, input.districtId);
  if (await findUserByEmail(email)) throw new UserRuleError('email', 'There is already a user with this e-mail address');
  const user: User = {
    id: newId(now),
    email,
    name,
    role: input.role,
    agencyId,
    districtId,
    passwordHash: input.passwordHash ?? null,
    active: true,
    totpKey: null,
    totpEnabledAt: null,
    recoveryCodes: null,
    lastSignInAt: null,
    passwordChangedAt: input.passwordHash ? now : null,
    inRotation: true,
    lastAssignedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  return { user, statement: toStatement(getDatabase().db.insert(users).values(user)) };
}

/** Create a user with a password already hashed (command line and demo data). */
export async function createUser(input: { email: string; name: string; role: string; agencyId?: string | null; districtId?: string | null; passwordHash: string }, actor: Actor, now = Date.now()): Promise<User> {
  const { user, statement } = await newUserStatement(input, now);
  await getDatabase().writer.batch([statement, auditStatement(actor, 'user.created', { kind: 'user', id: user.id }, { email: user.email, role: user.role, agencyId: user.agencyId, districtId: user.districtId }, now)]);
  return user;
}

/** Invite a user: create the account without a password and e-mail a link to set one. */
export async function inviteUser(input: { email: string; name: string; role: string; agencyId?: string | null; districtId?: string | null }, actor: Actor, links: { baseUrl: string; partnership: string }, now = Date.now()): Promise<User> {
  const { user, statement } = await newUserStatement(input, now);
  const { token, statement: tokenStatement } = createUserTokenStatement(user.id, 'invite', now);
  await getDatabase().writer.batch([
    statement,
    tokenStatement,
    enqueueEmail('user-link', user.email, { kind: 'invite', url: new URL(`/staff/accept-invite/${token}`, links.baseUrl).href, expiresIn: '7 days', partnership: links.partnership }, now),
    auditStatement(actor, 'user.invited', { kind: 'user', id: user.id }, { email: user.email, role: user.role, agencyId: user.agencyId, districtId: user.districtId, expiresAt: now + INVITE_TTL_MS }, now),
  ]);
  return user;
}

/**
 * Send an invited user a new link (the one they had ran out, or went astray): older links stop working. Refused for a
 * user who has set a password already (they use "forgot password") or is deactivated.
 */
export async function resendInvitation(userId: string, actor: Actor, links: { baseUrl: string; partnership: string }, now = Date.now()): Promise<{ ok: true } | { ok: false; message: string }> {
  return getDatabase().writer.transaction(async (tx) => {
    const [user] = await tx.db.select().from(users).where(eq(users.id, userId));
    if (!user) return { ok: false, message: 'There is no such user' };
    if (user.passwordHash) return { ok: false, message: `${user.name} has set a password already: they can use "Forgotten your password?" on the sign-in page` };
    if (!user.active) return { ok: false, message: `${user.name} is deactivated: reactivate them first` };
    const { token, statement } = createUserTokenStatement(user.id, 'invite', now);
    await tx.batch([
      voidUserTokensStatement(user.id, 'invite', now),
      statement,
      enqueueEmail('user-link', user.email, { kind: 'invite', url: new URL(`/staff/accept-invite/${token}`, links.baseUrl).href, expiresIn: '7 days', partnership: links.partnership }, now),
      auditStatement(actor, 'user.invited', { kind: 'user', id: user.id }, { email: user.email, role: user.role, agencyId: user.agencyId, districtId: user.districtId, expiresAt: now + INVITE_TTL_MS, again: true }, now),
    ]);
    return { ok: true } as const;
  });
}

/** The districts of a user's district team, sorted (none: no team). */
export async function listUserDistricts(userId: string): Promise<string[]> {
  const rows = await getDatabase().db.select({ districtId: userDistricts.districtId }).from(userDistricts).where(eq(userDistricts.userId, userId));
  return rows.map((r) => r.districtId).sort();
}

/** The district teams of these users (every user when no ids are given), by user id. */
export async function listDistrictTeams(userIds?: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await getDatabase().db.select().from(userDistricts).where(userIds ? inArray(userDistricts.userId, [...userIds]) : undefined);
  const teams = new Map<string, string[]>();
  for (const r of rows) teams.set(r.userId, [...(teams.get(r.userId) ?? []), r.districtId].sort());
  return teams;
}

/** Check a district team: each entry must be a district of the partnership. Returns the ids to store, without repeats. */
export async function checkTeamDistricts(districtIds: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(districtIds.filter(Boolean))];
  if (!wanted.length) return [];
  const found = await getDatabase().db.select({ id: areas.id }).from(areas).where(and(inArray(areas.id, wanted), eq(areas.kind, 'district')));
  if (found.length !== wanted.length) throw new UserRuleError('teamDistricts', 'Select districts from the list');
  return wanted.sort();
}

/** Change a user's name, role, agency, district or district team (administrators). The change applies from the user's next request. */
export async function updateUserAccess(userId: string, change: { name: string; role: string; agencyId?: string | null; districtId?: string | null; teamDistricts?: string[] }, actor: Actor, now = Date.now()): Promise<void> {
  const before = await findUserById(userId);
  if (!before) throw new UserRuleError('user', 'No such user');
  const name = change.name.trim();
  if (!name) throw new UserRuleError('name', 'Enter the person’s full name');
  if (name.length > 100) throw new UserRuleError('name', 'Name must be 100 characters or fewer');
  const agencyId = await checkRoleAndAgency(change.role, change.agencyId);
  const districtId = await checkRoleAndDistrict(change.role, change.districtId);
  if (actor.id === userId && before.role !== change.role && !findRole(change.role)?.permissions.includes('admin.users')) {
    throw new UserRuleError('role', 'You cannot remove your own administrator role; ask another administrator');
  }
  const db = getDatabase().db;
  const teamBefore = await listUserDistricts(userId);
  const team = change.teamDistricts === undefined ? teamBefore : await checkTeamDistricts(change.teamDistricts);
  await getDatabase().writer.batch([
    toStatement(db.update(users).set({ name, role: change.role, agencyId, districtId, updatedAt: now }).where(eq(users.id, userId))),
    toStatement(db.delete(userDistricts).where(eq(userDistricts.userId, userId))),
    ...team.map((d) => toStatement(db.insert(userDistricts).values({ userId, districtId: d }))),
    auditStatement(actor, 'user.access_changed', { kind: 'user', id: userId }, {
      from: { name: before.name, role: before.role, agencyId: before.agencyId, districtId: before.districtId, teamDistricts: teamBefore },
      to: { name, role: change.role, agencyId, districtId, teamDistricts: team },
    }, now),
  ]);
}

/** Deactivate a user: they can no longer sign in and every session ends at once. */
export async function deactivateUser(userId: string, actor: Actor, now = Date.now()): Promise<void> {
  if (actor.id === userId) throw new UserRuleError('user', 'You cannot deactivate your own account');
  const db = getDatabase().db;
  await getDatabase().writer.batch([
    toStatement(db.update(users).set({ active: false, updatedAt: now }).where(eq(users.id, userId))),
    invalidateUserSessionsStatement(userId),
    auditStatement(actor, 'user.deactivated', { kind: 'user', id: userId }, undefined, now),
  ]);
}

/** Let a deactivated user sign in again. */
export async function reactivateUser(userId: string, actor: Actor, now = Date.now()): Promise<void> {
  const db = getDatabase().db;
  await getDatabase().writer.batch([
    toStatement(db.update(users).set({ active: true, updatedAt: now }).where(eq(users.id, userId))),
    auditStatement(actor, 'user.reactivated', { kind: 'user', id: userId }, undefined, now),
  ]);
}

/** Turn off a user's two-factor set-up so they set it up again at next sign-in (lost phone). Ends their sessions. */
export async function resetUserTwoFactor(userId: string, actor: Actor, now = Date.now()): Promise<void> {
  const db = getDatabase().db;
  await getDatabase().writer.batch([
    toStatement(db.update(users).set({ totpKey: null, totpEnabledAt: null, recoveryCodes: null, updatedAt: now }).where(eq(users.id, userId))),
    invalidateUserSessionsStatement(userId),
    auditStatement(actor, 'user.two_factor_reset', { kind: 'user', id: userId }, undefined, now),
  ]);
}

/** Statements that set a new password and end the user's other sessions (all of them when keepSessionId is absent). */
export function setPasswordStatements(userId: string, passwordHash: string, keepSessionId: string | undefined, now = Date.now()): InStatement[] {
  const db = getDatabase().db;
  return [toStatement(db.update(users).set({ passwordHash, passwordChangedAt: now, updatedAt: now }).where(eq(users.id, userId))), invalidateUserSessionsStatement(userId, keepSessionId)];
}
