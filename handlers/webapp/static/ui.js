// What every screen shares: building DOM, the words (`t`), Telegram's MainButton and haptics,
// the toast, and turning any failure into a friendly sentence.

import { ApiError } from './api.js';

export const tg = window.Telegram && window.Telegram.WebApp ? window.Telegram.WebApp : null;

let strings = {};

export function setStrings(map) {
  strings = map || {};
}

/** The text of an `app.*` key in the user's language, `{name}` filled from `params`. */
export function t(key, params) {
  const text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** An element: h('button', {class: 'x', onclick: f}, 'text', child). Text is never parsed as HTML. */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else if (name === 'dataset') {
      for (const [key, data] of Object.entries(value)) if (data !== undefined && data !== null) node.dataset[key] = data;
    }
    else if (name === 'value' || name === 'checked' || name === 'selected') node[name] = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const ICONS = {
  shop: 'M6 8h12l1 12H5L6 8zM9 8a3 3 0 0 1 6 0',
  orders: 'M3 7l9-4 9 4v10l-9 4-9-4V7zM3 7l9 4 9-4M12 11v10',
  seller: 'M4 10v10h16V10M3 10l2-6h14l2 6zM10 20v-5h4v5',
  admin: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6l8-3zM9 12l2 2 4-4',
  cart: 'M3 4h2l2.4 11h11L21 7H6.2M9 20h.01M18 20h.01',
};

/** A chat button's words without the emoji that start them ("✅ Confirm" → "Confirm"): the
 * page's buttons are styled already, and a device without an emoji font would show a box. */
export function bare(label) {
  return String(label || '').replace(/^(?:[\p{Extended_Pictographic}\u2190-\u21ff\u2700-\u27bf]\ufe0f?\s*)+/u, '') || String(label || '');
}

/** A line icon drawn in the text colour (no emoji font needed). */
export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

/** Appends children, leaving out null, undefined and false (as `h` does). */
export function add(node, ...children) {
  append(node, children);
  return node;
}

/** Replaces a node's children, leaving out null, undefined and false. */
export function fill(node, ...children) {
  node.replaceChildren();
  return add(node, ...children);
}

/** A photo that loads when it scrolls into view, in a box of fixed aspect ratio. */
export function photo(src, alt, cls = 'photo') {
  const box = h('div', { class: cls });
  if (src) box.append(h('img', { src, alt: alt || '', loading: 'lazy', decoding: 'async' }));
  else box.append(h('span', { class: 'photo-none', 'aria-hidden': 'true' }, '🛍'));
  return box;
}

export function stars(value) {
  if (value === null || value === undefined || value === '') return null;
  return h('span', { class: 'stars', 'aria-label': t('app.rating', { rating: value }) }, `★ ${value}`);
}

export function haptic(kind) {
  const feedback = tg && tg.HapticFeedback;
  if (!feedback) return;
  try {
    if (kind === 'success' || kind === 'error' || kind === 'warning') feedback.notificationOccurred(kind);
    else feedback.impactOccurred(kind || 'light');
  } catch (error) {
    /* an older client without haptics */
  }
}

let toastTimer = null;

export function toast(text, kind = 'info') {
  const box = document.getElementById('toast');
  box.textContent = text;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
  }, 3500);
}

/** The sentence to show for a failure: the server's own words when it gave some. */
export function errorText(error) {
  if (error instanceof ApiError) {
    if (error.status === 401) return error.message || t('app.error.unauthorized');
    if (error.status === 0) return t('app.error.network');
    if (error.message) return error.message;
  }
  return t('app.error.generic');
}

export function showError(error) {
  if (!(error instanceof ApiError)) console.error(error);
  haptic('error');
  toast(errorText(error), 'error');
}

// --- Telegram's MainButton: one handler at a time, owned by the screen showing it. While its
// action runs, the button shows progress and further taps are ignored (a double tap adds once).
let mainHandler = null;
let mainEnabled = true;
let mainRunning = null; // the handler whose action is running

async function onMain() {
  const handler = mainHandler;
  if (!handler || mainRunning) return;
  mainRunning = handler;
  mainButtonBusy(true);
  try {
    await handler();
  } finally {
    if (mainRunning === handler) {
      mainRunning = null;
      mainButtonBusy(false);
    }
  }
}

export function mainButton(text, handler, { enabled = true } = {}) {
  const button = tg && tg.MainButton;
  if (!button) return;
  if (mainHandler) button.offClick(onMain);
  if (handler !== mainRunning) mainRunning = null; // another screen's button: not busy
  mainHandler = handler || null;
  mainEnabled = enabled;
  if (!text) {
    if (button.hideProgress) button.hideProgress();
    button.hide();
    return;
  }
  button.setText(text);
  if (enabled && !mainRunning) button.enable();
  else button.disable();
  button.onClick(onMain);
  button.show();
}

/** Whether the MainButton's action is running (its screen may redraw it meanwhile). */
export function mainButtonRunning() {
  return Boolean(mainRunning);
}

export function mainButtonBusy(busy) {
  const button = tg && tg.MainButton;
  if (!button) return;
  if (busy) {
    if (button.showProgress) button.showProgress(false);
    button.disable();
    return;
  }
  if (button.hideProgress) button.hideProgress();
  if (mainEnabled) button.enable();
  else button.disable();
}

/** Runs `action` with `button` disabled so a double tap does it once. */
export async function busy(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** A labelled form field; its error line fills from the API's `field` errors (`aliases`:
 * the other names the API may give it, e.g. `street` for the first address line). */
export function field(name, label, input, aliases) {
  input.id = input.id || `f-${name}`;
  input.name = name;
  return h(
    'div',
    { class: 'field', dataset: { field: name, aliases: aliases || null } },
    h('label', { for: input.id }, label),
    input,
    h('div', { class: 'field-error', id: `${input.id}-error`, role: 'alert', hidden: true }),
  );
}

export function clearFieldErrors(form) {
  for (const line of form.querySelectorAll('.field-error')) {
    line.hidden = true;
    line.textContent = '';
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/** Shows an API refusal under its field when it names one; otherwise as a toast. */
export function fieldError(form, error) {
  const name = error instanceof ApiError ? error.field : null;
  const key = name ? CSS.escape(name) : '';
  const box = name ? form.querySelector(`.field[data-field="${key}"], .field[data-aliases~="${key}"]`) : null;
  if (!box) {
    showError(error);
    return;
  }
  haptic('error');
  const line = box.querySelector('.field-error');
  line.textContent = errorText(error);
  line.hidden = false;
  const input = box.querySelector('input, select, textarea');
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', line.id);
    input.focus();
  }
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** Buttons to move between pages of a list (`hasNext` when the total is unknown). */
export function pager(page, pages, go, hasNext) {
  const more = hasNext === undefined ? page < (pages || 1) : hasNext;
  if (page <= 1 && !more) return null;
  return h(
    'nav',
    { class: 'pager' },
    h('button', { class: 'btn secondary', type: 'button', disabled: page <= 1, onclick: () => go(page - 1) }, t('app.page.prev')),
    h('span', {}, t('app.page.number', { page })),
    h('button', { class: 'btn secondary', type: 'button', disabled: !more, onclick: () => go(page + 1) }, t('app.page.next')),
  );
}
