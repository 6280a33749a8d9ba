// Character count enhancement for Textarea with maxLength: "You have N characters remaining", announced politely.
for (const group of document.querySelectorAll('[data-module="character-count"]')) {
  const max = Number(group.getAttribute('data-maxlength'));
  const field = group.querySelector('textarea');
  const message = group.querySelector('.character-count__message');
  const status = group.querySelector('.character-count__status');
  if (!field || !message || !status || !max) continue;
  const text = () => {
    const left = max - field.value.length;
    const n = Math.abs(left).toLocaleString('en-GB');
    const word = Math.abs(left) === 1 ? 'character' : 'characters';
    return left >= 0 ? `You have ${n} ${word} remaining` : `You have ${n} ${word} too many`;
  };
  let timer;
  const update = () => {
    const over = field.value.length > max;
    message.textContent = text();
    message.classList.toggle('character-count__message--over', over);
    field.classList.toggle('textarea--error', over);
    clearTimeout(timer);
    timer = setTimeout(() => { status.textContent = text(); }, 1000);
  };
  message.setAttribute('aria-hidden', 'true');
  status.textContent = '';
  message.textContent = text();
  field.addEventListener('input', update);
}
