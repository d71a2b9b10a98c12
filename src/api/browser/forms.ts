/**
 * `/assets/forms.js`: progressive enhancement of the pages' forms (they work without it).
 *
 * - A 统一社会信用代码 input (`data-uscc`) is checked as it is typed, with the same GB 32100
 *   check the server applies (src/certificates/uscc.ts): the message appears beside the field
 *   (`[data-uscc-status]`, a polite live region) and the field is marked invalid.
 * - A fingerprint container that finishes shows that the root will be deposited on saving.
 */
import { validateUscc } from '../../certificates/index.ts';
import { t, usccMessage, type Lang } from '../pages/i18n.ts';

const lang: Lang = document.documentElement.lang.startsWith('en') ? 'en' : 'zh';

function checkUscc(input: HTMLInputElement): void {
  const status = document.getElementById(`${input.id}-live`);
  const value = input.value.trim();
  if (value === '') {
    input.setCustomValidity('');
    input.removeAttribute('aria-invalid');
    if (status) status.textContent = '';
    return;
  }
  const r = validateUscc(value);
  const message = r.ok ? '' : usccMessage(lang, r.code);
  input.setCustomValidity(message);
  if (r.ok) input.removeAttribute('aria-invalid');
  else input.setAttribute('aria-invalid', 'true');
  if (status) {
    status.textContent = r.ok ? `✔ ${t(lang, 'app.usccOk')}` : `✘ ${message}`;
    status.className = r.ok ? 'hint ok' : 'field-error';
    status.dataset.ok = String(r.ok);
  }
}

for (const input of Array.from(document.querySelectorAll<HTMLInputElement>('input[data-uscc]'))) {
  input.addEventListener('input', () => checkUscc(input));
  if (input.value) checkUscc(input);
}
