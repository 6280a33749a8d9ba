// Keyboard shortcuts for the staff queue and case pages. Single keys only when not typing, so they never
// clash with browser shortcuts (no Ctrl, Alt or Cmd). The list lives in the page's #shortcuts panel.
(() => {
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  const panel = document.getElementById('shortcuts');
  const rows = () => [...document.querySelectorAll('[data-queue-row] a[data-case-link]')];
  const focusRow = (delta) => {
    const links = rows();
    if (!links.length) return;
    const i = links.indexOf(document.activeElement);
    links[Math.max(0, Math.min(links.length - 1, i < 0 ? 0 : i + delta))].focus();
  };
  // The first field that can take focus: forms start with a hidden intent field, which cannot.
  const go = (sel) => {
    const el = [...document.querySelectorAll(sel)].find((f) => f.type !== 'hidden' && !f.disabled && f.getClientRects().length > 0);
    if (el) { el.focus(); if (el.scrollIntoView) el.scrollIntoView({ block: 'center' }); }
  };
  const click = (sel) => { const el = document.querySelector(sel); if (el) el.click(); };
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Escape' && panel && !panel.hidden && panel.dataset.toggled) { panel.hidden = true; return; }
    if (typing(e.target)) return;
    const actions = {
      '?': () => { if (panel) { panel.hidden = false; panel.dataset.toggled = '1'; panel.querySelector('h2').focus(); } },
      j: () => focusRow(1),
      k: () => focusRow(-1),
      x: () => { const row = document.activeElement && document.activeElement.closest('[data-queue-row]'); const box = row && row.querySelector('input[type=checkbox]'); if (box) box.click(); },
      '/': () => { const filters = document.getElementById('filters'); if (filters) filters.open = true; go('#filters select, #filters input'); },
      n: () => click('[data-next-page]'),
      t: () => go('#triage input'),
      s: () => go('#status-form select, #status-form input'),
      a: () => go('#assign select'),
      m: () => go('#note textarea'),
      r: () => go('#reply select, #reply textarea'),
      g: () => go('#tags input'),
      q: () => click('[data-back-to-queue]'),
    };
    const run = actions[e.key];
    if (run) { e.preventDefault(); run(); }
  });
})();
