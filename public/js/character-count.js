// Character count enhancement for Textarea with maxLength (GOV.UK pattern): the "You can enter up to N characters"
// hint stays for screen readers (visually hidden), a visible count updates as you type, and a polite live region
// announces the count once typing pauses.
for (const group of document.querySelectorAll('[data-module="character-count"]')) {
  const max = Number(group.getAttribute('data-maxlength'));
  const field = group.querySelector('textarea');
  const info = group.querySelector('.character-count__message');
  const status = group.querySelector('.character-count__status');
  if (!field || !info || !status || !max) continue;
  const visible = document.createElement('div');
  visible.className = 'hint character-count__message';
  visible.setAttribute('aria-hidden', 'true');
  info.after(visible);
  info.classList.add('visually-hidden');
  // The words come from the page's language (data-remaining-one, -other, data-over-one, -other, with {n}).
  const words = (kind, count) => group.getAttribute(`data-${kind}-${count === 1 ? 'one' : 'other'}`) || '';
  const text = () => {
    const left = max - field.value.length;
    const n = Math.abs(left).toLocaleString('en-GB');
    return words(left >= 0 ? 'remaining' : 'over', Math.abs(left)).replace('{n}', n);
  };
  let timer;
  const update = () => {
    const over = field.value.length > max;
    visible.textContent = text();
    visible.classList.toggle('character-count__message--over', over);
    field.classList.toggle('textarea--error', over);
    clearTimeout(timer);
    timer = setTimeout(() => { status.textContent = text(); }, 1000);
  };
  visible.textContent = text();
  field.addEventListener('input', update);
}
