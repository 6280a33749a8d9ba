/**
 * The publishing workflow: draft, review, published, scheduled, unpublished. Pure: which actions an item in a
 * state allows, and what each does. A scheduled item becomes public at its publish time without any job running
 * (public reads compare publishAt with the clock); the publish job only tidies the state and refreshes caches.
 */

/** Workflow states. */
export const CONTENT_STATUSES = ['draft', 'review', 'published', 'scheduled', 'unpublished'] as const;
/** One workflow state. */
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

/** Workflow actions. */
export const WORKFLOW_ACTIONS = ['submit', 'return', 'publish', 'schedule', 'unpublish'] as const;
/** One workflow action. */
export type WorkflowAction = (typeof WORKFLOW_ACTIONS)[number];

/** Words for each state. */
export const STATUS_LABELS: Record<ContentStatus, string> = { draft: 'Draft', review: 'In review', published: 'Published', scheduled: 'Scheduled', unpublished: 'Unpublished' };

/** Words for each action, as a button says it. */
export const ACTION_LABELS: Record<WorkflowAction, string> = { submit: 'Send for review', return: 'Return to draft', publish: 'Publish now', schedule: 'Schedule', unpublish: 'Unpublish' };

/** Words for each action, as the history says it. */
export const ACTION_PAST: Record<WorkflowAction | 'create' | 'save' | 'restore', string> = {
  create: 'Created',
  save: 'Saved',
  restore: 'Saved an earlier version again',
  submit: 'Sent for review',
  return: 'Returned to draft',
  publish: 'Published',
  schedule: 'Scheduled',
  unpublish: 'Unpublished',
};

const ALLOWED: Record<ContentStatus, readonly WorkflowAction[]> = {
  draft: ['submit', 'publish', 'schedule'],
  review: ['return', 'publish', 'schedule'],
  published: ['publish', 'unpublish'],
  scheduled: ['publish', 'schedule', 'unpublish'],
  unpublished: ['submit', 'publish', 'schedule'],
};

/** The actions an item in this state allows. */
export function allowedActions(status: ContentStatus): readonly WorkflowAction[] {
  return ALLOWED[status];
}

/** What an action does to an item: its new state, which version the public sees, and from when. */
export function applyWorkflow(
  item: { status: ContentStatus; currentVersion: number },
  action: WorkflowAction,
  now: number,
  publishAt?: number,
): { ok: true; status: ContentStatus; publishedVersion: number | null | undefined; publishAt: number | null | undefined } | { ok: false; message: string } {
  if (!ALLOWED[item.status].includes(action)) return { ok: false, message: `You cannot ${ACTION_LABELS[action].toLowerCase()} an item that is ${STATUS_LABELS[item.status].toLowerCase()}` };
  switch (action) {
    case 'submit':
      return { ok: true, status: 'review', publishedVersion: undefined, publishAt: undefined };
    case 'return':
      return { ok: true, status: 'draft', publishedVersion: undefined, publishAt: undefined };
    case 'publish':
      return { ok: true, status: 'published', publishedVersion: item.currentVersion, publishAt: now };
    case 'schedule':
      if (publishAt === undefined || !(publishAt > now)) return { ok: false, message: 'The publish time must be in the future' };
      return { ok: true, status: 'scheduled', publishedVersion: item.currentVersion, publishAt };
    case 'unpublish':
      return { ok: true, status: 'unpublished', publishedVersion: null, publishAt: null };
  }
}

/** True when the public sees the item at `now`. */
export function isPublic(item: { status: ContentStatus; publishedVersion: number | null; publishAt: number | null }, now: number): boolean {
  return (item.status === 'published' || item.status === 'scheduled') && item.publishedVersion !== null && item.publishAt !== null && item.publishAt <= now;
}
