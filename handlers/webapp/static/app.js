// Start-up and navigation: Telegram.WebApp (ready, expand, theme, start_param), the words and
// the user, the hash router, and the BackButton that mirrors the route history.

import { get, setInitData } from './api.js';
import { errorText, h, icon, mainButton, setStrings, t, tg } from './ui.js';
import * as shop from './shop.js';
import * as seller from './seller.js';
import * as admin from './admin.js';

export const state = { me: null, cartCount: 0 };

const ROUTES = [
  [/^\/$/, shop.grid],
  [/^\/c\/(\d+)$/, shop.grid],
  [/^\/p\/(\d+)$/, shop.product],
  [/^\/cart$/, shop.cart],
  [/^\/checkout$/, shop.checkout],
  [/^\/orders$/, shop.orders],
  [/^\/orders\/(\d+)$/, shop.order],
  [/^\/seller$/, seller.board, 'seller'],
  [/^\/seller\/products$/, seller.products, 'seller'],
  [/^\/seller\/products\/(new|\d+)$/, seller.editor, 'seller'],
  [/^\/seller\/import$/, seller.importer, 'seller'],
  [/^\/seller\/sales$/, seller.sales, 'seller'],
  [/^\/admin$/, admin.overview, 'admin'],
  [/^\/admin\/audit$/, admin.audit, 'admin'],
];

const HOME = '#/';

// --- theme: every colour is a --tg-theme-* variable, set from themeParams
function applyTheme() {
  const root = document.documentElement;
  const params = (tg && tg.themeParams) || {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') root.style.setProperty(`--tg-theme-${key.replace(/_/g, '-')}`, value);
  }
  const scheme = (tg && tg.colorScheme) || 'light';
  root.dataset.scheme = scheme;
  root.style.colorScheme = scheme;
}

// --- the route history, which the BackButton mirrors
const history = [];
let rendering = 0;

function current() {
  const hash = location.hash || HOME;
  return hash.startsWith('#/') ? hash : HOME;
}

export function parse(hash) {
  const [path, search = ''] = hash.slice(1).split('?');
  return { path: path || '/', query: Object.fromEntries(new URLSearchParams(search)) };
}

export function hashOf(path, query) {
  const search = new URLSearchParams(
    Object.entries(query || {}).filter(([, value]) => value !== undefined && value !== null && value !== ''),
  ).toString();
  return `#${path}${search ? `?${search}` : ''}`;
}

/** Goes to a route; `replace` changes the current entry (filters, a finished checkout). */
export function go(hash, { replace = false } = {}) {
  if (replace) {
    window.history.replaceState(null, '', hash);
    history[history.length - 1] = hash;
    render();
  } else if (hash === current()) {
    render();
  } else {
    location.hash = hash;
  }
}

function onHashChange() {
  const hash = current();
  if (history.length >= 2 && history[history.length - 2] === hash) history.pop();
  else if (history[history.length - 1] !== hash) history.push(hash);
  render();
}

function onBack() {
  if (history.length > 1) window.history.back();
  else {
    history.length = 0;
    history.push(HOME);
    window.history.replaceState(null, '', HOME);
    render();
  }
}

function syncBackButton() {
  const back = tg && tg.BackButton;
  if (!back) return;
  if (history.length > 1 || current() !== HOME) back.show();
  else back.hide();
}

// --- the header: where one can go, and the cart's count
function nav() {
  const me = state.me || {};
  const link = (hash, name, label, extra) =>
    h('a', { class: 'nav-link', href: hash, dataset: { nav: name } }, icon(name), h('span', { class: 'nav-label' }, label), extra);
  return h(
    'nav',
    { class: 'topnav' },
    link(HOME, 'shop', t('app.nav.shop')),
    link('#/orders', 'orders', t('app.nav.orders')),
    me.is_seller ? link('#/seller', 'seller', t('app.nav.seller')) : null,
    me.is_admin ? link('#/admin', 'admin', t('app.nav.admin')) : null,
    link('#/cart', 'cart', t('app.nav.cart'), h('span', { class: 'badge', id: 'cart-count', hidden: !state.cartCount }, state.cartCount)),
  );
}

export function setCartCount(count) {
  state.cartCount = count || 0;
  const badge = document.getElementById('cart-count');
  if (badge) {
    badge.textContent = state.cartCount;
    badge.hidden = !state.cartCount;
  }
}

/** A whole-screen message: the app cannot go on (not signed in, no connection). */
function fatal(error) {
  mainButton(null);
  document.getElementById('top').replaceChildren();
  document.getElementById('view').replaceChildren(
    h('div', { class: 'fatal', role: 'alert' }, h('p', { class: 'fatal-icon', 'aria-hidden': 'true' }, '⚠️'), h('p', {}, errorText(error))),
  );
}

async function render() {
  const token = ++rendering;
  const { path, query } = parse(current());
  syncBackButton();
  mainButton(null);
  document.getElementById('top').replaceChildren(nav());
  const area = ['seller', 'admin', 'orders', 'cart'].find((name) => path.startsWith(`/${name}`)) || (path === '/checkout' ? 'cart' : 'shop');
  const here = document.querySelector(`.nav-link[data-nav="${area}"]`);
  if (here) {
    here.classList.add('on');
    here.setAttribute('aria-current', 'page');
  }
  const view = document.getElementById('view');
  const match = ROUTES.map(([pattern, screen, role]) => [path.match(pattern), screen, role]).find(([m]) => m);
  const [found, screen, role] = match || [null, null, null];
  const allowed = !role || (state.me && state.me[`is_${role}`]);
  const page = h('div', { class: 'screen' });
  view.replaceChildren(page);
  window.scrollTo(0, 0);
  if (!found || !allowed) {
    page.append(h('p', { class: 'empty' }, t('app.error.not_found')), h('a', { class: 'btn', href: HOME }, t('app.nav.shop')));
    return;
  }
  const live = () => token === rendering;
  try {
    await screen({ page, args: found.slice(1), query, path, live });
  } catch (error) {
    if (!live()) return;
    if (error && error.status === 401) fatal(error);
    else {
      console.error(error);
      page.replaceChildren(h('div', { class: 'fatal', role: 'alert' }, h('p', {}, errorText(error))));
    }
  }
}

async function start() {
  if (tg) {
    tg.ready();
    tg.expand();
    applyTheme();
    tg.onEvent('themeChanged', applyTheme);
    if (tg.BackButton) tg.BackButton.onClick(onBack);
  }
  setInitData(tg ? tg.initData : '');
  try {
    const [words, me] = await Promise.all([get('strings'), get('me')]);
    setStrings(words);
    state.me = me;
    document.documentElement.lang = me.language || 'en';
    document.title = t('app.title');
  } catch (error) {
    fatal(error);
    return;
  }
  const startParam = tg && tg.initDataUnsafe ? tg.initDataUnsafe.start_param : null;
  const wanted = startParam && /^p\d+$/.test(startParam) ? `#/p/${startParam.slice(1)}` : null;
  const routed = location.hash.startsWith('#/') && location.hash !== HOME;
  if (wanted && !routed) {
    window.history.replaceState(null, '', wanted);
  } else if (!location.hash.startsWith('#/')) {
    window.history.replaceState(null, '', HOME);
  }
  history.push(current());
  window.addEventListener('hashchange', onHashChange);
  get('cart').then((cart) => setCartCount(cart.count)).catch(() => {});
  render();
}

start();
