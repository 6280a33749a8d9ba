// The call screen's progressive enhancement: a running call timer, and only the questions for the chosen answers.
const form = document.getElementById('call-form');
if (form) {
  const duration = form.elements.namedItem('duration');
  const auto = form.elements.namedItem('durationAuto');
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
  const base = parse(auto.value) || 0;
  const t0 = Date.now();
  let edited = duration.value !== auto.value;
  duration.addEventListener('input', () => (edited = true));
  setInterval(() => {
    if (edited) return;
    const v = fmt(base + Math.floor((Date.now() - t0) / 1000));
    duration.value = v;
    auto.value = v;
  }, 1000);

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
