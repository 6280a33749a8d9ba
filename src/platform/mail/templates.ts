/** E-mail templates: each message is a pair of plain text and HTML built from the same fields. */
import { escapeHtml } from '../html.ts';
import { translate } from '../i18n/index.ts';

/** A rendered message. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** Extra headers (List-Unsubscribe and List-Unsubscribe-Post on alert e-mails). */
  headers?: Record<string, string>;
}

type Payload = Record<string, unknown>;
type Template = (p: Payload) => RenderedMail;

function layout(title: string, bodyHtml: string, footer: string, lang = 'en'): string {
  return `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#0b0c0c;max-width:600px">` +
    `${bodyHtml}<hr><p style="font-size:14px;color:#505a5f">${escapeHtml(footer)}</p></body></html>`;
}

const s = (v: unknown) => String(v ?? '');

/** What the acknowledgement calls what was sent, by kind (`mail.kind.<kind>` in the catalogues). */
const ACK_KINDS = ['report', 'feedback', 'compliment', 'complaint'];

const templates: Record<string, Template> = {
  /**
   * Acknowledgement of a new report or feedback, with the reference. `kind` is report, feedback, compliment or
   * complaint; `promise` is what happens next (the message itself is the acknowledgement); `lang` is the
   * language the resident used (`mail.caseReceived.*` keys).
   */
  'case-received': (p) => {
    const lang = s(p.lang) || 'en';
    const t = (key: string, params?: Record<string, string>) => translate(lang, key, params);
    const what = t(`mail.kind.${ACK_KINDS.includes(s(p.kind)) ? s(p.kind) : 'report'}`);
    const subject = t('mail.caseReceived.subject', { what, ref: s(p.ref) });
    const thanks = t('mail.caseReceived.thanks', { partnership: s(p.partnership) });
    const danger = t('mail.caseReceived.danger');
    const lines = [
      thanks,
      t('mail.caseReceived.reference', { ref: s(p.ref) }),
      s(p.promise),
      p.trackUrl ? `${t('mail.caseReceived.track')}: ${s(p.trackUrl)}` : '',
      danger,
    ].filter(Boolean);
    const html = layout(
      subject,
      `<h1 style="font-size:24px">${escapeHtml(t('mail.caseReceived.heading', { what }))}</h1>` +
        `<p>${escapeHtml(thanks)}</p>` +
        `<p>${escapeHtml(t('mail.caseReceived.reference', { ref: '{ref}' })).replace('{ref}', `<strong>${escapeHtml(s(p.ref))}</strong>`)}</p>` +
        (p.promise ? `<p>${escapeHtml(s(p.promise))}</p>` : '') +
        (p.trackUrl ? `<p><a href="${escapeHtml(s(p.trackUrl))}">${escapeHtml(t('mail.caseReceived.track'))}</a></p>` : '') +
        `<p>${escapeHtml(danger)}</p>`,
      s(p.partnership),
      lang,
    );
    return { subject, text: lines.join('\n\n') + '\n', html };
  },
  /** A reply from staff to the reporter, framed in the language the report was made in (`lang`); the staff's words as written. */
  'case-reply': (p) => {
    const lang = s(p.lang) || 'en';
    const t = (key: string) => translate(lang, key);
    const subject = translate(lang, 'mail.caseReply.subject', { ref: s(p.ref) });
    const text = `${s(p.body)}\n\n${t('mail.caseReply.reference')}: ${s(p.ref)}\n${p.trackUrl ? `${t('mail.caseReply.link')} (${t('mail.caseReply.private')}): ${s(p.trackUrl)}\n` : ''}`;
    const html = layout(
      subject,
      `<h1 style="font-size:24px">${escapeHtml(subject)}</h1>` +
        s(p.body).split(/\n{2,}/).map((para) => `<p>${escapeHtml(para)}</p>`).join('') +
        (p.trackUrl ? `<p><a href="${escapeHtml(s(p.trackUrl))}">${escapeHtml(t('mail.caseReply.link'))}</a> (${escapeHtml(t('mail.caseReply.private'))})</p>` : ''),
      s(p.partnership),
      lang,
    );
    return { subject, text, html };
  },
  /** A staff password reset or invitation link. */
  'user-link': (p) => {
    const invite = p.kind === 'invite';
    const subject = invite ? `${s(p.partnership)}: you have been invited to Saferline` : 'Reset your Saferline password';
    const intro = invite
      ? `You have been given an account on the ${s(p.partnership)} staff console. Set your password with this link:`
      : 'Someone asked to reset the password for this account. If it was you, use this link:';
    const text = `${intro}\n\n${s(p.url)}\n\nThe link works once and expires in ${s(p.expiresIn)}.\nIf you did not expect this e-mail, ignore it.\n`;
    const html = layout(
      subject,
      `<h1 style="font-size:24px">${escapeHtml(subject)}</h1><p>${escapeHtml(intro)}</p>` +
        `<p><a href="${escapeHtml(s(p.url))}">${escapeHtml(s(p.url))}</a></p>` +
        `<p>The link works once and expires in ${escapeHtml(s(p.expiresIn))}. If you did not expect this e-mail, ignore it.</p>`,
      s(p.partnership),
    );
    return { subject, text, html };
  },
  /** Tell a case owner that the reporter added information. */
  'case-owner-alert': (p) => {
    const subject = `New information on case ${s(p.ref)}`;
    const text = `The reporter added information to case ${s(p.ref)}.\n\nOpen the case: ${s(p.url)}\n`;
    const html = layout(subject, `<p>The reporter added information to case <strong>${escapeHtml(s(p.ref))}</strong>.</p><p><a href="${escapeHtml(s(p.url))}">Open the case</a></p>`, s(p.partnership));
    return { subject, text, html };
  },
  /** Tell a partner agency's inbox about a new referral: a link and a due time, never personal data. */
  'referral-sent': (p) => {
    const subject = `New referral from ${s(p.partnership)}`;
    const text = `${s(p.partnership)} has referred a case to ${s(p.agency)}.\n\nPlease acknowledge it by ${s(p.acknowledgeBy)}.\n\nOpen the referral (sign-in needed): ${s(p.url)}\n\nThis e-mail holds no personal data. The details are in the referral.\n`;
    const html = layout(
      subject,
      `<h1 style="font-size:24px">New referral</h1><p>${escapeHtml(s(p.partnership))} has referred a case to ${escapeHtml(s(p.agency))}.</p>` +
        `<p>Please acknowledge it by ${escapeHtml(s(p.acknowledgeBy))}.</p><p><a href="${escapeHtml(s(p.url))}">Open the referral</a> (sign-in needed).</p>` +
        `<p>This e-mail holds no personal data. The details are in the referral.</p>`,
      s(p.partnership),
    );
    return { subject, text, html };
  },
  /** Tell the triage team that a referral was not acknowledged in time: the case reference and a link, no personal data. */
  'referral-overdue': (p) => {
    const subject = `Referral overdue: ${s(p.agency)} has not acknowledged case ${s(p.ref)}`;
    const text = `${s(p.agency)} has not acknowledged the referral of case ${s(p.ref)}. It was due by ${s(p.acknowledgeBy)}.\n\nOpen the case's referrals: ${s(p.url)}\n`;
    const html = layout(
      subject,
      `<h1 style="font-size:24px">Referral overdue</h1><p>${escapeHtml(s(p.agency))} has not acknowledged the referral of case <strong>${escapeHtml(s(p.ref))}</strong>. It was due by ${escapeHtml(s(p.acknowledgeBy))}.</p>` +
        `<p><a href="${escapeHtml(s(p.url))}">Open the case's referrals</a></p>`,
      s(p.partnership),
    );
    return { subject, text, html };
  },
  /** An agency's daily digest of its outstanding referrals: counts and links, never personal data. */
  'referral-digest': (p) => {
    const subject = `${s(p.agency)}: ${s(p.outstanding)} outstanding referral${p.outstanding === 1 ? '' : 's'} from ${s(p.partnership)}`;
    const lines = [
      `Outstanding referrals: ${s(p.outstanding)}`,
      `Waiting to be acknowledged: ${s(p.awaitingAcknowledgement)}`,
      `Accepted and in progress: ${s(p.inProgress)}`,
      `Overdue: ${s(p.overdue)}`,
    ];
    const text = `${s(p.partnership)}: referrals to ${s(p.agency)} on ${s(p.day)}.\n\n${lines.join('\n')}\n\nSee them all (sign-in needed): ${s(p.url)}\nThose waiting to be acknowledged: ${s(p.waitingUrl)}\n\nThis e-mail holds no personal data.\n`;
    const html = layout(
      subject,
      `<h1 style="font-size:24px">Outstanding referrals</h1><p>${escapeHtml(s(p.partnership))}: referrals to ${escapeHtml(s(p.agency))} on ${escapeHtml(s(p.day))}.</p>` +
        `<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` +
        `<p><a href="${escapeHtml(s(p.url))}">See them all</a> (sign-in needed). <a href="${escapeHtml(s(p.waitingUrl))}">Those waiting to be acknowledged</a>.</p>` +
        `<p>This e-mail holds no personal data.</p>`,
      s(p.partnership),
    );
    return { subject, text, html };
  },
  /** A consultation respondent's link to carry on where they left off. */
  'consultation-resume': (p) => plainMessage(p, `Carry on with your response: ${s(p.title)}`, [
    'You asked us to save your response so you can finish it later. Your answers so far are saved.',
    'Anyone with this link can see and change your answers, so do not forward this e-mail.',
  ], { label: 'Carry on with your response', url: s(p.url) }),
  /** Confirming a response counted once per e-mail address. */
  'consultation-confirm': (p) => plainMessage(p, `Confirm your response: ${s(p.title)}`, [
    'Thank you for responding. This consultation counts one response from each e-mail address, so please confirm it was you.',
    'Your response is counted once you confirm it. We do not keep your e-mail address after that.',
  ], { label: 'Confirm your response', url: s(p.url) }),
  /** A second response from an address that has responded already: nothing new was kept; the page said to check the inbox, as for a first. */
  'consultation-already': (p) => plainMessage(p, `You have already responded: ${s(p.title)}`, [
    'Someone, probably you, sent a response to this consultation with this e-mail address. It counts one response from each address, and there is already one from yours, so the new answers were not kept.',
    'If you have not confirmed your first response yet, use the link in the first e-mail we sent you. If it was not you, you can ignore this e-mail.',
  ], { label: 'See the consultation', url: s(p.url) }),
  /** A place at a public meeting, a place on its waiting list, or a place that came free for someone waiting. */
  'meeting-place': (p) => {
    const state = s(p.state);
    const heading = state === 'waiting' ? `You are on the waiting list: ${s(p.title)}` : state === 'promoted' ? `A place came free for you: ${s(p.title)}` : `Your place is booked: ${s(p.title)}`;
    const first = state === 'waiting' ? 'The meeting is full. We will e-mail you if a place comes free.' : `You have a place. ${s(p.when)}, ${s(p.place)}.`;
    return plainMessage(p, heading, [first, s(p.access), 'If you cannot come, please give up your place so someone on the waiting list can have it.'].filter(Boolean), { label: 'Give up your place', url: s(p.cancelUrl) }, p.calendarUrl ? { label: 'Add it to your calendar', url: s(p.calendarUrl) } : undefined);
  },
  /** Someone asked to register an address already registered for a meeting: nothing changed; the place it holds, and the way to give it up. */
  'meeting-already': (p) => plainMessage(p, `You are already registered: ${s(p.title)}`, [
    `Someone, probably you, asked to register this e-mail address for this meeting again. Nothing has changed: ${s(p.state) === 'waiting' ? 'you are still on the waiting list, and we will e-mail you if a place comes free.' : 'you still have your place.'}`,
    `${s(p.when)}, ${s(p.place)}. If it was not you, you can ignore this e-mail.`,
  ], { label: 'Give up your place', url: s(p.cancelUrl) }),
  /** Confirming an area alert subscription (double opt-in): the only e-mail an unconfirmed address gets; in the language asked in (`lang`). */
  'alert-confirm': (p) => {
    const lang = s(p.lang) || 'en';
    const t = (key: string, params?: Record<string, string>) => translate(lang, key, params);
    return withUnsubscribe(p, plainMessage(p, t('mail.alertConfirm.subject', { area: s(p.area) }), [
      t('mail.alertConfirm.asked', { area: s(p.area) }),
      t('mail.alertConfirm.until', { validFor: lang === 'en' ? s(p.validFor) : t('mail.alertConfirm.validFor') }),
    ], { label: t('mail.alertConfirm.confirm'), url: s(p.confirmUrl) }, { label: t('mail.alertConfirm.notYou'), url: s(p.unsubscribeUrl) }));
  },
  /** The weekly digest of an area: sections of linked entries (never sent empty), in the subscriber's language (`lang`). */
  'alert-digest': (p) => {
    const lang = s(p.lang) || 'en';
    const sections = (p.sections as { heading: string; entries: { title: string; url: string; note?: string }[] }[] | undefined) ?? [];
    const subject = translate(lang, 'mail.alertDigest.subject', { area: s(p.area) });
    const intro = translate(lang, 'mail.alertDigest.intro', { area: s(p.area) });
    const footer = translate(lang, 'mail.alertDigest.footer', { area: s(p.area), url: s(p.unsubscribeUrl) });
    const text = [intro, ...sections.map((sec) => `${sec.heading}\n${sec.entries.map((e) => `- ${e.title}${e.note ? ` (${e.note})` : ''}: ${e.url}`).join('\n')}`), footer].join('\n\n') + '\n';
    const html = layout(subject, `<h1 style="font-size:24px">${escapeHtml(subject)}</h1><p>${escapeHtml(intro)}</p>` +
      sections.map((sec) => `<h2 style="font-size:19px">${escapeHtml(sec.heading)}</h2><ul>${sec.entries.map((e) => `<li><a href="${escapeHtml(e.url)}">${escapeHtml(e.title)}</a>${e.note ? `, ${escapeHtml(e.note)}` : ''}</li>`).join('')}</ul>`).join('') +
      `<p><a href="${escapeHtml(s(p.unsubscribeUrl))}">${escapeHtml(translate(lang, 'mail.alertDigest.unsubscribe'))}</a></p>`, s(p.partnership), lang);
    return withUnsubscribe(p, { subject, text, html });
  },
  /** A reminder the day before a meeting. */
  'meeting-reminder': (p) => plainMessage(p, `Reminder: ${s(p.title)}`, [`The meeting is ${s(p.when)}, at ${s(p.place)}.`, s(p.access)].filter(Boolean), { label: 'Give up your place', url: s(p.cancelUrl) }),
};

/** A message with the one-click unsubscribe headers (RFC 2369 and RFC 8058) for the payload's `unsubscribeUrl`. */
function withUnsubscribe(p: Payload, mail: RenderedMail): RenderedMail {
  if (!p.unsubscribeUrl) throw new Error('An alert e-mail needs an unsubscribe link');
  return { ...mail, headers: { 'List-Unsubscribe': `<${s(p.unsubscribeUrl)}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } };
}

/** A short message of paragraphs and links in the shared layout. */
function plainMessage(p: Payload, subject: string, paragraphs: string[], ...links: ({ label: string; url: string } | undefined)[]): RenderedMail {
  const lang = s(p.lang) || 'en';
  const shown = links.filter((l): l is { label: string; url: string } => !!l);
  const text = [...paragraphs, ...shown.map((l) => `${l.label}: ${l.url}`)].join('\n\n') + '\n';
  const html = layout(subject, `<h1 style="font-size:24px">${escapeHtml(subject)}</h1>` + paragraphs.map((x) => `<p>${escapeHtml(x)}</p>`).join('') +
    shown.map((l) => `<p><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></p>`).join(''), s(p.partnership), lang);
  return { subject, text, html };
}

/** Names of the known templates. */
export const templateNames = Object.keys(templates);

/** Render a template by name; throws for an unknown template. */
export function renderMail(name: string, payload: Payload): RenderedMail {
  const template = templates[name];
  if (!template) throw new Error(`Unknown mail template '${name}'`);
  return template(payload);
}
