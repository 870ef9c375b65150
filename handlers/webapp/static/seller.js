// The seller console: the orders board with the steps the engine allows each card, products
// and their editor (fields, photos from the device, make first, remove, hide/show), the
// CSV/XLSX import with its dry-run report, and the sales chart drawn as inline SVG.

import { ApiError, del, get, patch, post, upload } from './api.js';
import { go, hashOf } from './app.js';
import {
  add, bare, busy, clearFieldErrors, empty, field, fieldError, fill, h, haptic, photo, section, t, toast,
} from './ui.js';

const QUEUES = ['confirm', 'ship', 'shipped', 'returns'];

function tabs(active) {
  const tab = (hash, key) => h('a', { class: `tab${active === hash ? ' on' : ''}`, href: hash, 'aria-current': active === hash ? 'page' : null }, t(key));
  return h(
    'nav',
    { class: 'tabs', 'aria-label': t('app.seller.title') },
    tab('#/seller', 'app.seller.board'),
    tab('#/seller/products', 'app.seller.products'),
    tab('#/seller/import', 'app.seller.import'),
    tab('#/seller/sales', 'app.seller.sales'),
  );
}

// --- the orders board
function lineText(line) {
  return `${line.quantity} × ${line.name}`;
}


function parcelCard(card, redraw) {
  // the engine's rule: a delivery ships with its number; a pickup point's parcel may go
  // without one (optional), or has none to give (unused: Ship needs nothing)
  const numberRule = card.tracking || 'required';
  const trackingInput = h('input', { type: 'text', autocomplete: 'off', placeholder: t(numberRule === 'required' ? 'app.seller.tracking_needed' : 'app.seller.tracking_placeholder') });
  const steps = card.steps || [];
  const needsTracking = steps.some((s) => s.step === 'ship') && numberRule !== 'unused';
  const mayReject = steps.some((s) => s.step === 'reject');
  const reasonInput = h('input', { type: 'text', autocomplete: 'off' });
  const reasonBox = field(`refuse-${card.shipment_id}`, t('app.seller.refuse_reason'), reasonInput);
  reasonBox.hidden = true;
  const buttons = [];
  // Ship of a delivery needs the tracking number (Confirm and Packed do not): off until one
  // is typed
  const shipReady = () => {
    for (const b of buttons) if (b.dataset.step === 'ship') b.disabled = numberRule === 'required' && !trackingInput.value.trim();
  };
  trackingInput.addEventListener('input', shipReady);
  const act = (step, button) =>
    busy(button, async () => {
      for (const b of buttons) b.disabled = true; // one step at a time on this parcel
      const body = { step };
      if (step === 'ship') body.tracking_number = trackingInput.value.trim() || null;
      if (step === 'reject') {
        body.reason = reasonInput.value.trim() || null;
        if (!body.reason) {
          reasonBox.hidden = false; // the first tap asks why; the customer will read it
          reasonInput.focus();
          toast(t('app.admin.reason_needed'), 'error');
          return;
        }
      }
      try {
        const done = await post(`seller/parcels/${card.shipment_id}/act`, body);
        haptic('success');
        toast(done.message || t('app.seller.done'));
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409) throw error;
        haptic('warning');
        toast(error.message || t('app.seller.already_moved'), 'error');
      }
      redraw();
    }).finally(() => {
      for (const b of buttons) b.disabled = false;
      shipReady();
    });
  const actions = steps.map((s) => {
    const name = s.step;
    const button = h('button', { class: `btn${name === 'reject' ? ' danger' : ''}`, type: 'button', dataset: { step: name } }, bare(s.label));
    button.addEventListener('click', () => act(name, button));
    buttons.push(button);
    return button;
  });
  shipReady();
  return h(
    'article',
    { class: 'card parcel', dataset: { shipmentId: card.shipment_id, orderId: card.order_id } },
    h(
      'header',
      { class: 'card-head' },
      h('strong', {}, t('app.orders.number', { id: card.order_id })),
      // the server words it (a pickup point's parcel is ready for collection, then collected)
      h('span', { class: 'status' }, card.milestone_display || t(`app.milestone.${card.milestones && card.milestones.length ? card.milestones[card.milestones.length - 1] : 'none'}`)),
    ),
    h('p', { class: 'hint' }, [card.customer, card.created_at_display, t(`app.payment.${card.payment_method}`)].filter(Boolean).join(' · ')),
    h('ul', { class: 'plain' }, (card.lines || []).map((line) => h('li', {}, lineText(line)))),
    card.amount_display ? h('p', {}, h('strong', {}, card.amount_display)) : null,
    card.provider_display ? h('p', { class: 'provider' }, t('app.seller.shipping_by', { provider: card.provider_display })) : null,
    card.address_display ? h('p', { class: 'description address' }, card.address_display) : null,
    card.tracking_number ? h('p', {}, t('app.order.tracking', { number: card.tracking_number })) : null,
    needsTracking ? field(`tracking-${card.shipment_id}`, t('app.seller.tracking'), trackingInput) : null,
    mayReject ? reasonBox : null,
    actions.length ? h('div', { class: 'actions' }, actions) : null,
  );
}

function returnCard(card, redraw) {
  const id = card.return_id;
  const reason = h('input', { type: 'text', autocomplete: 'off' });
  const decide = (accept, button) =>
    busy(button, async () => {
      try {
        await post(`seller/returns/${id}/decide`, { accept, reason: reason.value.trim() || null });
        haptic('success');
        toast(t('app.seller.done'));
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409) throw error;
        toast(error.message, 'error');
      }
      redraw();
    });
  const decisions = card.decisions || [];
  return h(
    'article',
    { class: 'card parcel', dataset: { returnId: id } },
    h('header', { class: 'card-head' }, h('strong', {}, t('app.seller.return_number', { id, order: card.order_id })), h('span', { class: 'status' }, t(`app.return_status.${card.status}`))),
    card.reason ? h('p', { class: 'description' }, card.reason) : null,
    h('ul', { class: 'plain' }, (card.lines || []).map((line) => h('li', {}, lineText(line)))),
    card.refund_amount_display ? h('p', {}, t('app.seller.refund', { amount: card.refund_amount_display })) : null,
    decisions.some((d) => !d.accept) ? field(`reason-${id}`, t('app.seller.reject_reason'), reason) : null,
    decisions.length
      ? h(
          'div',
          { class: 'actions' },
          decisions.map((d) => h('button', { class: `btn${d.accept ? '' : ' danger'}`, type: 'button', onclick: (e) => decide(d.accept, e.currentTarget) }, bare(d.label) || t(d.accept ? 'app.seller.accept_return' : 'app.seller.reject_return'))),
        )
      : null,
  );
}

export async function board({ page, query, live }) {
  const data = await get('seller/board');
  if (!live()) return;
  const counts = data.counts || {};
  const queues = data.queues || {};
  const first = QUEUES.find((q) => (queues[q] || []).length) || 'confirm';
  const queue = QUEUES.includes(query.queue) ? query.queue : first;
  const redraw = () => go(hashOf('/seller', { queue }), { replace: true });
  const cards = queues[queue] || [];
  add(page, 
    tabs('#/seller'),
    h(
      'nav',
      { class: 'queues', 'aria-label': t('app.seller.board') },
      QUEUES.map((q) =>
        h(
          'a',
          { class: `queue${q === queue ? ' on' : ''}`, href: hashOf('/seller', { queue: q }), dataset: { queue: q }, 'aria-current': q === queue ? 'page' : null },
          h('span', {}, t(`app.queue.${q}`)),
          h('span', { class: 'badge' }, counts[q] ?? 0),
        ),
      ),
    ),
    cards.length ? h('div', { class: 'cards' }, cards.map((c) => (queue === 'returns' ? returnCard(c, redraw) : parcelCard(c, redraw)))) : empty(t('app.seller.queue_empty')),
    (counts[queue] ?? 0) > cards.length ? h('p', { class: 'hint' }, t('app.seller.more_in_chat', { count: counts[queue] - cards.length })) : null,
  );
}

// --- products
export async function products({ page, live }) {
  const items = await get('seller/products');
  if (!live()) return;
  add(page, 
    tabs('#/seller/products'),
    h('div', { class: 'toolbar' }, h('a', { class: 'btn', href: '#/seller/products/new' }, t('app.seller.new_product'))),
  );
  if (!items.length) {
    add(page, empty(t('app.seller.no_products')));
    return;
  }
  add(page, 
    h(
      'ul',
      { class: 'rows' },
      items.map((p) =>
        h(
          'li',
          { dataset: { productId: p.id } },
          h(
            'a',
            { class: 'row-link product-row', href: `#/seller/products/${p.id}` },
            photo(p.photo_url, p.name, 'photo thumb'),
            h('span', { class: 'row-main' }, h('span', { class: 'name' }, p.name), h('span', { class: 'hint' }, t('app.seller.stock', { count: p.stock }))),
            h('span', { class: 'row-side' }, h('span', {}, p.price_display), p.status !== 'active' ? h('span', { class: 'status' }, p.status_display || p.status) : null),
          ),
        ),
      ),
    ),
  );
}

const PRODUCT_FIELDS = [
  ['name', 'text'],
  ['price', 'decimal'],
  ['discount_price', 'decimal'],
  ['stock', 'numeric'],
  ['sku', 'text'],
];

export async function editor({ page, args, live }) {
  const isNew = args[0] === 'new';
  const [item, cats] = await Promise.all([isNew ? Promise.resolve({}) : get(`seller/products/${args[0]}`), get('categories')]);
  if (!live()) return;
  const form = h('form', { class: 'editor', novalidate: true });
  for (const [name, mode] of PRODUCT_FIELDS) {
    if (name === 'stock' && !isNew) continue;
    const value = name === 'price' ? item.regular_price : item[name];
    add(form, field(name, t(`app.product_field.${name}`), h('input', { type: 'text', inputmode: mode === 'text' ? null : mode, value: value ?? '', autocomplete: 'off' })));
  }
  add(form, field('description', t('app.product_field.description'), h('textarea', { rows: 5 }, item.description || '')));
  const category = h(
    'select',
    {},
    h('option', { value: '' }, t('app.product_field.no_category')),
    cats.map((c) => h('option', { value: c.id, selected: c.id === item.category_id }, `${'\u00a0\u00a0\u00a0'.repeat(c.depth || 0)}${c.name}`)),
  );
  add(form, field('category_id', t('app.product_field.category'), category));
  const save = h('button', { class: 'btn', type: 'submit' }, isNew ? t('app.seller.create') : t('app.seller.save'));
  add(form, save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = {};
    for (const [name] of PRODUCT_FIELDS) if (form.elements[name]) body[name] = form.elements[name].value.trim() || null;
    body.description = form.elements.description.value.trim();
    body.category_id = category.value ? Number(category.value) : null;
    if (body.stock !== undefined && body.stock !== null) body.stock = Number(body.stock);
    save.disabled = true;
    try {
      const saved = isNew ? await post('seller/products', body) : await patch(`seller/products/${item.id}`, body);
      haptic('success');
      toast(t('app.seller.saved'));
      go(`#/seller/products/${saved.id ?? item.id}`, { replace: true });
    } catch (error) {
      fieldError(form, error);
    } finally {
      save.disabled = false;
    }
  });
  add(page, tabs('#/seller/products'), h('h1', {}, isNew ? t('app.seller.new_product') : item.name), form);
  if (isNew) return;

  // listed or hidden
  const listed = item.status !== 'inactive';
  const toggle = h('button', { class: 'btn secondary', type: 'button' }, listed ? t('app.seller.hide') : t('app.seller.show'));
  toggle.addEventListener('click', () =>
    busy(toggle, async () => {
      await post(`seller/products/${item.id}/listed`, { listed: !listed });
      toast(listed ? t('app.seller.now_hidden') : t('app.seller.now_listed'));
      go(`#/seller/products/${item.id}`, { replace: true });
    }),
  );

  // photos
  const images = item.images || [];
  const files = h('input', { type: 'file', multiple: true, accept: 'image/*', id: 'photo-files', class: 'visually-hidden' });
  files.addEventListener('change', () =>
    busy(files, async () => {
      if (!files.files.length) return;
      const form = new FormData();
      for (const file of files.files) form.append('photo', file, file.name);
      await upload(`seller/products/${item.id}/photos`, form);
      haptic('success');
      toast(t('app.seller.photos_added', { count: files.files.length }));
      go(`#/seller/products/${item.id}`, { replace: true });
    }),
  );
  const photoAction = (path, method, button) =>
    busy(button, async () => {
      if (method === 'DELETE') await del(path);
      else await post(path);
      go(`#/seller/products/${item.id}`, { replace: true });
    });
  // stock: a change with its reason, through the inventory ledger (the chat's "± Adjust stock")
  const change = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: '+5' });
  const why = h('input', { type: 'text', autocomplete: 'off' });
  const updateStock = h('button', { class: 'btn secondary', type: 'submit' }, t('app.stock.update'));
  const stockForm = h(
    'form',
    { class: 'stock-form', novalidate: true },
    h('p', { class: 'stock-now' }, t('app.stock.now', { count: item.stock })),
    h('div', { class: 'row2' }, field('change', t('app.stock.change'), change, 'delta'), field('reason', t('app.stock.reason'), why)),
    updateStock,
  );
  stockForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(stockForm);
    updateStock.disabled = true;
    try {
      const saved = await post(`seller/products/${item.id}/stock`, { change: change.value.trim().replace(/^\+/, ''), reason: why.value.trim() });
      haptic('success');
      toast(t('app.stock.updated', { count: saved.stock }));
      go(`#/seller/products/${item.id}`, { replace: true });
    } catch (error) {
      fieldError(stockForm, error);
    } finally {
      updateStock.disabled = false;
    }
  });
  add(page, 
    section(t('app.stock.title'), stockForm),
    section(
      t('app.seller.photos'),
      images.length
        ? h(
            'ul',
            { class: 'photo-grid' },
            images.map((image, i) =>
              h(
                'li',
                { dataset: { imageId: image.id } },
                photo(image.url, `${item.name} ${i + 1}`),
                h(
                  'div',
                  { class: 'actions tight' },
                  i > 0 ? h('button', { class: 'btn secondary small', type: 'button', onclick: (e) => photoAction(`seller/products/${item.id}/photos/${image.id}/first`, 'POST', e.currentTarget) }, t('app.seller.make_first')) : h('span', { class: 'hint' }, t('app.seller.first_photo')),
                  h('button', { class: 'btn danger small', type: 'button', 'aria-label': t('app.seller.remove_photo'), onclick: (e) => photoAction(`seller/products/${item.id}/photos/${image.id}`, 'DELETE', e.currentTarget) }, '✕'),
                ),
              ),
            ),
          )
        : empty(t('app.seller.no_photos')),
      h('label', { class: 'btn secondary', for: 'photo-files' }, t('app.seller.add_photos')),
      files,
    ),
    section(t('app.seller.visibility'), h('p', { class: 'hint' }, listed ? t('app.seller.is_listed') : t('app.seller.is_hidden')), toggle),
  );
}

// --- import
/** The rows that update a product: `updated_lines` (`updated` is their count), or the older
 * list under `updated`. */
function updatedLines(result) {
  if (Array.isArray(result.updated_lines)) return result.updated_lines;
  return Array.isArray(result.updated) ? result.updated : [];
}

function report(result) {
  const rows = [
    ...(result.created || []).map((r) => ({ line: r.line, name: r.sku, text: t('app.import.created'), ok: true })),
    ...updatedLines(result).map((r) => ({ line: r.line, name: r.sku, text: t('app.import.updated'), ok: true })),
    ...(result.refused || []).map((r) => ({ line: r.line, name: r.field || '', text: r.message, ok: false })),
  ].sort((a, b) => a.line - b.line);
  const count = (value, list) => (typeof value === 'number' ? value : (list || []).length);
  const counts = {
    rows: result.rows,
    created: count(result.new, result.created),
    updated: count(typeof result.updated === 'number' ? result.updated : undefined, updatedLines(result)),
    refused: count(result.refused_rows, result.refused),
  };
  return h(
    'div',
    { class: 'report' },
    h('p', { role: 'status', class: 'import-summary' }, t(result.committed ? 'app.import.summary_done' : 'app.import.summary', counts)),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, t('app.import.row')), h('th', {}, t('app.import.name')), h('th', {}, t('app.import.result')))),
        h('tbody', {}, rows.map((r) => h('tr', { class: r.ok ? 'good' : 'bad' }, h('td', {}, r.line), h('td', {}, r.name), h('td', {}, r.text)))),
      ),
    ),
  );
}

/** A two-product CSV made here (a Blob URL), with every column the import reads. */
function sampleCsv() {
  const rows = [
    ['name', 'description', 'price', 'discount_price', 'stock', 'sku', 'category', 'images'],
    ['USB-C Cable', 'Braided, 1 m.', '9.50', '', '40', 'CABLE-001', 'Electronics > Phone Accessories > Chargers', 'https://example.com/cable.jpg'],
    ['Car Charger', 'Two USB-C ports.', '19.00', '15.90', '25', 'CHARGER-002', 'Electronics > Phone Accessories > Chargers', ''],
  ];
  const quote = (cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  const text = `${rows.map((row) => row.map(quote).join(',')).join('\r\n')}\r\n`;
  return URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
}

export async function importer({ page }) {
  const file = h('input', { type: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const check = h('button', { class: 'btn', type: 'submit' }, t('app.import.check'));
  const run = h('button', { class: 'btn', type: 'button', hidden: true }, t('app.import.run'));
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'import' }, field('file', t('app.import.file'), file), h('p', { class: 'hint' }, t('app.import.help')), check);
  // which columns a file may have (the chat's import help), and a small sample to start from
  const sample = h('a', { class: 'btn secondary sample-csv', download: 'sample-products.csv', href: sampleCsv() }, t('app.import.sample'));
  const help = section(t('app.import.columns_title'), h('p', { class: 'description import-columns' }, t('app.import.columns')), sample);
  const send = async (dryRun) => {
    const data = new FormData();
    data.append('file', file.files[0], file.files[0].name);
    return upload('seller/import', data, { dry_run: dryRun ? 1 : 0 });
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!file.files.length) return toast(t('app.import.pick_file'), 'error');
    return busy(check, async () => {
      const result = await send(true);
      fill(out, h('h2', {}, t('app.import.preview')), report(result));
      run.hidden = !result.ok;
    });
  });
  file.addEventListener('change', () => {
    run.hidden = true;
    fill(out);
  });
  run.addEventListener('click', () =>
    busy(run, async () => {
      const result = await send(false);
      haptic('success');
      run.hidden = true;
      fill(out, h('h2', {}, t('app.import.done')), report(result));
    }),
  );
  add(page, tabs('#/seller/import'), h('h1', {}, t('app.seller.import')), form, out, run, help);
}

// --- sales
/** Bars of each day's revenue. The numbers only size the bars; the words shown are the server's. */
function chart(days) {
  const width = 320;
  const height = 140;
  const values = days.map((d) => Number(d.revenue));
  const top = Math.max(...values, 0) || 1;
  const step = width / Math.max(1, days.length);
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height + 16}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('app.sales.chart'));
  days.forEach((d, i) => {
    const bar = document.createElementNS(svg.namespaceURI, 'rect');
    const barHeight = Math.max(values[i] > 0 ? 2 : 0, (values[i] / top) * height);
    bar.setAttribute('x', String(i * step + step * 0.15));
    bar.setAttribute('width', String(Math.max(1, step * 0.7)));
    bar.setAttribute('y', String(height - barHeight));
    bar.setAttribute('height', String(barHeight));
    bar.setAttribute('rx', '2');
    const title = document.createElementNS(svg.namespaceURI, 'title');
    title.textContent = `${d.day_display || d.day}: ${d.revenue_display}`;
    bar.append(title);
    svg.append(bar);
  });
  const axis = document.createElementNS(svg.namespaceURI, 'line');
  axis.setAttribute('x1', '0');
  axis.setAttribute('x2', String(width));
  axis.setAttribute('y1', String(height + 0.5));
  axis.setAttribute('y2', String(height + 0.5));
  axis.setAttribute('class', 'axis');
  svg.append(axis);
  for (const [i, anchor] of [[0, 'start'], [days.length - 1, 'end']]) {
    if (!days[i]) continue;
    const label = document.createElementNS(svg.namespaceURI, 'text');
    label.setAttribute('x', anchor === 'start' ? '0' : String(width));
    label.setAttribute('y', String(height + 13));
    label.setAttribute('text-anchor', anchor);
    label.textContent = days[i].day_display || days[i].day;
    svg.append(label);
  }
  return svg;
}

export async function sales({ page, query, live }) {
  const days = ['7', '30', '90'].includes(query.days) ? query.days : '30';
  const data = await get('seller/sales', { days });
  if (!live()) return;
  const picker = h('select', { 'aria-label': t('app.sales.period') }, ['7', '30', '90'].map((d) => h('option', { value: d, selected: d === days }, t('app.sales.days', { days: d }))));
  picker.addEventListener('change', () => go(hashOf('/seller/sales', { days: picker.value }), { replace: true }));
  const byDay = data.by_day || [];
  const top = data.top_products || [];
  add(page, 
    tabs('#/seller/sales'),
    h('div', { class: 'toolbar' }, h('h1', {}, t('app.seller.sales')), picker),
    h(
      'div',
      { class: 'stats' },
      h('div', { class: 'stat' }, h('span', { class: 'hint' }, t('app.sales.revenue')), h('strong', {}, data.revenue_display || '')),
      h('div', { class: 'stat' }, h('span', { class: 'hint' }, t('app.sales.orders')), h('strong', {}, data.orders ?? '')),
      h('div', { class: 'stat' }, h('span', { class: 'hint' }, t('app.sales.units_sold')), h('strong', {}, data.units ?? '')),
      h('div', { class: 'stat' }, h('span', { class: 'hint' }, t('app.sales.refunds')), h('strong', {}, data.refunds_display || '')),
    ),
    byDay.length ? section(t('app.sales.chart'), chart(byDay)) : empty(t('app.sales.none')),
    top.length
      ? section(
          t('app.sales.top'),
          h('ol', { class: 'rows' }, top.map((p) => h('li', { class: 'total-line' }, h('span', { class: 'name' }, `${p.name} · ${t('app.sales.units', { count: p.units })}`), h('span', {}, p.revenue_display)))),
        )
      : null,
  );
}


