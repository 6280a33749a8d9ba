// The call screen's progressive enhancement: a call timer that starts when the call does ("Call started" or the
// first key pressed on the screen), and only the questions for the chosen answers.
const form = document.getElementById('call-form');
if (form) {
  const duration = form.elements.namedItem('duration');
  const auto = form.elements.namedItem('durationAuto');
  const opened = Number(form.elements.namedItem('openedAt').value) || 0;
  const startInputs = [...document.querySelectorAll('input[name="startedAt"]')];
  const startButton = document.getElementById('call-start');
  const status = document.getElementById('call-timer-status');
  const parse = (s) => {
    const p = s.split(':').map(Number);
    return p.reduce((acc, n) => acc * 60 + n, 0);
  };
  const fmt = (t) => {
    const h = Math.floor(t / 3600);
    const m = Math.floor((t % 3600) / 60);
    const s = String(t % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
  };
  const loaded = Date.now();
  // Elapsed seconds at page load, and when (browser clock) counting began; null until the call starts.
  let base = 0;
  let t0 = /^\d+$/.test(startInputs[0]?.value ?? '') ? loaded : null;
  if (t0 !== null) base = parse(auto.value) || 0;
  let edited = duration.value !== auto.value;
  duration.addEventListener('input', () => (edited = true));
  // The field is left alone while it has focus: a handler who selects the time to type over it must not
  // have the selection replaced under the cursor (their typing would then be appended to a new time).
  const tick = () => {
    if (edited || t0 === null || document.activeElement === duration) return;
    const v = fmt(base + Math.floor((Date.now() - t0) / 1000));
    duration.value = v;
    auto.value = v;
  };
  const start = () => {
    if (t0 !== null) return;
    t0 = Date.now();
    // The start on the server's clock: the time the screen was drawn plus the time since it loaded.
    for (const input of startInputs) input.value = String(opened + (t0 - loaded));
    startButton?.remove();
    if (status) status.textContent = 'The call timer is running.';
    tick();
  };
  if (startButton) {
    startButton.addEventListener('click', (e) => {
      e.preventDefault();
      start();
      document.getElementById('lookup')?.focus();
    });
  }
  document.addEventListener('keydown', (e) => {
    if (e.metaKey || e.ctrlKey || e.altKey || e.key === 'Tab' || e.key === 'Shift') return;
    if (e.target === duration) edited = true;
    start();
  }, true);
  form.addEventListener('change', start);
  setInterval(tick, 1000);

  const blocks = [...form.querySelectorAll('[data-show-if]')];
  const update = () => {
    for (const el of blocks) {
      const [name, list] = (el.dataset.showIf ?? '').split('=');
      const checked = form.querySelector(`input[name="${name}"]:checked`);
      el.hidden = !checked || !(list ?? '').split('|').includes(checked.value);
    }
  };
  form.addEventListener('change', update);
  update();

  const search = form.querySelector('[data-advice-search]');
  if (search) {
    const items = [...form.querySelectorAll('input[name="advice"]')].map((i) => i.closest('.checkboxes__item'));
    const filter = () => {
      const words = search.value.toLowerCase().split(/\s+/).filter((w) => w.length > 1);
      for (const item of items) {
        const text = (item.textContent ?? '').toLowerCase();
        const box = item.querySelector('input');
        item.hidden = !box.checked && !words.every((w) => text.includes(w));
      }
    };
    search.addEventListener('input', filter);
    search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') e.preventDefault();
    });
  }
}
