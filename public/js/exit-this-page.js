// Exit this page enhancement: press Shift 3 times within 5 seconds, or use the button; shows a blank overlay while leaving.
const link = document.querySelector('[data-exit-link]');
const indicator = document.querySelector('[data-exit-indicator]');
// The words come from the page's language (data attributes on the component), English when absent.
const box = document.querySelector('[data-module="exit-this-page"]');
const say = (name, fallback) => box?.getAttribute(`data-${name}`) || fallback;
if (link) {
  const exit = (event) => {
    if (event) event.preventDefault();
    const overlay = document.createElement('div');
    overlay.className = 'exit-this-page__overlay';
    overlay.setAttribute('role', 'alert');
    overlay.textContent = say('loading', 'Loading.');
    document.body.append(overlay);
    document.title = say('loading', 'Loading.');
    window.location.href = link.href;
  };
  link.addEventListener('click', exit);
  let presses = 0;
  let timer;
  document.addEventListener('keyup', (event) => {
    if (event.key !== 'Shift') { presses = 0; return; }
    presses += 1;
    clearTimeout(timer);
    if (presses >= 3) { presses = 0; exit(); return; }
    if (indicator) {
      indicator.classList.add('exit-this-page__indicator--visible');
      indicator.textContent = say(presses === 1 ? 'pressed-one' : 'pressed-other', `Shift, pressed {n} ${presses === 1 ? 'time' : 'times'}`).replace('{n}', String(presses));
    }
    timer = setTimeout(() => {
      presses = 0;
      if (indicator) { indicator.textContent = say('expired', 'Exit this page expired.'); indicator.classList.remove('exit-this-page__indicator--visible'); }
    }, 5000);
  });
}
