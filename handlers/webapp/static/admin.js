// The admin console: sellers waiting for approval, bank transfers waiting, stock alerts,
// coupons (list, create, disable/enable) and the audit-log search.

import { get, post } from './api.js';
import { go, hashOf } from './app.js';
import {
  add, busy, clearFieldErrors, empty, errorText, field, fieldError, fill, h, haptic, pager, section, t, toast, tg,
} from './ui.js';

function tabs(active) {
  const tab = (hash, key) => h('a', { class: `tab${active === hash ? ' on' : ''}`, href: hash, 'aria-current': active === hash ? 'page' : null }, t(key));
  return h('nav', { class: 'tabs', 'aria-label': t('app.admin.title') }, tab('#/admin', 'app.admin.console'), tab('#/admin/audit', 'app.admin.audit'));
}

const reload = () => go('#/admin', { replace: true });

function done(text) {
  haptic('success');
  toast(text);
  reload();
}

function sellerRow(s) {
  const id = s.seller_id ?? s.id;
  const reason = h('input', { type: 'text', autocomplete: 'off' });
  return h(
    'li',
    { class: 'card', dataset: { sellerId: id } },
    h('p', {}, h('strong', {}, s.store_name || s.name), ' ', h('span', { class: 'hint' }, t('app.admin.seller_user', { id: s.user_id }))),
    s.description ? h('p', { class: 'description' }, s.description) : null,
    field(`reject-${id}`, t('app.admin.reject_reason'), reason),
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'btn', type: 'button', onclick: (e) => busy(e.currentTarget, async () => { await post(`admin/sellers/${id}/approve`); done(t('app.admin.approved')); }) }, t('app.admin.approve')),
      h(
        'button',
        {
          class: 'btn danger',
          type: 'button',
          onclick: (e) => {
            if (!reason.value.trim()) {
              reason.focus();
              return toast(t('app.admin.reason_needed'), 'error');
            }
            return busy(e.currentTarget, async () => { await post(`admin/sellers/${id}/reject`, { reason: reason.value.trim() }); done(t('app.admin.rejected')); });
          },
        },
        t('app.admin.reject'),
      ),
    ),
  );
}

/** Asks first (Telegram's confirm popup, naming the order and the amount), then marks it paid. */
function ask(text) {
  if (tg && tg.showConfirm) return new Promise((resolve) => tg.showConfirm(text, (ok) => resolve(Boolean(ok))));
  return Promise.resolve(window.confirm(text));
}

async function confirmTransfer(w, button) {
  button.disabled = true;
  let ok = false;
  try {
    ok = await ask(t('app.admin.confirm_transfer_ask', { id: w.order_id, amount: w.amount_display }));
  } finally {
    button.disabled = false;
  }
  if (!ok) return;
  await busy(button, async () => {
    await post(`admin/transfers/${w.order_id}/confirm`);
    done(t('app.admin.transfer_confirmed'));
  });
}

function transferRow(w) {
  return h(
    'li',
    { class: 'card', dataset: { orderId: w.order_id } },
    h('p', { class: 'total-line' }, h('strong', {}, t('app.orders.number', { id: w.order_id })), h('strong', {}, w.amount_display)),
    h('p', {}, t('app.order.reference', { reference: w.reference })),
    h('p', { class: 'hint' }, [w.customer, w.placed_at_display, t('app.admin.waiting_hours', { hours: w.hours })].filter(Boolean).join(' · ')),
    h('button', { class: 'btn', type: 'button', onclick: (e) => confirmTransfer(w, e.currentTarget) }, t('app.admin.confirm_transfer')),
  );
}

function alertRow(a) {
  return h(
    'li',
    { class: 'total-line' },
    h('span', { class: 'name' }, `${a.name}${a.store_name ? ` · ${a.store_name}` : ''}`),
    h('span', { class: a.kind === 'stock_out' ? 'out' : 'hint' }, t(`app.admin.alert.${a.kind}`, { stock: a.stock, change: a.change ?? '' })),
  );
}

function couponRow(c) {
  const id = c.id ?? c.coupon_id;
  const active = c.status === 'active';
  return h(
    'li',
    { class: 'card coupon-row', dataset: { couponId: id } },
    h('p', { class: 'total-line' }, h('strong', {}, c.code), h('span', { class: `status s-${c.status}` }, t(`app.coupon_standing.${c.standing || c.status}`))),
    h('p', { class: 'hint' }, [c.type === 'free_shipping' ? t('app.coupon_type.free_shipping') : c.value_display, t('app.admin.coupon_uses', { uses: c.uses, max: c.max_uses ?? '∞' }), c.valid_until_display || c.end_date ? t('app.admin.coupon_until', { date: c.valid_until_display || c.end_date }) : null].filter(Boolean).join(' · ')),
    h(
      'button',
      { class: `btn ${active ? 'danger' : 'secondary'}`, type: 'button', onclick: (e) => busy(e.currentTarget, async () => { await post(`admin/coupons/${id}/${active ? 'disable' : 'enable'}`); done(active ? t('app.admin.coupon_disabled') : t('app.admin.coupon_enabled')); }) },
      active ? t('app.admin.disable') : t('app.admin.enable'),
    ),
  );
}

function couponForm() {
  const form = h('form', { class: 'coupon-form', novalidate: true });
  const kind = h('select', {}, ['percentage', 'fixed', 'free_shipping'].map((k) => h('option', { value: k }, t(`app.coupon_type.${k}`))));
  add(form, 
    field('code', t('app.admin.coupon_code'), h('input', { type: 'text', autocapitalize: 'characters', autocomplete: 'off', required: true })),
    field('type', t('app.admin.coupon_type'), kind),
    h(
      'div',
      { class: 'row2' },
      field('value', t('app.admin.coupon_value'), h('input', { type: 'text', inputmode: 'decimal' })),
      field('min_order', t('app.admin.coupon_min'), h('input', { type: 'text', inputmode: 'decimal' })),
    ),
    h(
      'div',
      { class: 'row2' },
      field('max_uses', t('app.admin.coupon_max_uses'), h('input', { type: 'text', inputmode: 'numeric' })),
      field('end_date', t('app.admin.coupon_end'), h('input', { type: 'date' })),
    ),
  );
  const save = h('button', { class: 'btn', type: 'submit' }, t('app.admin.coupon_create'));
  add(form, save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const value = (name) => form.elements[name].value.trim() || null;
    save.disabled = true;
    try {
      await post('admin/coupons', {
        code: value('code'),
        type: kind.value,
        value: value('value') || '0',
        min_order: value('min_order'),
        max_uses: value('max_uses') ? Number(value('max_uses')) : null,
        end_date: value('end_date'),
      });
      done(t('app.admin.coupon_created'));
    } catch (error) {
      fieldError(form, error);
    } finally {
      save.disabled = false;
    }
  });
  return h('details', { class: 'card' }, h('summary', { class: 'btn secondary' }, t('app.admin.coupon_new')), form);
}

export async function overview({ page, live }) {
  const [sellers, transfers, stock, coupons] = await Promise.all([
    get('admin/sellers/pending'),
    get('admin/transfers'),
    get('admin/stock'),
    get('admin/coupons'),
  ]);
  if (!live()) return;
  const list = (items, row, none) => (items.length ? h('ul', { class: 'plain stack' }, items.map(row)) : empty(none));
  const items = (x) => (Array.isArray(x) ? x : x.items || []);
  add(page, 
    tabs('#/admin'),
    section(t('app.admin.sellers'), list(items(sellers), sellerRow, t('app.admin.no_sellers'))),
    section(t('app.admin.transfers'), list(items(transfers), transferRow, t('app.admin.no_transfers'))),
    section(t('app.admin.stock'), list(items(stock), alertRow, t('app.admin.no_alerts'))),
    section(t('app.admin.coupons'), couponForm(), list(items(coupons), couponRow, t('app.admin.no_coupons'))),
  );
}

/** What an audited change did, field by field: before → after. */
function changes(e) {
  const old = e.old || {};
  const now = e.new || {};
  const shown = (value) => (value === null || value === undefined ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  if (Array.isArray(e.changes)) {
    // the server's list: each change in the words of the chat's /audit ("implied by the next step")
    return e.changes.map((c) => (c.display ? h('li', {}, c.display) : h('li', {}, h('span', { class: 'field-name' }, c.field_display || c.field), `: ${shown(c.before)} → ${shown(c.after)}`)));
  }
  return [...new Set([...Object.keys(old), ...Object.keys(now)])]
    .filter((key) => shown(old[key]) !== shown(now[key]))
    .map((key) => h('li', {}, h('code', {}, key), `: ${shown(old[key])} → ${shown(now[key])}`));
}

function entryRow(e) {
  const lines = changes(e);
  return h(
    'li',
    { class: 'card', dataset: { auditId: e.id } },
    h('p', { class: 'total-line' }, h('strong', { class: 'wrap' }, e.what_display ? `${e.what_display} · ${e.action_display}` : `${e.entity} #${e.entity_id} · ${e.action}`), h('span', { class: 'hint' }, e.at_display || '')),
    h('p', { class: 'hint' }, e.who_display ? t('app.admin.audit_by_who', { who: e.who_display }) : e.by ? t('app.admin.audit_by', { user: e.by }) : t('app.admin.audit_by_shop')),
    lines.length ? h('ul', { class: 'plain changes' }, lines) : null,
  );
}

export async function audit({ page, query, live }) {
  const form = h('form', { class: 'audit-form' });
  const input = (name, type = 'text') => field(name, t(`app.audit.${name}`), h('input', { type, value: query[name] || '', autocomplete: 'off' }));
  add(form, 
    h('div', { class: 'row2' }, input('entity'), input('entity_id')),
    input('user'),
    h('div', { class: 'row2' }, input('date_from', 'date'), input('date_to', 'date')),
    h('button', { class: 'btn', type: 'submit' }, t('app.audit.search')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = {};
    for (const name of ['entity', 'entity_id', 'user', 'date_from', 'date_to']) next[name] = form.elements[name].value.trim();
    go(hashOf('/admin/audit', next), { replace: true });
  });
  const problem = h('p', { class: 'field-error form-error', role: 'alert', hidden: true });
  add(form, problem);
  add(page, tabs('#/admin/audit'), form);
  const pageNo = Number(query.page) || 1;
  let data;
  try {
    data = await get('admin/audit', { ...query, page: pageNo });
  } catch (error) {
    if (!live() || (error && error.status === 401)) throw error;
    // a refused search (an unknown user, a bad date): said under the form, which stays to fix
    haptic('error');
    const name = error && error.field;
    const box = name ? form.querySelector(`.field[data-field="${CSS.escape(name)}"] .field-error`) : null;
    const line = box || problem;
    line.textContent = errorText(error);
    line.hidden = false;
    return;
  }
  if (!live()) return;
  const entries = data.items || [];
  add(page, 
    entries.length ? h('ul', { class: 'plain stack' }, entries.map(entryRow)) : empty(t('app.audit.none')),
    pager(pageNo, null, (n) => go(hashOf('/admin/audit', { ...query, page: n }), { replace: true }), Boolean(data.has_next)),
  );
}
