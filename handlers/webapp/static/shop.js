// The storefront: product grid with categories, filters, sorts and search; the product page;
// the cart (always read again from the API: the chat's cart is the same one); checkout; orders.

import { del, get, post, put } from './api.js';
import { go, hashOf, setCartCount, state } from './app.js';
import {
  add, busy, clearFieldErrors, empty, field, fieldError, fill, h, haptic, mainButton, mainButtonBusy, pager, photo, section, showError, stars, t, tg, toast,
} from './ui.js';

const SORTS = ['popular', 'price_asc', 'price_desc', 'newest', 'rating'];
const FILTERS = ['price_min', 'price_max', 'seller', 'in_stock', 'rating_min'];
let categoriesCache = null;
const sellersSeen = new Map();

async function categories() {
  if (!categoriesCache) categoriesCache = await get('categories');
  return categoriesCache;
}

// --- the grid
function productCard(item) {
  return h(
    'a',
    { class: 'product-card', href: `#/p/${item.id}`, dataset: { productId: item.id } },
    photo(item.photo_url, item.name),
    h('span', { class: 'name' }, item.name),
    h(
      'span',
      { class: 'price-line' },
      h('span', { class: 'price' }, item.price_display),
      item.regular_price_display ? h('s', { class: 'hint' }, item.regular_price_display) : null,
    ),
    h(
      'span',
      { class: 'meta' },
      stars(item.rating),
      item.in_stock ? null : h('span', { class: 'out' }, t('app.product.out_of_stock')),
    ),
  );
}

function categoryBar(all, currentId) {
  const byId = new Map(all.map((c) => [c.id, c]));
  const trail = [];
  for (let c = byId.get(currentId); c; c = byId.get(c.parent_id)) trail.unshift(c);
  const children = all.filter((c) => (c.parent_id ?? null) === (currentId ?? null));
  return h(
    'div',
    { class: 'categories' },
    h(
      'nav',
      { class: 'crumbs', 'aria-label': t('app.catalog.categories') },
      h('a', { href: '#/' }, t('app.catalog.all')),
      trail.map((c) => [h('span', { 'aria-hidden': 'true' }, ' › '), h('a', { href: `#/c/${c.id}` }, c.name)]),
    ),
    children.length
      ? h('div', { class: 'chips' }, children.map((c) => h('a', { class: 'chip', href: `#/c/${c.id}` }, c.name)))
      : null,
  );
}

function filterPanel(path, query) {
  const form = h('form', { class: 'filters' });
  const number = (name, label) =>
    field(name, label, h('input', { type: 'text', inputmode: 'decimal', value: query[name] || '', autocomplete: 'off' }));
  const sellerSelect = h(
    'select',
    {},
    h('option', { value: '' }, t('app.filter.any_seller')),
    [...sellersSeen.entries()].map(([id, name]) => h('option', { value: id, selected: String(id) === query.seller }, name)),
  );
  const ratingSelect = h(
    'select',
    {},
    h('option', { value: '' }, t('app.filter.any_rating')),
    ['4', '3', '2'].map((r) => h('option', { value: r, selected: r === query.rating_min }, t('app.filter.rating_at_least', { stars: r }))),
  );
  const inStock = h('input', { type: 'checkbox', id: 'f-in_stock', checked: query.in_stock === '1' });
  // a search ranks by best match and filters by price only (the engine's search): the
  // other filters are browsing's, so they are not offered while searching
  const searching = Boolean(query.q);
  add(form, 
    h('div', { class: 'row2' }, number('price_min', t('app.filter.price_min')), number('price_max', t('app.filter.price_max'))),
    searching ? h('p', { class: 'hint' }, t('app.search.browse_filters')) : null,
    searching ? null : field('seller', t('app.filter.seller'), sellerSelect),
    searching ? null : field('rating_min', t('app.filter.rating'), ratingSelect),
    searching ? null : h('label', { class: 'check' }, inStock, t('app.filter.in_stock')),
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'btn', type: 'submit' }, t('app.filter.apply')),
      h('button', { class: 'btn secondary', type: 'button', onclick: () => go(hashOf(path, { q: query.q, sort: query.sort }), { replace: true }) }, t('app.filter.clear')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = { q: query.q, sort: query.sort };
    next.price_min = form.elements.price_min.value.trim();
    next.price_max = form.elements.price_max.value.trim();
    if (!searching) {
      next.seller = sellerSelect.value;
      next.rating_min = ratingSelect.value;
      next.in_stock = inStock.checked ? '1' : '';
    }
    go(hashOf(path, next), { replace: true });
  });
  const active = FILTERS.filter((name) => query[name] && (!searching || name.startsWith('price'))).length;
  return h(
    'details',
    { class: 'filter-box', open: false },
    h('summary', { class: 'btn secondary' }, active ? t('app.filter.title_active', { count: active }) : t('app.filter.title')),
    form,
  );
}

export async function grid({ page, args, query, path, live }) {
  const categoryId = args[0] ? Number(args[0]) : null;
  const search = h('input', { type: 'search', value: query.q || '', placeholder: t('app.search.placeholder'), 'aria-label': t('app.search.placeholder'), enterkeyhint: 'search' });
  const searchForm = h('form', { class: 'search', role: 'search' }, search);
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    search.blur();
    const words = search.value.trim();
    // a search keeps the price range (the engine's search takes it); browsing's own filters,
    // category and sort are left for when the search is cleared
    const next = words ? { q: words, price_min: query.price_min, price_max: query.price_max } : { ...query, q: '' };
    go(hashOf(words ? '/' : path, next), { replace: true });
  });
  const sort = h(
    'select',
    { 'aria-label': t('app.sort.label'), class: 'sort' },
    SORTS.map((s) => h('option', { value: s, selected: (query.sort || 'popular') === s }, t(`app.sort.${s}`))),
  );
  sort.addEventListener('change', () => go(hashOf(path, { ...query, sort: sort.value }), { replace: true }));
  if (query.q) sort.hidden = true; // a search shows the best matches first
  const list = h('div', { class: 'grid', 'aria-live': 'polite' });
  const more = h('button', { class: 'btn secondary wide', hidden: true }, t('app.catalog.more'));
  const count = h('p', { class: 'hint count' });
  add(page, searchForm, h('div', { class: 'category-slot' }), h('div', { class: 'toolbar' }, filterPanel(path, query), sort), count, list, more);

  categories()
    .then((all) => live() && page.querySelector('.category-slot').replaceChildren(categoryBar(all, categoryId)))
    .catch(() => {});

  let current = 0;
  const load = async (n) => {
    const result = await get('products', {
      category: categoryId, q: query.q, sort: query.sort, page: n,
      price_min: query.price_min, price_max: query.price_max, seller: query.seller,
      in_stock: query.in_stock, rating_min: query.rating_min,
    });
    if (!live()) return;
    current = result.page;
    for (const item of result.items) if (item.seller) sellersSeen.set(item.seller.id, item.seller.name);
    add(list, ...result.items.map(productCard));
    count.textContent = t('app.catalog.found', { count: result.total });
    if ((result.ignored || []).length) count.textContent += ` · ${t('app.search.browse_filters')}`;
    more.hidden = result.page >= result.pages;
    if (!result.total) fill(list, empty(query.q ? t('app.catalog.nothing_for', { q: query.q }) : t('app.catalog.empty')));
  };
  more.addEventListener('click', () => busy(more, () => load(current + 1)));
  await load(1);
}

// --- the product page
function gallery(urls, name) {
  const strip = h('div', { class: 'gallery-strip', tabindex: '0', 'aria-label': t('app.product.photos') });
  const shots = urls.length ? urls : [null];
  shots.forEach((url, i) => strip.append(photo(url, `${name} ${i + 1}/${shots.length}`, 'photo slide')));
  if (shots.length < 2) return h('div', { class: 'gallery' }, strip);
  const dots = h('div', { class: 'dots', 'aria-hidden': 'true' }, shots.map(() => h('span', { class: 'dot' })));
  const at = () => Math.round(strip.scrollLeft / Math.max(1, strip.clientWidth));
  const show = (i) => strip.scrollTo({ left: i * strip.clientWidth, behavior: 'smooth' });
  const mark = () => [...dots.children].forEach((dot, i) => dot.classList.toggle('on', i === at()));
  strip.addEventListener('scroll', () => requestAnimationFrame(mark), { passive: true });
  strip.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowRight') show(Math.min(shots.length - 1, at() + 1));
    if (event.key === 'ArrowLeft') show(Math.max(0, at() - 1));
  });
  setTimeout(mark);
  return h(
    'div',
    { class: 'gallery' },
    strip,
    h('button', { class: 'arrow prev', type: 'button', 'aria-label': t('app.product.prev_photo'), onclick: () => show(Math.max(0, at() - 1)) }, '‹'),
    h('button', { class: 'arrow next', type: 'button', 'aria-label': t('app.product.next_photo'), onclick: () => show(Math.min(shots.length - 1, at() + 1)) }, '›'),
    dots,
  );
}

function review(r) {
  return h(
    'li',
    { class: 'review' },
    h('div', { class: 'review-head' }, h('span', { class: 'stars' }, '★'.repeat(r.stars) + '☆'.repeat(Math.max(0, 5 - r.stars))), h('span', { class: 'hint' }, [r.name, r.date_display].filter(Boolean).join(' · '))),
    r.comment ? h('p', {}, r.comment) : null,
  );
}

export async function product({ page, args, live }) {
  const id = Number(args[0]);
  const item = await get(`products/${id}`);
  if (!live()) return;
  const heart = h('button', { class: 'heart', type: 'button', 'aria-pressed': String(Boolean(item.in_wishlist)) });
  const paintHeart = () => {
    heart.textContent = item.in_wishlist ? '♥' : '♡';
    heart.setAttribute('aria-pressed', String(Boolean(item.in_wishlist)));
    heart.setAttribute('aria-label', item.in_wishlist ? t('app.wishlist.remove') : t('app.wishlist.add'));
  };
  paintHeart();
  heart.addEventListener('click', () =>
    busy(heart, async () => {
      if (item.in_wishlist) await del(`wishlist/${id}`);
      else await post(`wishlist/${id}`);
      item.in_wishlist = !item.in_wishlist;
      paintHeart();
      haptic('light');
      toast(item.in_wishlist ? t('app.wishlist.added') : t('app.wishlist.removed'));
    }),
  );
  const reviewList = item.reviews_page ? item.reviews_page.items : [];
  const reviewCount = item.reviews_page ? item.reviews_page.total : 0;
  const reviews = h('ul', { class: 'reviews' }, reviewList.map(review));
  let reviewPage = 1;
  const moreReviews = h('button', { class: 'btn secondary wide', hidden: reviewList.length >= reviewCount }, t('app.product.more_reviews'));
  moreReviews.addEventListener('click', () =>
    busy(moreReviews, async () => {
      const next = await get(`products/${id}/reviews`, { page: reviewPage + 1 });
      const items = next.items;
      reviewPage += 1;
      reviews.append(...items.map(review));
      moreReviews.hidden = !items.length || reviews.children.length >= reviewCount;
    }),
  );
  add(page, 
    gallery(item.photos || (item.photo_url ? [item.photo_url] : []), item.name),
    h(
      'div',
      { class: 'product-head' },
      h('h1', {}, item.name),
      heart,
    ),
    h(
      'p',
      { class: 'price-line big' },
      h('span', { class: 'price' }, item.price_display),
      item.regular_price_display ? h('s', { class: 'hint' }, item.regular_price_display) : null,
    ),
    h(
      'p',
      { class: 'meta' },
      stars(item.rating),
      reviewCount ? h('span', { class: 'hint' }, t('app.product.reviews_count', { count: reviewCount })) : null,
      h('span', { class: item.in_stock ? 'stock' : 'out' }, item.in_stock ? t('app.product.in_stock', { count: item.stock }) : t('app.product.out_of_stock')),
    ),
    item.seller ? h('p', {}, h('a', { class: 'chip', href: hashOf('/', { seller: item.seller.id }) }, t('app.product.more_from', { seller: item.seller.name }))) : null,
    item.description ? h('p', { class: 'description' }, item.description) : null,
    section(t('app.product.reviews'), reviewList.length ? reviews : empty(t('app.product.no_reviews')), moreReviews),
  );
  if (item.seller) sellersSeen.set(item.seller.id, item.seller.name);
  if (!item.in_stock) {
    mainButton(t('app.product.out_of_stock'), null, { enabled: false });
    return;
  }
  const addToCart = async () => {
    mainButtonBusy(true);
    try {
      const cart = await post('cart/items', { product_id: id, quantity: 1 });
      setCartCount(cart.count);
      haptic('success');
      toast(t('app.cart.added', { count: cart.count }));
    } catch (error) {
      showError(error);
    } finally {
      mainButtonBusy(false);
    }
  };
  mainButton(t('app.product.add_to_cart'), addToCart);
}

// --- the cart
function stepper(line, onChange) {
  const minus = h('button', { class: 'step', type: 'button', 'aria-label': t('app.cart.less') }, '−');
  const plus = h('button', { class: 'step', type: 'button', 'aria-label': t('app.cart.more'), disabled: line.stock !== undefined && line.quantity >= line.stock }, '+');
  minus.addEventListener('click', () => onChange(line.quantity - 1, minus));
  plus.addEventListener('click', () => onChange(line.quantity + 1, plus));
  return h('div', { class: 'stepper' }, minus, h('output', { 'aria-live': 'polite' }, line.quantity), plus);
}

function cartLine(line, setQuantity) {
  return h(
    'li',
    { class: 'cart-line', dataset: { productId: line.product_id } },
    photo(line.photo_url, line.name, 'photo thumb'),
    h(
      'div',
      { class: 'cart-body' },
      h('a', { class: 'name', href: `#/p/${line.product_id}` }, line.name),
      h('span', { class: 'hint' }, line.price_display),
      h('div', { class: 'cart-row' }, stepper(line, setQuantity), h('strong', { class: 'line-total' }, line.line_total_display)),
    ),
    h('button', { class: 'remove', type: 'button', 'aria-label': t('app.cart.remove', { name: line.name }), onclick: (event) => setQuantity(0, event.currentTarget) }, '✕'),
  );
}

export async function cart({ page, live }) {
  const draw = (view) => {
    if (!live()) return;
    setCartCount(view.count);
    fill(page, h('h1', {}, t('app.cart.title')));
    for (const change of view.changes || []) add(page, h('p', { class: 'notice', role: 'status' }, change));
    if (!view.lines.length) {
      add(page, empty(t('app.cart.empty')), h('a', { class: 'btn', href: '#/' }, t('app.cart.browse')));
      mainButton(null);
      return;
    }
    const setQuantity = (quantity, button) =>
      busy(button, async () => {
        const line = view.lines.find((l) => l.product_id === Number(button.closest('.cart-line').dataset.productId));
        const next = quantity > 0 ? await put(`cart/items/${line.product_id}`, { quantity }) : await del(`cart/items/${line.product_id}`);
        haptic('light');
        draw(next);
      });
    add(page, 
      h('ul', { class: 'cart-lines' }, view.lines.map((line) => cartLine(line, setQuantity))),
      h('p', { class: 'total-line' }, h('span', {}, t('app.cart.subtotal')), h('strong', { id: 'cart-subtotal' }, view.subtotal_display)),
    );
    mainButton(t('app.cart.checkout'), () => go('#/checkout'));
  };
  draw(await get('cart', { review: 1 })); // brought up to date, what changed said
}

// --- checkout
const ADDRESS_FIELDS = [
  ['full_name', 'name', 'text'],
  ['phone', 'tel', 'tel'],
  ['line1', 'address-line1', 'text'],
  ['line2', 'address-line2', 'text'],
  ['city', 'address-level2', 'text'],
  ['state', 'address-level1', 'text'],
  ['postal_code', 'postal-code', 'text'],
  ['country', 'country', 'text'],
];
// the names the API's address rules give these fields in a refusal
const ADDRESS_ALIASES = { full_name: 'recipient_name', line1: 'street' };
const METHODS = ['card', 'cod', 'bank_transfer'];

function addressForm(onSaved) {
  const form = h('form', { class: 'address-form', novalidate: true });
  for (const [name, autocomplete, type] of ADDRESS_FIELDS) {
    const input = h('input', { type, autocomplete, required: name !== 'line2' && name !== 'state' });
    add(form, field(name, t(`app.address.${name}`), input, ADDRESS_ALIASES[name]));
  }
  const kind = h('select', {}, ['shipping', 'billing'].map((k) => h('option', { value: k }, t(`app.address.type.${k}`))));
  add(form, field('type', t('app.address.type'), kind));
  const save = h('button', { class: 'btn', type: 'submit' }, t('app.address.save'));
  add(form, save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = Object.fromEntries(ADDRESS_FIELDS.map(([name]) => [name, form.elements[name].value.trim()]));
    body.type = kind.value;
    save.disabled = true;
    try {
      const saved = await post('addresses', body);
      haptic('success');
      onSaved(saved);
    } catch (error) {
      fieldError(form, error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function addressText(a) {
  return [a.full_name, a.text].filter(Boolean).join(' · ');
}

function checkoutKey() {
  let key = sessionStorage.getItem('checkout_key');
  if (!key) {
    key = window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
    sessionStorage.setItem('checkout_key', key);
  }
  return key;
}

export async function checkout({ page, live }) {
  const [basket, addresses] = await Promise.all([get('cart', { review: 1 }), get('addresses')]);
  if (!live()) return;
  setCartCount(basket.count);
  add(page, h('h1', {}, t('app.checkout.title')));
  for (const change of basket.changes || []) add(page, h('p', { class: 'notice', role: 'status' }, change));
  if (!basket.lines.length) {
    add(page, empty(t('app.cart.empty')), h('a', { class: 'btn', href: '#/' }, t('app.cart.browse')));
    return;
  }
  const choice = { address_id: null, provider_id: null, coupon: null, payment_method: 'card' };
  let quote = null;

  // where to
  const addressList = h('div', { class: 'options', role: 'radiogroup', 'aria-label': t('app.checkout.address') });
  const newBox = h('div', { class: 'new-address', hidden: true });
  const pickAddress = async (id) => {
    choice.address_id = id;
    for (const input of addressList.querySelectorAll('input')) input.checked = Number(input.value) === id;
    // the ways to this address (a pickup point in another country is not one): asked again
    const options = await get('shipping', { address_id: id });
    if (!live() || choice.address_id !== id) return;
    drawShipping(options);
    refresh();
  };
  const drawAddresses = (list) => {
    fill(addressList, 
      ...list.map((a) =>
        h('label', { class: 'option' }, h('input', { type: 'radio', name: 'address', value: a.id, onchange: () => pickAddress(a.id).catch(showError) }), h('span', {}, addressText(a))),
      ),
    );
    if (!list.length) newBox.hidden = false;
  };
  drawAddresses(addresses);
  add(newBox, 
    addressForm(async (saved) => {
      const list = await get('addresses');
      drawAddresses(list);
      newBox.hidden = true;
      await pickAddress(saved.id);
    }),
  );
  const addNew = h('button', { class: 'btn secondary', type: 'button', onclick: () => { newBox.hidden = !newBox.hidden; } }, t('app.address.new'));
  const preferred = addresses.find((a) => a.is_default) || addresses[0];
  if (preferred) choice.address_id = preferred.id;

  // how: the ways to the address picked (none picked yet: none listed)
  const shipping = h('div', { class: 'options', role: 'radiogroup', 'aria-label': t('app.checkout.shipping') });
  const drawShipping = (options) => {
    if (!options.some((o) => o.provider_id === choice.provider_id)) choice.provider_id = null;
    fill(shipping,
      ...options.map((o) =>
        h(
          'label',
          { class: 'option' },
          h('input', { type: 'radio', name: 'provider', value: o.provider_id, checked: o.provider_id === choice.provider_id, onchange: () => { choice.provider_id = o.provider_id; refresh(); } }),
          h(
            'span',
            { class: 'option-body' },
            h('span', { class: 'option-title' }, h('span', {}, o.name), h('strong', {}, o.price_display)),
            o.days ? h('span', { class: 'hint' }, t('app.shipping.days', { days: o.days })) : null,
            o.pickup_address ? h('span', { class: 'hint' }, t('app.shipping.pickup', { address: o.pickup_address })) : null,
          ),
        ),
      ),
    );
    if (!options.length) shipping.append(empty(t('app.shipping.none')));
    if (options.length === 1 && !choice.provider_id) shipping.querySelector('input').click();
  };

  // coupon
  const couponInput = h('input', { type: 'text', autocomplete: 'off', autocapitalize: 'characters' });
  const couponForm = h('form', { class: 'coupon' }, field('coupon', t('app.coupon.label'), couponInput), h('button', { class: 'btn secondary', type: 'submit' }, t('app.coupon.apply')));
  const couponNote = h('p', { class: 'hint', role: 'status' });
  couponForm.addEventListener('submit', (event) => {
    event.preventDefault();
    choice.coupon = couponInput.value.trim() || null;
    refresh();
  });

  // payment
  const payment = h(
    'div',
    { class: 'options', role: 'radiogroup', 'aria-label': t('app.checkout.payment') },
    METHODS.map((m) =>
      h('label', { class: 'option' }, h('input', { type: 'radio', name: 'method', value: m, checked: m === choice.payment_method, onchange: () => { choice.payment_method = m; refresh(); } }), h('span', {}, t(`app.payment.${m}`))),
    ),
  );

  const summary = h('div', { class: 'summary', 'aria-live': 'polite' });
  add(page, 
    section(t('app.checkout.address'), addressList, addNew, newBox),
    section(t('app.checkout.shipping'), shipping),
    section(t('app.checkout.coupon'), couponForm, couponNote),
    section(t('app.checkout.payment'), payment),
    section(t('app.checkout.summary'), summary),
  );
  if (choice.address_id) pickAddress(choice.address_id).catch(showError);

  let asked = 0;
  async function refresh() {
    const ready = choice.address_id && choice.provider_id;
    const label = choice.payment_method === 'card' && quote ? t('app.checkout.pay', { total: quote.total_display }) : t('app.checkout.place');
    mainButton(label, place, { enabled: Boolean(ready && quote) });
    if (!choice.provider_id) {
      fill(summary, h('p', { class: 'hint' }, t('app.checkout.pick_shipping')));
      return;
    }
    const mine = ++asked;
    try {
      // with the address and the payment method, the summary's version comes back: "Place
      // order" sends it, and the server places nothing on a summary that reads otherwise now
      const next = await post('quote', {
        provider_id: choice.provider_id,
        coupon: choice.coupon,
        address_id: choice.address_id,
        payment_method: choice.payment_method,
      });
      if (mine !== asked || !live()) return;
      quote = next;
      drawQuote();
    } catch (error) {
      if (mine === asked) showError(error);
    }
  }

  function drawQuote() {
    const row = (label, value, cls) => (value ? h('p', { class: `total-line ${cls || ''}` }, h('span', {}, label), h('span', {}, value)) : null);
    fill(summary, 
      h('ul', { class: 'quote-lines' }, (quote.lines || []).map((l) => h('li', {}, h('span', { class: 'name' }, `${l.quantity} × ${l.name}`), h('span', {}, l.line_total_display)))),
      row(t('app.checkout.subtotal'), quote.subtotal_display),
      row(t('app.checkout.shipping_cost'), quote.shipping_display),
      /[1-9]/.test(quote.discount || '') ? row(t('app.checkout.discount'), `−${quote.discount_display}`) : null,
      row(t('app.checkout.total'), quote.total_display, 'grand'),
    );
    if (choice.coupon) {
      couponNote.textContent = quote.coupon_error || t('app.coupon.applied', { code: choice.coupon });
      couponNote.className = quote.coupon_error ? 'field-error' : 'hint ok';
    } else couponNote.textContent = '';
    const ready = choice.address_id && choice.provider_id;
    const label = choice.payment_method === 'card' ? t('app.checkout.pay', { total: quote.total_display }) : t('app.checkout.place');
    mainButton(label, place, { enabled: Boolean(ready) });
  }

  let placing = false;
  async function place() {
    if (placing) return;
    if (!choice.address_id) return toast(t('app.checkout.need_address'), 'error');
    if (!choice.provider_id) return toast(t('app.checkout.pick_shipping'), 'error');
    placing = true;
    mainButtonBusy(true);
    try {
      const placed = await post('checkout', {
        checkout_key: checkoutKey(),
        address_id: choice.address_id,
        provider_id: choice.provider_id,
        coupon: quote && quote.coupon_error ? null : choice.coupon,
        payment_method: choice.payment_method,
        seen: quote ? quote.version : null,
      });
      sessionStorage.removeItem('checkout_key');
      setCartCount(0);
      haptic('success');
      const order = placed.order || placed;
      const orderId = order.id ?? order.order_id;
      if (placed.invoice_link && tg && tg.openInvoice) {
        sessionStorage.setItem(`placed-${orderId}`, JSON.stringify({ message: placed.message }));
        await new Promise((resolve) => {
          tg.openInvoice(placed.invoice_link, (status) => {
            resolve();
            invoiceClosed(status, orderId);
          });
        });
        return;
      }
      sessionStorage.setItem(`placed-${orderId}`, JSON.stringify({ reference: placed.bank_reference, instructions: placed.instructions, message: placed.message }));
      toast(t('app.checkout.placed', { id: orderId }));
      go(`#/orders/${orderId}`, { replace: true });
    } catch (error) {
      if (error.status === 409 && error.body && error.body.quote && live()) {
        asked += 1; // a summary still on its way is older than this one
        quote = error.body.quote; // nothing was ordered: the summary as it is now, to check
        drawQuote();
      }
      showError(error);
    } finally {
      placing = false;
      mainButtonBusy(false);
    }
  }
  refresh();
}

// --- my orders
function statusBadge(status, display) {
  return h('span', { class: `status s-${status}` }, display);
}

export async function orders({ page, live }) {
  const list = await get('orders');
  if (!live()) return;
  const items = list;
  add(page, h('h1', {}, t('app.orders.title')));
  if (!items.length) {
    add(page, empty(t('app.orders.none')), h('a', { class: 'btn', href: '#/' }, t('app.cart.browse')));
    return;
  }
  add(page, 
    h(
      'ul',
      { class: 'rows' },
      items.map((o) => {
        const id = o.id;
        return h(
          'li',
          {},
          h(
            'a',
            { class: 'row-link', href: `#/orders/${id}`, dataset: { orderId: id } },
            h('span', { class: 'row-main' }, h('strong', {}, t('app.orders.number', { id })), h('span', { class: 'hint' }, o.created_at_display)),
            h('span', { class: 'row-side' }, statusBadge(o.status, o.status_display), h('span', {}, o.total_display)),
          ),
        );
      }),
    ),
  );
}

function timeline(shipment, provider) {
  const steps = shipment.timeline || shipment.events || [];
  const items = shipment.items || [];
  return h(
    'div',
    { class: 'shipment', dataset: { shipmentId: shipment.id ?? shipment.shipment_id } },
    h('p', {}, h('strong', {}, shipment.store || provider || t('app.order.parcel')), ' ', statusBadge(`ship-${shipment.status}`, shipment.status_display || t(`app.shipment_status.${shipment.status}`))),
    shipment.store && provider ? h('p', { class: 'hint' }, provider) : null,
    items.length ? h('ul', { class: 'plain parcel-items' }, items.map((i) => h('li', {}, `${i.quantity} × ${i.name}`))) : null,
    shipment.tracking_number ? h('p', {}, t('app.order.tracking', { number: shipment.tracking_number })) : null,
    steps.length
      ? h('ol', { class: 'timeline' }, steps.map((step) => h('li', {}, h('span', {}, [step.status_display, step.location].filter(Boolean).join(' · ')), h('span', { class: 'hint' }, step.at_display || ''))))
      : h('p', { class: 'hint' }, t('app.order.no_tracking')),
  );
}

/** Whether `words` are already in `shown` ("paid, being prepared" says "paid"): said once. */
function said(shown, words) {
  if (!words) return true;
  const norm = (x) => String(x || '').toLocaleLowerCase().trim();
  return norm(shown).split(/[,·;]\s*/).includes(norm(words)) || norm(shown) === norm(words);
}

export async function order({ page, args, query, live }) {
  const o = await get(`orders/${args[0]}`);
  if (!live()) return;
  const id = o.id;
  const placed = JSON.parse(sessionStorage.getItem(`placed-${id}`) || 'null');
  sessionStorage.removeItem(`placed-${id}`);
  const reference = o.status === 'pending' ? o.bank_reference : null;
  const row = (label, value, cls) => (value ? h('p', { class: `total-line ${cls || ''}` }, h('span', {}, label), h('span', {}, value)) : null);
  add(page, 
    h('h1', {}, t('app.orders.number', { id })),
    h('p', { class: 'meta' }, statusBadge(o.status, o.status_display), said(o.status_display, o.payment_display) ? null : h('span', { class: 'hint' }, o.payment_display), h('span', { class: 'hint' }, o.created_at_display)),
    placed && placed.message ? h('p', { class: 'notice', role: 'status' }, placed.message) : null,
    placed && placed.instructions ? section(t('app.order.next'), h('p', { class: 'description' }, placed.instructions)) : null,
    reference && !(placed && placed.instructions) ? section(t('app.order.transfer'), h('p', {}, t('app.order.reference', { reference }))) : null,
    section(
      t('app.order.items'),
      h('ul', { class: 'quote-lines' }, (o.lines || []).map((l) => h('li', {}, h('span', { class: 'name' }, `${l.quantity} × ${l.name}`), h('span', {}, l.line_total_display)))),
      row(t('app.checkout.subtotal'), o.subtotal_display),
      row(t('app.checkout.shipping_cost'), o.shipping_display),
      row(t('app.checkout.discount'), /[1-9]/.test(o.discount || '') ? `−${o.discount_display}` : null),
      row(t('app.checkout.total'), o.total_display, 'grand'),
    ),
    o.address && o.address.city && !o.pickup_address ? section(t('app.order.address'), h('p', { class: 'description' }, [o.address.recipient, o.address.street, [o.address.postal_code, o.address.city].filter(Boolean).join(' '), o.address.state, o.address.country].filter(Boolean).join('\n'))) : null,
    o.pickup_address ? section(t('app.order.pickup'), h('p', { class: 'description' }, o.pickup_address)) : null,
    section(t('app.order.delivery'), (o.shipments || []).length ? o.shipments.map((s) => timeline(s, o.provider)) : h('p', { class: 'hint' }, t('app.order.no_tracking'))),
  );
  if (o.invoice_link && tg && tg.openInvoice) {
    // the button stays busy while the payment sheet is open: a second tap opens no second sheet
    const pay = () => new Promise((resolve) => {
      tg.openInvoice(o.invoice_link, (status) => {
        resolve();
        invoiceClosed(status, id);
      });
    });
    mainButton(t('app.checkout.pay', { total: o.total_display }), pay);
  }
  if (query.paid && o.status === 'pending') {
    // Telegram tells the bot about the payment on its own path: look again for a while
    add(page, h('p', { class: 'notice', role: 'status' }, t('app.payment.confirming')));
    for (let tries = 0; tries < 15 && live(); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = await get(`orders/${id}`);
      if (now.status !== 'pending' || now.payment_status !== o.payment_status) break;
    }
    if (live()) go(`#/orders/${id}`, { replace: true });
  }
}

/** What the invoice sheet's closing means: the order page, told how it went. */
function invoiceClosed(status, orderId) {
  if (status === 'paid') {
    haptic('success');
    toast(t('app.payment.paid'));
  } else {
    haptic('warning');
    toast(status === 'failed' ? t('app.payment.failed') : t('app.payment.cancelled'), 'error');
  }
  go(hashOf(`/orders/${orderId}`, { paid: status === 'paid' ? '1' : '' }), { replace: true });
}
