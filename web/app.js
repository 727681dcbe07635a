// app.js: the web interface of attt (design.md "Interfaces"): plain ES modules, no build step, no
// CDN, Vietnamese first. Pages are chosen by the location hash; every page is drawn with DOM calls
// (never innerHTML with data), so nothing the server returns can become markup. The gates of
// identity come first and in order: a temporary or expired password is changed (R6.1.a, R6.1.đ),
// the second factor is enrolled where the role needs it, the rules are acknowledged (R5.1); only then
// the rest. The server enforces all of them; the interface only leads the way.
import { api, apiUpload, apiText, ApiError, setCsrf, hasCsrf } from './api.js';
import {
  t, label, getLang, setLang, fmtTime, vnToRfc3339, INCIDENT_TYPES, SEVERITIES, ACTIONS, EVENT_KINDS, ROLES, OBS_KINDS,
  LINK_KINDS, LINK_KINDS_IN, AUDIT_CATEGORIES, OUTCOMES, AGENCY_TYPES,
} from './i18n.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let me = null; // GET /api/v1/me of the signed-in account, or null

// h('p', {class: 'x', onclick: f}, 'text', child...) -> element.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function field(labelText, input, hint) {
  const id = input.id || 'f-' + Math.random().toString(36).slice(2);
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), input, hint ? h('p', { class: 'hint' }, hint) : null);
}

// The message box of a form: errors (role=alert) and confirmations (role=status).
function messageBox() { return h('div', { class: 'msg', role: 'alert', 'aria-live': 'assertive' }); }
function showError(box, e) {
  box.replaceChildren();
  box.className = 'msg error';
  let text = e instanceof ApiError ? (e.status === 0 ? t('network_error') : e.message) : String(e);
  box.append(h('p', {}, text));
  const failed = e instanceof ApiError && Array.isArray(e.problem.failed) ? e.problem.failed : [];
  if (failed.length) box.append(ruleList(failed));
}
function showOk(box, text) {
  box.replaceChildren(h('p', {}, text));
  box.className = 'msg ok';
}
function ruleList(failed) {
  return h('ul', { class: 'rules-failed' }, failed.map((f) =>
    h('li', { 'data-rule': f.rule }, getLang() === 'en' ? f.en : f.vi, f.legal_basis ? ` (${f.legal_basis})` : '')));
}

// The server bounds text in bytes of UTF-8 (a Vietnamese letter takes two or three), not characters.
function utf8Length(text) { return new TextEncoder().encode(text).length; }

function setBusy(form, busy) {
  for (const el of form.querySelectorAll('button, input, select, textarea')) el.disabled = busy;
}

function page(title, ...children) {
  document.title = `${title} — attt`;
  main.replaceChildren(h('h1', {}, title), ...children);
  const first = main.querySelector('input, select, textarea');
  if (first) first.focus();
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function has(perm) { return !!me && Array.isArray(me.permissions) && me.permissions.includes(perm); }

// The pages each need one of some permissions (GET /api/v1/me "permissions"); the server refuses the
// data anyway, but a page typed into the address bar says plainly why it is empty.
const PAGE_PERMS = {
  // Auditors and administrators read the whole trail (audit.read); the authority, security officers
  // and agency heads read their agencies' (review.read); the server scopes what each one gets.
  audit: ['audit.read', 'review.read'],
  logreviews: ['audit.read', 'review.read'],
  reviews: ['review.read', 'review.decide'],
  agencies: ['people.read', 'people.write'],
};
function may(pageName) { return PAGE_PERMS[pageName].some(has); }
function refused(pageName, title) {
  page(title, h('p', { class: 'msg error', id: 'refused', role: 'alert' }, t('refused', { p: PAGE_PERMS[pageName].join(', ') })));
}

// The first gate the account has not passed, or null.
function gate() {
  if (!me) return '#/login';
  if (me.must_change_password) return '#/password';
  if (me.mfa_enrol_required) return '#/mfa';
  if (me.must_acknowledge) return '#/rules';
  return null;
}

async function loadMe() {
  if (!hasCsrf()) { me = null; return; }
  try {
    me = await api('GET', '/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { me = null; setCsrf(null); return; }
    throw e;
  }
}

function drawNav() {
  const langBtn = h('button', { type: 'button', class: 'link', id: 'lang', onclick: () => { setLang(getLang() === 'en' ? 'vi' : 'en'); drawNav(); route(); } }, t('lang_other'));
  const items = [];
  if (me && !gate()) {
    items.push(h('a', { href: '#/' }, t('home')));
    if (has('incident.report')) items.push(h('a', { href: '#/report' }, t('report')));
    if (has('incident.read') || has('incident.report')) items.push(h('a', { href: '#/incidents' }, t('incidents')));
    if (has('account.read')) items.push(h('a', { href: '#/accounts' }, t('accounts')));
    if (may('agencies')) items.push(h('a', { href: '#/agencies' }, t('agencies')));
    if (may('reviews')) items.push(h('a', { href: '#/reviews' }, t('reviews')));
    if (may('audit')) items.push(h('a', { href: '#/audit' }, t('audit')));
    if (may('logreviews')) items.push(h('a', { href: '#/logreviews' }, t('logreviews')));
    items.push(h('a', { href: '#/inbox', id: 'nav-inbox' }, t('inbox'), ' ', h('span', { class: 'badge', id: 'unread', hidden: true })));
    items.push(h('a', { href: '#/sessions' }, t('sessions')));
    items.push(h('a', { href: '#/password' }, t('pw_title')));
  }
  if (me) items.push(h('button', { type: 'button', class: 'link', id: 'logout', onclick: logout }, t('logout')));
  items.push(langBtn);
  nav.replaceChildren(h('span', { class: 'brand' }, 'attt · ', t('app_name')), h('span', { class: 'items' }, items));
}

// The unread count beside "Thông báo", refreshed at each page change.
async function refreshUnread() {
  const badge = document.getElementById('unread');
  if (!badge || !me || gate()) return;
  try {
    const r = await api('GET', '/me/inbox?unread=true&limit=1');
    badge.textContent = String(r.unread);
    badge.hidden = !r.unread;
  } catch (e) { badge.hidden = true; }
}

async function logout() {
  try { await api('POST', '/auth/logout'); } catch (e) { /* the session may be gone already */ }
  setCsrf(null);
  me = null;
  drawNav();
  go('#/login');
}

// ---- login ---------------------------------------------------------------------------------------
function viewLogin() {
  const box = messageBox();
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, maxlength: 64, autocapitalize: 'none' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024 });
  const totp = h('input', { name: 'totp', autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 32 });
  const totpField = field(t('totp'), totp);
  totpField.hidden = true;
  const form = h('form', { class: 'card narrow', novalidate: true }, field(t('username'), user), field(t('password'), pass), totpField, box,
    h('button', { type: 'submit', class: 'primary' }, t('login')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { username: user.value.trim(), password: pass.value };
    if (!totpField.hidden && totp.value.trim()) body.totp = totp.value.trim();
    setBusy(form, true);
    try {
      const r = await api('POST', '/auth/login', body);
      setCsrf(r.csrf_token);
      await loadMe();
      if (r.password_warn) sessionStorage.setItem('attt.pwdays', String(r.password_days_left));
      drawNav();
      go(gate() || '#/');
    } catch (e) {
      if (e instanceof ApiError && e.problem.mfa_required) {
        totpField.hidden = false;
        totp.focus();
      }
      showError(box, e);
    } finally {
      setBusy(form, false);
    }
  });
  page(t('login_title'), form);
}

// ---- password (R6.1.đ, R6.1.a) -------------------------------------------------------------------
function viewPassword() {
  const box = messageBox();
  const live = h('div', { class: 'live', id: 'pw-live', 'aria-live': 'polite' });
  const cur = h('input', { type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024 });
  const nw = h('input', { type: 'password', autocomplete: 'new-password', required: true, maxlength: 1024, id: 'pw-new' });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true, maxlength: 1024, id: 'pw-again' });
  let timer = null;
  let seq = 0;
  // The rule is the server's (the profile's, libpwquality, the names): ask it as the user types.
  nw.addEventListener('input', () => {
    clearTimeout(timer);
    const mine = ++seq;
    timer = setTimeout(async () => {
      if (!nw.value) { live.replaceChildren(); return; }
      try {
        const r = await api('POST', '/auth/password/check', { password: nw.value });
        if (mine !== seq) return;
        live.replaceChildren(r.ok ? h('p', { class: 'ok' }, t('pw_ok')) : ruleList(r.failed || []));
      } catch (e) {
        if (mine === seq) live.replaceChildren();
      }
    }, 250);
  });
  const form = h('form', { class: 'card narrow', novalidate: true },
    me && me.must_change_password ? h('p', { class: 'notice' }, t('pw_must')) : null,
    h('p', { class: 'hint' }, t('pw_rule')),
    field(t('pw_current'), cur), field(t('pw_new'), nw), live, field(t('pw_again'), again), box,
    h('button', { type: 'submit', class: 'primary' }, t('save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (nw.value !== again.value) { showError(box, t('pw_mismatch')); return; }
    setBusy(form, true);
    try {
      await api('POST', '/auth/password', { current: cur.value, new: nw.value });
      sessionStorage.removeItem('attt.pwdays');
      await loadMe();
      drawNav();
      if (!me) { go('#/login'); return; }
      const next = gate();
      if (next) { go(next); return; }
      form.reset();
      live.replaceChildren();
      showOk(box, t('pw_changed'));
    } catch (e) {
      showError(box, e);
    } finally {
      setBusy(form, false);
    }
  });
  page(t('pw_title'), form);
}

// ---- second factor -------------------------------------------------------------------------------
async function viewMfa() {
  const box = messageBox();
  let enrol;
  try {
    enrol = await api('POST', '/auth/mfa/enrol');
  } catch (e) {
    page(t('mfa_title'), box);
    showError(box, e);
    return;
  }
  const code = h('input', { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 8, required: true, id: 'mfa-code' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('p', {}, t('mfa_intro')),
    h('p', {}, t('mfa_secret'), ': ', h('code', { id: 'mfa-secret' }, enrol.secret)),
    h('p', { class: 'hint break' }, enrol.uri),
    field(t('mfa_code'), code), box, h('button', { type: 'submit', class: 'primary' }, t('mfa_confirm')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setBusy(form, true);
    try {
      const r = await api('POST', '/auth/mfa/verify', { code: code.value.trim() });
      const done = h('button', { type: 'button', class: 'primary', id: 'mfa-done', onclick: async () => { await loadMe(); drawNav(); go(gate() || '#/'); } }, t('mfa_saved'));
      page(t('mfa_title'), h('div', { class: 'card narrow' }, h('p', {}, t('mfa_codes')),
        h('ul', { class: 'codes', id: 'mfa-codes' }, (r.recovery_codes || []).map((c) => h('li', {}, h('code', {}, c)))), done));
    } catch (e) {
      showError(box, e);
      setBusy(form, false);
    }
  });
  page(t('mfa_title'), form);
}

// ---- rules (R5.1) --------------------------------------------------------------------------------
async function viewRules() {
  const box = messageBox();
  const rules = await api('GET', '/rules');
  const btn = h('button', { type: 'button', class: 'primary', id: 'ack' }, t('rules_ack'));
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      await api('POST', '/me/acknowledge');
      await loadMe();
      drawNav();
      go(gate() || '#/');
    } catch (e) {
      showError(box, e);
      btn.disabled = false;
    }
  });
  page(t('rules_title'), h('div', { class: 'card' }, h('p', { class: 'hint' }, t('rules_intro')),
    h('div', { class: 'rules-body' }, rules.body), h('p', { class: 'hint' }, `${rules.version ? 'v' + rules.version : ''} ${fmtTime(rules.published_at)}`), box, btn));
}

// ---- home ----------------------------------------------------------------------------------------
function viewHome() {
  const days = sessionStorage.getItem('attt.pwdays');
  const roles = (me.roles || []).map((r) => `${r.role} (${r.agency || '*'})`).join(', ');
  const links = [];
  if (has('incident.report')) links.push(h('a', { class: 'tile', href: '#/report' }, t('report')));
  if (has('incident.read') || has('incident.report')) links.push(h('a', { class: 'tile', href: '#/incidents' }, t('incidents')));
  if (may('agencies')) links.push(h('a', { class: 'tile', href: '#/agencies' }, t('agencies')));
  if (may('reviews')) links.push(h('a', { class: 'tile', href: '#/reviews' }, t('reviews')));
  if (may('audit')) links.push(h('a', { class: 'tile', href: '#/audit' }, t('audit')));
  if (may('logreviews')) links.push(h('a', { class: 'tile', href: '#/logreviews' }, t('logreviews')));
  links.push(h('a', { class: 'tile', href: '#/sessions' }, t('sessions')));
  page(t('hello', { name: me.full_name || me.username }),
    days ? h('p', { class: 'notice' }, t('pw_warn', { n: days })) : null,
    h('p', {}, t('your_roles'), ': ', roles || t('none')),
    h('div', { class: 'tiles' }, links));
}

// ---- report an incident (R8.8, R11.1) ------------------------------------------------------------
function guidanceBox(g) {
  return h('aside', { class: 'guidance', id: 'guidance' }, h('h2', {}, t('malware_title')),
    h('p', {}, g ? (getLang() === 'en' ? g.en : g.vi) : t('malware_steps')));
}

function select(options, value, attrs) {
  return h('select', attrs || {}, Object.keys(options).map((k) => h('option', { value: k, selected: k === value }, label(options, k))));
}

function viewReport() {
  const box = messageBox();
  const title = h('input', { name: 'title', required: true, maxlength: 200 });
  const desc = h('textarea', { name: 'description', required: true, rows: 5, maxlength: 8000 });
  const detected = h('input', { name: 'detected_at', placeholder: 'dd/mm/yyyy HH:MM', value: fmtTime(new Date().toISOString()), maxlength: 16, inputmode: 'numeric' });
  const system = h('input', { name: 'affected_system', maxlength: 500 });
  const type = select(INCIDENT_TYPES, 'other', { name: 'incident_type' });
  const sev = select(SEVERITIES, 'thap', { name: 'severity', id: 'severity' });
  const suggestion = h('p', { class: 'hint', id: 'suggestion', 'aria-live': 'polite' });
  const qs = ['group', 'main', 'several', 'defaced'].map((q) => {
    const cb = h('input', { type: 'checkbox', name: q });
    return { q, cb, el: h('label', { class: 'check' }, cb, ' ', t('q_' + q)) };
  });
  // R11.1: the questionnaire suggests a level; the reporter may still choose another.
  const suggest = async () => {
    const p = new URLSearchParams(qs.map(({ q, cb }) => [q, cb.checked ? 'true' : 'false']));
    try {
      const r = await api('GET', '/incidents/suggest?' + p);
      sev.value = r.severity;
      suggestion.textContent = t('q_suggests', { s: label(SEVERITIES, r.severity) });
    } catch (e) { suggestion.textContent = ''; }
  };
  for (const { cb } of qs) cb.addEventListener('change', suggest);
  const form = h('form', { class: 'card', novalidate: true },
    h('p', {}, t('report_intro')),
    field(t('f_title'), title), field(t('f_description'), desc), field(t('f_detected'), detected, 'dd/mm/yyyy HH:MM (Asia/Ho_Chi_Minh)'),
    field(t('f_system'), system), field(t('f_type'), type),
    h('fieldset', {}, h('legend', {}, t('q_title')), qs.map((x) => x.el), suggestion, field(t('f_severity'), sev)),
    box, h('button', { type: 'submit', class: 'primary' }, t('send')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { title: title.value.trim(), description: desc.value.trim(), incident_type: type.value, severity: sev.value };
    if (system.value.trim()) body.affected_system = system.value.trim();
    if (detected.value.trim()) {
      body.detected_at = vnToRfc3339(detected.value);
      if (!body.detected_at) { showError(box, t('bad_time')); detected.focus(); return; }
    }
    setBusy(form, true);
    try {
      const r = await api('POST', '/incidents', body);
      page(t('report'), h('div', { class: 'card' }, h('p', { class: 'ok', id: 'reported' }, t('reported', { id: r.id })), guidanceBox(r.guidance),
        has('incident.read') ? h('a', { href: `#/incidents/${r.id}` }, t('incidents') + ' #' + r.id) : null));
    } catch (e) {
      showError(box, e);
      setBusy(form, false);
    }
  });
  page(t('report'), guidanceBox(null), form);
}

// ---- incidents -----------------------------------------------------------------------------------
async function viewIncidents(params) {
  const open = params.get('open') === 'true';
  const overdue = params.get('overdue') === 'true';
  const box = messageBox();
  const body = h('tbody', {});
  const more = h('button', { type: 'button', id: 'incidents-more', hidden: true }, t('more'));
  let next = null;
  // Fifty a page; "Xem thêm" follows the list's cursor (the server's "next", null at the end).
  const load = async () => {
    const q = new URLSearchParams({ limit: '50' });
    if (open) q.set('open', 'true');
    if (overdue) q.set('overdue', 'true');
    if (next) q.set('after', String(next));
    const list = await api('GET', '/incidents?' + q);
    for (const i of list.items) body.append(h('tr', { 'data-id': i.id },
      h('td', {}, h('a', { href: `#/incidents/${i.id}` }, String(i.id))),
      h('td', {}, i.title), h('td', {}, h('span', { class: 'sev sev-' + i.severity }, label(SEVERITIES, i.severity))),
      h('td', {}, String(i.step)), h('td', {}, i.status), h('td', {}, fmtTime(i.reported_at)),
      h('td', {}, i.overdue ? h('span', { class: 'badge' }, t('overdue')) : '')));
    next = list.next;
    more.hidden = !next;
  };
  try {
    await load();
  } catch (e) {
    page(t('incidents'), box);
    showError(box, e);
    return;
  }
  more.addEventListener('click', async () => {
    setBusy(more.parentElement, true);
    try { await load(); } catch (e) { showError(box, e); }
    setBusy(more.parentElement, false);
    showRows();
  });
  const toggle = (name, on) => {
    const cb = h('input', { type: 'checkbox', checked: on });
    cb.addEventListener('change', () => {
      const p = new URLSearchParams(params);
      if (cb.checked) p.set(name, 'true'); else p.delete(name);
      go('#/incidents' + (p.toString() ? '?' + p : ''));
    });
    return h('label', { class: 'check' }, cb, ' ', t('only_' + name));
  };
  // The table is on the page from the start (a first page may be empty when the caller may read
  // none of the rows looked at, yet "next" goes on); "none" shows while it has no row.
  const tableEl = h('table', { class: 'list', id: 'incident-list' }, h('thead', {}, h('tr', {},
    [t('col_id'), t('f_title'), t('f_severity'), t('col_step'), t('col_status'), t('col_reported'), ''].map((c) => h('th', {}, c)))), body);
  const none = h('p', { id: 'incidents-none' }, t('none'));
  const showRows = () => { tableEl.hidden = !body.children.length; none.hidden = !!body.children.length; };
  showRows();
  page(t('incidents'), h('div', { class: 'filters' }, toggle('open', open), toggle('overdue', overdue)), tableEl, none, box, h('p', {}, more));
}

function dl(pairs) {
  return h('dl', { class: 'facts', id: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

async function viewIncident(id) {
  const box = messageBox();
  let inc;
  try {
    inc = await api('GET', `/incidents/${id}`);
  } catch (e) {
    page(t('incidents'), box);
    showError(box, e);
    return;
  }
  const parts = [
    dl([[t('f_description'), inc.description], [t('f_detected'), fmtTime(inc.detected_at)], [t('col_reported'), fmtTime(inc.reported_at)],
      [t('f_system'), inc.affected_system], [t('f_type'), label(INCIDENT_TYPES, inc.incident_type)],
      [t('f_severity'), label(SEVERITIES, inc.severity)], [t('col_step'), String(inc.step)], [t('col_status'), inc.status],
      [t('notice_due'), fmtTime(inc.notice_due_at)]]),
  ];
  if (has('incident.manage')) {
    const sev = select(SEVERITIES, inc.severity);
    const reason = h('input', { required: true, maxlength: 1000 });
    const cbox = messageBox();
    const cform = h('form', { class: 'card', id: 'classify', novalidate: true }, h('h2', {}, t('classify')), field(t('f_severity'), sev), field(t('reason'), reason), cbox,
      h('button', { type: 'submit' }, t('save')));
    cform.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try { await api('POST', `/incidents/${id}/classify`, { severity: sev.value, reason: reason.value.trim() }); route(); } catch (e) { showError(cbox, e); }
    });
    parts.push(cform);
  }
  if (has('incident.manage') || has('incident.approve')) {
    const act = select(ACTIONS, 'own');
    const text = h('textarea', { rows: 3, maxlength: 8000 });
    const abox = messageBox();
    const aform = h('form', { class: 'card', id: 'advance', novalidate: true }, h('h2', {}, t('advance')), field(t('action'), act), field(t('note'), text), abox,
      h('button', { type: 'submit' }, t('save')));
    aform.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try { await api('POST', `/incidents/${id}/advance`, { action: act.value, text: text.value.trim() }); route(); } catch (e) { showError(abox, e); }
    });
    parts.push(aform);
    parts.push(h('div', { class: 'card' }, h('h2', {}, t('documents')),
      h('ul', {}, ['03', '04', '05'].map((f) => h('li', {}, h('a', { href: `/api/v1/incidents/${id}/forms/${f}`, download: `mau-${f}-su-co-${id}.pdf` }, t('form_' + f)))))));
  }
  parts.push(await taskSection(inc));
  if (Array.isArray(inc.links)) parts.push(linkSection(inc));
  parts.push(observableSection(inc));
  parts.push(await attachmentSection(inc));
  if (Array.isArray(inc.documents)) parts.push(documentSection(inc));
  parts.push(h('div', { class: 'card' }, h('h2', {}, t('timeline')), h('ol', { class: 'timeline', id: 'timeline' },
    (inc.timeline || []).map((e) => h('li', { 'data-kind': e.kind }, h('time', {}, fmtTime(e.at)), ' ', label(EVENT_KINDS, e.kind),
      e.to ? ` → ${e.to}` : '', e.detail && !String(e.detail).startsWith('{') ? ` — ${e.detail}` : '')))));
  page(`#${inc.id} ${inc.title}`, h('p', {}, h('a', { href: '#/incidents' }, '← ' + t('back'))), ...parts);
}

function table(id, heads, rows) {
  return h('table', { class: 'list', id }, h('thead', {}, h('tr', {}, heads.map((c) => h('th', {}, c)))), h('tbody', {}, rows));
}

function fmtSize(n) {
  if (n >= 1048576) return (n / 1048576).toFixed(1) + ' MiB';
  if (n >= 1024) return (n / 1024).toFixed(1) + ' KiB';
  return n + ' B';
}

// A small form of one card: the fields, a message box, a submit button; run(box) does the work and
// throws what should be shown; the page is drawn again after it unless it returns false.
function miniForm(id, title, fields, submitText, run) {
  const box = messageBox();
  const form = h('form', { class: 'inline', id, novalidate: true }, title ? h('h3', {}, title) : null, fields, box,
    h('button', { type: 'submit' }, submitText));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setBusy(form, true);
    try {
      if ((await run(box)) !== false) { route(); return; }
    } catch (e) {
      showError(box, e);
    }
    setBusy(form, false);
  });
  return form;
}

// The reporter adds evidence to their own report (R8.6, R8.8); officers to any of their agency's.
function contributor(inc) {
  return has('incident.manage') || (!!me && me.id === inc.reporter_account_id && has('incident.report'));
}

// R11.2 step 4: tasks with an assignee and a due date; done by the officer or the assignee.
async function taskSection(inc) {
  const box = messageBox();
  const manage = has('incident.manage');
  const rows = (inc.tasks || []).map((tk) => {
    let done = null;
    if (tk.status === 'open' && (manage || (me && me.id === tk.assignee_account_id))) {
      done = h('button', { type: 'button', class: 'task-done' }, t('task_done'));
      done.addEventListener('click', async () => {
        done.disabled = true;
        try { await api('POST', `/incidents/${inc.id}/tasks/${tk.id}`, { status: 'done' }); route(); } catch (e) { showError(box, e); done.disabled = false; }
      });
    }
    return h('tr', { 'data-id': tk.id, 'data-status': tk.status },
      h('td', {}, tk.title), h('td', {}, t('side_' + tk.side)), h('td', {}, tk.assignee || t('nobody')),
      h('td', {}, tk.due || fmtTime(tk.due_at), tk.overdue ? [' ', h('span', { class: 'badge' }, t('overdue'))] : null),
      h('td', { class: 'status' }, t('task_status_' + tk.status)), h('td', {}, done));
  });
  const card = h('div', { class: 'card', id: 'tasks' }, h('h2', {}, t('tasks')), box,
    rows.length ? table('task-list', [t('task_title'), t('task_side'), t('assignee'), t('col_due'), t('col_status'), ''], rows) : h('p', {}, t('none')));
  if (!manage) return card;
  const title = h('input', { required: true, maxlength: 512, name: 'task-title' });
  const side = h('select', { name: 'task-side' }, ['agency', 'response'].map((k) => h('option', { value: k }, t('side_' + k))));
  let who = h('input', { inputmode: 'numeric', maxlength: 12, name: 'task-assignee' });
  if (has('account.read')) {
    // The assignee is picked by name among the accounts of the incident's agency.
    try {
      const acc = await api('GET', '/accounts?agency=' + inc.agency_id);
      who = h('select', { name: 'task-assignee' }, h('option', { value: '' }, t('nobody')),
        (acc.items || []).filter((a) => a.status !== 'disabled').map((a) => h('option', { value: String(a.id) }, `${a.full_name || a.username} (${a.username})`)));
    } catch (e) { /* keep the number field */ }
  }
  const due = h('input', { name: 'task-due', placeholder: 'dd/mm/yyyy', maxlength: 10, inputmode: 'numeric' });
  card.append(miniForm('task-add', t('add'), [field(t('task_title'), title), field(t('task_side'), side), field(t('assignee'), who), field(t('due'), due)], t('add'), async () => {
    const body = { title: title.value.trim(), side: side.value };
    if (who.value.trim()) body.assignee_account_id = Number(who.value.trim());
    if (due.value.trim()) {
      if (!/^\s*\d{1,2}\/\d{1,2}\/\d{4}\s*$/.test(due.value) || !vnToRfc3339(due.value)) { due.focus(); throw t('bad_date'); }
      body.due = due.value.trim();
    }
    await api('POST', `/incidents/${inc.id}/tasks`, body);
  }));
  return card;
}

// Links are shown from both ends: "out" as this incident reads it, "in" as the other one does.
function linkSection(inc) {
  const items = inc.links.map((l) => h('li', { 'data-kind': l.kind, 'data-direction': l.direction, 'data-to': l.incident_id },
    label(l.direction === 'in' ? LINK_KINDS_IN : LINK_KINDS, l.kind), ' ', h('a', { href: `#/incidents/${l.incident_id}` }, `#${l.incident_id} ${l.title}`), ` (${l.status})`));
  const card = h('div', { class: 'card', id: 'links' }, h('h2', {}, t('links')), items.length ? h('ul', { id: 'link-list' }, items) : h('p', {}, t('none')));
  if (has('incident.manage')) {
    const to = h('input', { name: 'link-to', inputmode: 'numeric', maxlength: 12, required: true });
    const kind = select(LINK_KINDS, 'related', { name: 'link-kind' });
    card.append(miniForm('link-add', t('add'), [field(t('link_to'), to), field(t('link_kind'), kind)], t('add'), async () => {
      const n = Number(to.value.trim());
      if (!Number.isInteger(n) || n <= 0 || n === inc.id) { to.focus(); throw t('link_bad_id'); }
      await api('POST', `/incidents/${inc.id}/links`, { to: n, kind: kind.value });
    }));
  }
  return card;
}

function observableSection(inc) {
  const items = (inc.observables || []).map((o) => h('li', { 'data-kind': o.kind }, label(OBS_KINDS, o.kind), ': ', h('code', {}, o.value)));
  const card = h('div', { class: 'card', id: 'observables' }, h('h2', {}, t('observables')),
    items.length ? h('ul', { id: 'observable-list' }, items) : h('p', {}, t('none')));
  if (contributor(inc)) {
    const kind = select(OBS_KINDS, 'ip', { name: 'obs-kind' });
    const value = h('input', { name: 'obs-value', required: true, maxlength: 2048 });
    card.append(miniForm('observable-add', t('add'), [field(t('obs_kind'), kind), field(t('obs_value'), value)], t('add'), async () => {
      await api('POST', `/incidents/${inc.id}/observables`, { kind: kind.value, value: value.value.trim() });
    }));
  }
  return card;
}

// R8.6: a file is scanned before it is stored; the answer says plainly whether it was clean or
// quarantined, and a quarantined file never has a download link.
const UPLOAD_MAX = 64 * 1048576; // the server's upload limit; its own attachment limit may be lower
async function attachmentSection(inc) {
  const card = h('div', { class: 'card', id: 'attachments' }, h('h2', {}, t('attachments')));
  if (has('incident.read')) {
    const box = messageBox();
    card.append(box);
    try {
      const r = await api('GET', `/incidents/${inc.id}/attachments`);
      const rows = (r.items || []).map((a) => h('tr', { 'data-id': a.id, 'data-state': a.state, class: a.state === 'quarantined' ? 'quarantined' : '' },
        h('td', {}, a.state === 'clean' ? h('a', { href: `/api/v1/incidents/${inc.id}/attachments/${a.id}`, download: a.name }, a.name) : a.name),
        h('td', {}, fmtSize(a.size)), h('td', { class: 'state' }, a.state === 'clean' ? t('state_clean') : t('state_quarantined', { s: a.signature || '?' })),
        h('td', {}, a.uploader || ''), h('td', {}, fmtTime(a.created_at)), h('td', { class: 'hash' }, h('code', {}, a.sha256))));
      card.append(rows.length ? table('attachment-list', [t('col_name'), t('col_size'), t('col_status'), t('col_by'), t('col_time'), 'SHA-256'], rows) : h('p', {}, t('none')));
    } catch (e) { showError(box, e); }
  }
  if (contributor(inc)) {
    const file = h('input', { type: 'file', name: 'attachment' });
    const result = h('div', { id: 'upload-result', 'aria-live': 'polite' });
    card.append(miniForm('attach', null, [field(t('attach_file'), file), result], t('attach_send'), async (box) => {
      result.replaceChildren();
      delete result.dataset.state;
      const f = file.files && file.files[0];
      if (!f) throw t('attach_none');
      if (f.size > UPLOAD_MAX) throw t('attach_too_big', { n: UPLOAD_MAX / 1048576 });
      try {
        const a = await apiUpload(`/incidents/${inc.id}/attachments?name=${encodeURIComponent(f.name)}`, f);
        result.dataset.state = a.state;
        result.className = 'msg ok';
        result.append(h('p', {}, t('attach_clean', { name: a.name })));
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 422 || !/infected$/.test(e.problem.type || '')) throw e;
        result.dataset.state = 'quarantined';
        result.className = 'msg error';
        result.append(h('p', {}, h('strong', {}, t('attach_quarantined'))), h('p', {}, e.message));
      }
      box.replaceChildren();
      if (!has('incident.read')) { file.value = ''; return false; }
      // The list above is drawn again with the new row; the result stays on screen.
      const keep = result.cloneNode(true);
      await route();
      const again = document.getElementById('upload-result');
      if (again) again.replaceWith(keep);
      return false;
    }));
  }
  return card;
}

function documentSection(inc) {
  const rows = inc.documents.map((d) => h('tr', { 'data-id': d.id, 'data-form': d.form },
    h('td', {}, h('a', { href: `/api/v1/incidents/${inc.id}/documents/${d.id}`, download: `mau-${d.form}-su-co-${inc.id}.pdf` }, t('form_' + d.form))),
    h('td', {}, fmtTime(d.created_at)), h('td', {}, d.created_by || ''), h('td', {}, fmtSize(d.size))));
  return h('div', { class: 'card', id: 'documents' }, h('h2', {}, t('stored_documents')),
    rows.length ? table('document-list', [t('col_name'), t('col_time'), t('col_by'), t('col_size')], rows) : h('p', {}, t('none')));
}

// ---- sessions (R6.1.c) ---------------------------------------------------------------------------
async function viewSessions() {
  const box = messageBox();
  const r = await api('GET', '/me/sessions');
  const rows = (r.items || []).map((s) => {
    const end = s.current ? h('span', { class: 'hint' }, t('current')) : h('button', { type: 'button', onclick: async () => {
      try { await api('DELETE', `/me/sessions/${encodeURIComponent(s.ref)}`); route(); } catch (e) { showError(box, e); }
    } }, t('end_session'));
    return h('tr', {}, h('td', {}, fmtTime(s.created_at)), h('td', {}, fmtTime(s.last_used_at)), h('td', {}, s.source || ''), h('td', { class: 'ua' }, s.user_agent || ''), h('td', {}, end));
  });
  page(t('sessions'), box, h('table', { class: 'list', id: 'sessions' }, h('thead', {}, h('tr', {}, [t('created'), t('last_seen'), 'IP', 'User-Agent', ''].map((c) => h('th', {}, c)))), h('tbody', {}, rows)));
}

// ---- accounts of the officer's agencies (R6.2.b unlock and re-issue, R5.3 disable) ----------------
async function viewAccounts(params) {
  const box = messageBox();
  const q = params.get('agency') ? '?agency=' + encodeURIComponent(params.get('agency')) : '';
  const r = await api('GET', '/accounts' + q);
  const canGrant = has('role.grant') && has('account.write');
  const agencies = canGrant ? await agencyList() : [];
  // Roles on agency subtrees: granted or revoked in place; the server decides which roles this
  // caller may give and where (an officer: staff, security_officer, agency_head in their subtree).
  const roleForm = (a) => {
    const role = h('select', { name: 'role' }, Object.keys(ROLES).map((k) => h('option', { value: k }, label(ROLES, k))));
    const agency = agencyPicker(agencies, a.agency || '', { name: 'agency' });
    const fbox = messageBox();
    const send = async (path) => {
      setBusy(form, true);
      try {
        await api('POST', `/accounts/${a.id}/${path}`, { role: role.value, agency: Number(agency.value) });
        await refill();
      } catch (e) {
        showError(fbox, e);
        setBusy(form, false);
      }
    };
    const grant = h('button', { type: 'button', class: 'grant' }, t('role_grant'));
    const revoke = h('button', { type: 'button', class: 'revoke' }, t('role_revoke'));
    grant.addEventListener('click', () => send('roles'));
    revoke.addEventListener('click', () => send('roles/revoke'));
    const form = h('form', { class: 'inline role-form', novalidate: true }, field(t('role'), role), field(t('audit_agency'), agency), fbox, grant, ' ', revoke);
    form.addEventListener('submit', (ev) => ev.preventDefault());
    return form;
  };
  const act = (a, verb, label) => {
    const b = h('button', { type: 'button', class: 'act-' + verb }, label);
    b.addEventListener('click', async () => {
      if (verb === 'disable' && !window.confirm(t('acc_disable_confirm', { u: a.username }))) return;
      b.disabled = true;
      try {
        const res = await api('POST', `/accounts/${a.id}/${verb}`);
        if (verb === 'reset') {
          // R6.1.a: a re-issued password is temporary; shown once, here, and never again.
          box.className = 'msg ok';
          box.replaceChildren(h('p', {}, t('acc_temp', { u: res.username }), h('code', { id: 'temp-password' }, res.password)));
        }
        await refill();
      } catch (e) {
        showError(box, e);
        b.disabled = false;
      }
    });
    return b;
  };
  const tbody = h('tbody', {});
  const fill = (items) => {
    tbody.replaceChildren(...items.map((a) => {
      const state = [t('acc_status_' + a.status)];
      if (a.locked) state.push(t('acc_locked_until', { t: fmtTime(a.locked_until) }));
      if (a.must_change_password) state.push(t('acc_must_change'));
      const acts = [];
      if (has('account.write') && a.status !== 'disabled') {
        acts.push(a.locked ? act(a, 'unlock', t('acc_unlock')) : act(a, 'lock', t('acc_lock')));
        acts.push(act(a, 'reset', t('acc_reset')));
        acts.push(act(a, 'disable', t('acc_disable')));
        if (canGrant) {
          const b = h('button', { type: 'button', class: 'roles' }, t('roles'));
          b.addEventListener('click', () => { b.replaceWith(roleForm(a)); });
          acts.push(b);
        }
      }
      return h('tr', { 'data-username': a.username, class: a.locked ? 'locked' : '' },
        h('td', {}, a.username), h('td', {}, a.full_name || ''), h('td', { class: 'state' }, state.join('; ')),
        h('td', { class: 'roles-held' }, (a.roles || []).map((g) => `${label(ROLES, g.role)} (${g.agency || '*'})`).join(', ')),
        h('td', {}, a.mfa ? t('yes') : t('no')), h('td', { class: 'acts' }, acts));
    }));
  };
  const refill = async () => fill((await api('GET', '/accounts' + q)).items || []);
  fill(r.items || []);
  page(t('accounts'), box, h('table', { class: 'list', id: 'accounts' }, h('thead', {}, h('tr', {},
    ['username', t('acc_name'), t('acc_state'), t('roles'), t('acc_mfa'), ''].map((c) => h('th', {}, c)))), tbody));
}

// ---- inbox: every notification also appears here (issue 5) ------------------------------------
async function viewInbox(params) {
  const unreadOnly = params.get('unread') === 'true';
  const box = messageBox();
  const list = h('ul', { class: 'inbox', id: 'inbox' });
  const more = h('button', { type: 'button', hidden: true }, t('more'));
  let next = null;
  const load = async () => {
    const q = new URLSearchParams({ limit: '50' });
    if (unreadOnly) q.set('unread', 'true');
    if (next) q.set('before', String(next));
    const r = await api('GET', '/me/inbox?' + q);
    for (const it of r.items) {
      const mark = it.read ? h('span', { class: 'hint' }, t('is_read')) : h('button', { type: 'button', class: 'mark' }, t('mark_read'));
      if (!it.read) mark.addEventListener('click', async () => {
        try {
          await api('POST', `/me/inbox/${it.id}/read`);
          li.classList.remove('unread');
          mark.replaceWith(h('span', { class: 'hint' }, t('is_read')));
          refreshUnread();
        } catch (e) { showError(box, e); }
      });
      const link = it.ref_type === 'incident' && it.ref_id ? h('a', { href: `#/incidents/${it.ref_id}` }, t('open_record')) : null;
      const li = h('li', { class: it.read ? '' : 'unread', 'data-id': it.id, 'data-kind': it.kind },
        h('p', { class: 'subject' }, it.subject), h('p', { class: 'hint' }, fmtTime(it.created_at)),
        h('div', { class: 'body' }, it.body), h('p', {}, link, ' ', mark));
      list.append(li);
    }
    next = r.next;
    more.hidden = !next;
    if (!list.children.length) list.append(h('li', {}, t('none')));
  };
  more.addEventListener('click', () => load().catch((e) => showError(box, e)));
  const cb = h('input', { type: 'checkbox', checked: unreadOnly });
  cb.addEventListener('change', () => go('#/inbox' + (cb.checked ? '?unread=true' : '')));
  await load();
  page(t('inbox'), h('div', { class: 'filters' }, h('label', { class: 'check' }, cb, ' ', t('unread_only'))), box, list, more);
}

// The agencies the caller may read, in tree order (R1.2), for the pickers of the pages below; []
// when the role cannot read them.
async function agencyList() {
  if (!has('people.read')) return [];
  try { return (await api('GET', '/agencies?limit=500')).items || []; } catch (e) { return []; }
}
function agencyName(a) { return '\u00a0\u00a0'.repeat(Math.max(0, (a.depth || 1) - 1)) + a.name; }
function agencyPicker(agencies, value, attrs, anyText) {
  if (!agencies.length) return h('input', { ...attrs, inputmode: 'numeric', maxlength: 12, value: value || '' });
  return h('select', attrs, anyText ? h('option', { value: '' }, anyText) : null,
    agencies.map((a) => h('option', { value: String(a.id), selected: String(a.id) === String(value) }, agencyName(a))));
}

// ---- the audit trail (R7.1, R7.2; audit.read) ----------------------------------------------------
const AUDIT_FILTERS = ['from', 'to', 'category', 'action', 'agency', 'outcome', 'object_type', 'object_id'];

// R7.2: a bulk event's object set ("{1001-1100,1203}", up to 4 KB) shows its start; the whole set
// is in the tooltip and in the CSV/JSON exports. An item of a set is at most 39 characters, so
// there is a comma before the 48th.
function objectCell(e) {
  const id = e.object_id || '';
  let shown = id;
  if (id.length > 48 && id[0] === '{' && id.lastIndexOf(',', 48) > 0) shown = id.slice(0, id.lastIndexOf(',', 48)) + ',…}';
  const td = h('td', { class: 'object' }, [e.object_type, shown].filter(Boolean).join(' '));
  if (shown !== id) td.title = id;
  return td;
}

async function viewAudit(params) {
  if (!may('audit')) { refused('audit', t('audit')); return; }
  const box = messageBox();
  const agencies = await agencyList();
  // The filters live in the address (#/audit?category=auth&...), so a page can be bookmarked and the
  // browser's Back returns to the previous page of events.
  const from = h('input', { name: 'from', placeholder: 'dd/mm/yyyy HH:MM', maxlength: 16, value: params.get('from') || '' });
  const to = h('input', { name: 'to', placeholder: 'dd/mm/yyyy HH:MM', maxlength: 16, value: params.get('to') || '' });
  const anyOf = (table, name) => h('select', { name }, h('option', { value: '' }, t('any')),
    Object.keys(table).map((k) => h('option', { value: k, selected: k === params.get(name) }, label(table, k))));
  const category = anyOf(AUDIT_CATEGORIES, 'category');
  const outcome = anyOf(OUTCOMES, 'outcome');
  const action = h('input', { name: 'action', maxlength: 64, value: params.get('action') || '' });
  const agency = agencyPicker(agencies, params.get('agency'), { name: 'agency' }, t('any'));
  // R7.2: one record's events, those of bulk operations (an import) that name it included.
  const objectType = h('input', { name: 'object_type', maxlength: 64, value: params.get('object_type') || '' });
  const objectId = h('input', { name: 'object_id', maxlength: 64, value: params.get('object_id') || '' });
  const form = h('form', { class: 'card filters-form', id: 'audit-filter', novalidate: true },
    h('div', { class: 'grid' }, field(t('audit_from'), from), field(t('audit_to'), to), field(t('audit_category'), category),
      field(t('audit_action'), action), field(t('audit_agency'), agency), field(t('audit_outcome'), outcome),
      field(t('audit_object_type'), objectType), field(t('audit_object_id'), objectId)),
    box, h('button', { type: 'submit', class: 'primary' }, t('filter')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const [k, el] of [['from', from], ['to', to], ['category', category], ['action', action], ['agency', agency], ['outcome', outcome],
      ['object_type', objectType], ['object_id', objectId]])
      if (el.value.trim()) p.set(k, el.value.trim());
    for (const [k, el] of [['from', from], ['to', to]])
      if (p.get(k) && !vnToRfc3339(p.get(k), k === 'to')) { showError(box, t('bad_time')); el.focus(); return; }
    go('#/audit' + (p.toString() ? '?' + p : ''));
  });

  // The API's query: times as RFC 3339 in Asia/Ho_Chi_Minh ("to" without a time: the end of that day).
  const q = new URLSearchParams();
  for (const k of AUDIT_FILTERS) {
    const v = params.get(k);
    if (!v) continue;
    if (k === 'from' || k === 'to') {
      const iso = vnToRfc3339(v, k === 'to');
      if (!iso) { page(t('audit'), form); showError(box, t('bad_time')); return; }
      q.set(k, iso);
    } else q.set(k, v);
  }
  const csv = new URLSearchParams(q);
  csv.set('format', 'csv');
  if (params.get('after')) q.set('after', params.get('after'));
  q.set('limit', '50');
  let r;
  try {
    r = await api('GET', '/audit/events?' + q);
  } catch (e) {
    page(t('audit'), form);
    showError(box, e);
    return;
  }
  const rows = (r.items || []).map((e) => h('tr', { 'data-seq': e.seq, 'data-category': e.category, 'data-action': e.action, 'data-outcome': e.outcome, class: e.outcome === 'success' ? '' : 'failed' },
    h('td', {}, String(e.seq)), h('td', {}, fmtTime(e.time)), h('td', {}, label(AUDIT_CATEGORIES, e.category)), h('td', {}, h('code', {}, e.action)),
    h('td', {}, label(OUTCOMES, e.outcome)), h('td', {}, e.actor_name || ''), h('td', {}, e.agency_id ? String(e.agency_id) : ''),
    objectCell(e), h('td', { class: 'summary' }, e.summary || '')));
  const pager = h('p', { class: 'pager' });
  if (params.get('after')) {
    const first = new URLSearchParams(params);
    first.delete('after');
    pager.append(h('a', { href: '#/audit' + (first.toString() ? '?' + first : ''), id: 'audit-first' }, '« ' + t('first_page')), ' ');
  }
  if (r.next_after !== null && r.next_after !== undefined) {
    const next = new URLSearchParams(params);
    next.set('after', String(r.next_after));
    pager.append(h('a', { href: '#/audit?' + next, id: 'audit-next' }, t('next_page') + ' »'));
  }
  page(t('audit'), form,
    h('p', {}, h('a', { href: '/api/v1/audit/events?' + csv, id: 'audit-csv', download: 'nhat-ky-kiem-toan.csv' }, t('csv'))),
    rows.length ? table('audit-list', ['#', t('col_time'), t('audit_category'), t('col_action'), t('audit_outcome'), t('col_actor'), t('audit_agency'), t('col_object'), t('col_summary')], rows)
      : h('p', { id: 'audit-empty' }, t('none')),
    pager, await checkpointCard());
}

// ---- log reviews (R7.3; audit.read or review.read) -----------------------------------------------
// A reviewer (an auditor, or a security officer for their agencies) marks a period of the trail as
// reviewed, with findings; the oldest unreviewed time shows as overdue past the profile's interval.
const REVIEWER_ROLES = ['auditor', 'security_officer'];

async function viewLogReviews(params) {
  if (!may('logreviews')) { refused('logreviews', t('logreviews')); return; }
  const box = messageBox();
  const agencies = await agencyList();
  const chosen = params.get('agency') || '';
  const pick = agencyPicker(agencies, chosen, { name: 'agency', id: 'logreview-agency' }, t('lr_default'));
  pick.addEventListener('change', () => go('#/logreviews' + (pick.value ? '?agency=' + encodeURIComponent(pick.value) : '')));
  const q = chosen ? '?agency=' + encodeURIComponent(chosen) : '';
  let due, list;
  try {
    [due, list] = await Promise.all([api('GET', '/audit/reviews/overdue' + q), api('GET', '/audit/reviews' + q)]);
  } catch (e) {
    page(t('logreviews'), h('div', { class: 'card' }, field(t('audit_agency'), pick), box));
    showError(box, e);
    return;
  }
  const status = h('div', { class: 'card', id: 'logreview-status', 'data-overdue': due.overdue ? '1' : '0' },
    h('h2', {}, t('lr_status')),
    h('p', { class: due.overdue ? 'msg error' : 'msg' }, due.since
      ? t(due.overdue ? 'lr_overdue' : 'lr_pending', { since: fmtTime(due.since), n: due.interval_days })
      : t('lr_uptodate')),
    h('p', { class: 'hint' }, t('lr_scope', { a: due.agency ? String(due.agency) : t('lr_whole') })));
  const rows = (list.items || []).map((r) => h('tr', { 'data-id': r.id, 'data-agency': r.agency },
    h('td', {}, String(r.id)), h('td', {}, r.agency ? String(r.agency) : t('lr_whole')), h('td', {}, fmtTime(r.from)),
    h('td', {}, fmtTime(r.to)), h('td', {}, r.reviewer || ''), h('td', {}, fmtTime(r.reviewed_at)),
    h('td', {}, String(r.tree_size)), h('td', { class: 'summary' }, r.findings || '')));
  let form = null;
  const loadedAt = Date.now();
  const serverAt = due.now ? Date.parse(due.now) : loadedAt;
  const reviewAgency = Number(chosen || due.agency || 0);
  if ((me.roles || []).some((g) => REVIEWER_ROLES.includes(g.role)) && Number.isInteger(reviewAgency)) {
    const from = h('input', { name: 'from', placeholder: 'dd/mm/yyyy HH:MM', maxlength: 16, value: due.since ? fmtTime(due.since) : '' });
    const to = h('input', { name: 'to', placeholder: 'dd/mm/yyyy HH:MM', maxlength: 16, value: fmtTime(new Date().toISOString()) });
    const findings = h('textarea', { name: 'findings', rows: 3, maxlength: 4000 });
    const fbox = messageBox();
    form = h('form', { class: 'card', id: 'logreview-add', novalidate: true }, h('h2', {}, t('lr_add')),
      h('p', { class: 'hint' }, t('lr_add_hint')),
      h('div', { class: 'grid' }, field(t('audit_from'), from), field(t('audit_to'), to)), field(t('lr_findings'), findings),
      fbox, h('button', { type: 'submit', class: 'primary' }, t('lr_record')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = vnToRfc3339(from.value, false);
      let u = vnToRfc3339(to.value, true);
      if (!f) { showError(fbox, t('bad_time')); from.focus(); return; }
      if (!u) { showError(fbox, t('bad_time')); to.focus(); return; }
      // A day typed without a time means up to its end, but never past now by the server's clock
      // (told with the overdue state; the browser's may run ahead); a time typed in the future goes
      // as it is, for the server to refuse.
      const serverNow = serverAt + (Date.now() - loadedAt) - 1000;
      if (!/\d:\d/.test(to.value) && Date.parse(u) > serverNow) u = new Date(Math.floor(serverNow / 1000) * 1000).toISOString();
      if (!findings.value.trim()) { showError(fbox, t('lr_findings_required')); findings.focus(); return; }
      setBusy(form, true);
      try {
        // The agency the page was drawn for (the picker redraws the page when it changes).
        await api('POST', '/audit/reviews', { agency: reviewAgency, from: f, to: u, findings: findings.value.trim() });
      } catch (e) { setBusy(form, false); showError(fbox, e); return; }
      sessionStorage.setItem('attt.flash', t('lr_recorded'));
      route();
    });
  }
  const flash = sessionStorage.getItem('attt.flash');
  sessionStorage.removeItem('attt.flash');
  page(t('logreviews'), h('p', { class: 'hint' }, t('lr_intro')),
    flash ? h('p', { class: 'msg ok', id: 'logreview-flash', role: 'status' }, flash) : null,
    h('div', { class: 'card' }, field(t('audit_agency'), pick), box), status, form,
    rows.length ? table('logreview-list', ['#', t('audit_agency'), t('lr_from'), t('lr_to'), t('lr_reviewer'), t('lr_at'), t('lr_size'), t('lr_findings')], rows)
      : h('p', { id: 'logreview-empty' }, t('none')));
}

// R7.1: the newest signed checkpoint (a C2SP signed note: origin, tree size, root hash, then the
// signatures), the time it was signed (kept beside the note, which has none: ?format=json), and the
// key that verifies it.
async function checkpointCard() {
  const card = h('div', { class: 'card', id: 'checkpoint' }, h('h2', {}, t('checkpoint')));
  try {
    const cp = await api('GET', '/audit/checkpoint?format=json');
    card.append(h('dl', { class: 'facts' },
      h('dt', {}, t('cp_size')), h('dd', { id: 'cp-size' }, String(cp.size)),
      h('dt', {}, t('cp_time')), h('dd', { id: 'cp-time', 'data-iso': cp.signed_at || '' }, cp.signed_at ? fmtTime(cp.signed_at) : '—'),
      h('dt', {}, t('cp_root')), h('dd', {}, h('code', { class: 'break' }, cp.root || ''))),
    h('pre', { class: 'note', id: 'cp-note' }, cp.note));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) card.append(h('p', { id: 'cp-none' }, t('cp_none')));
    else { const b = messageBox(); card.append(b); showError(b, e); }
  }
  try {
    const key = await apiText('/audit/key');
    card.append(h('p', {}, t('verifier_key'), ': '), h('pre', { class: 'note', id: 'verifier-key' }, key.trim()));
  } catch (e) { /* no key yet: nothing signed */ }
  return card;
}

// ---- account reviews (R6.1.e; review.read, review.decide) ----------------------------------------
async function viewReviews(params) {
  if (!may('reviews')) { refused('reviews', t('reviews')); return; }
  const box = messageBox();
  const agencies = await agencyList();
  const chosen = params.get('agency') || (me.agency ? String(me.agency) : '');
  const pick = agencyPicker(agencies, chosen, { name: 'agency', id: 'review-agency' });
  pick.addEventListener('change', () => go('#/reviews?agency=' + encodeURIComponent(pick.value)));
  let r = { campaigns: [], overdue_agencies: [] };
  try {
    r = await api('GET', '/reviews' + (chosen ? '?agency=' + encodeURIComponent(chosen) : ''));
  } catch (e) {
    page(t('reviews'), field(t('audit_agency'), pick), box);
    showError(box, e);
    return;
  }
  const start = has('review.decide') ? h('button', { type: 'button', class: 'primary', id: 'start-campaign' }, t('start_campaign')) : null;
  if (start) start.addEventListener('click', async () => {
    start.disabled = true;
    try {
      const c = await api('POST', '/reviews', { agency: Number(pick.value || me.agency) });
      go('#/reviews/' + c.id);
    } catch (e) { showError(box, e); start.disabled = false; }
  });
  const rows = (r.campaigns || []).map((c) => h('tr', { 'data-id': c.id },
    h('td', {}, h('a', { href: '#/reviews/' + c.id }, String(c.id))), h('td', {}, String(c.agency)), h('td', {}, fmtTime(c.started_at)),
    h('td', {}, fmtTime(c.due_at), c.overdue ? [' ', h('span', { class: 'badge' }, t('overdue'))] : null), h('td', {}, fmtTime(c.closed_at)),
    h('td', {}, `${c.pending} / ${c.item_count}`)));
  const overdue = (r.overdue_agencies || []).filter((a) => a.overdue).map((a) => h('li', { 'data-agency': a.agency },
    a.name, ' — ', a.last_started_at ? fmtTime(a.last_started_at) : t('never')));
  page(t('reviews'), h('p', { class: 'hint' }, t('reviews_intro')), h('div', { class: 'card' }, field(t('audit_agency'), pick), box, start),
    h('h2', {}, t('campaigns')),
    rows.length ? table('campaigns', ['#', t('audit_agency'), t('col_started'), t('col_due'), t('col_closed'), t('col_pending')], rows) : h('p', {}, t('none')),
    overdue.length ? [h('h2', {}, t('overdue_agencies')), h('ul', { id: 'overdue-agencies' }, overdue)] : null);
}

async function viewReview(id) {
  if (!may('reviews')) { refused('reviews', t('reviews')); return; }
  const box = messageBox();
  const c = await api('GET', '/reviews/' + id);
  const decide = has('review.decide') && !c.closed_at;
  const rows = (c.items || []).map((it) => {
    const acts = [];
    if (decide && it.decision === 'pending') {
      const note = h('input', { class: 'note', maxlength: 1000, placeholder: t('note'), 'aria-label': t('note') });
      const send = async (btn, body) => {
        btn.disabled = true;
        try {
          if (note.value.trim()) body.note = note.value.trim();
          await api('POST', `/reviews/items/${it.id}`, body);
          route();
        } catch (e) { showError(box, e); btn.disabled = false; }
      };
      const ok = h('button', { type: 'button', class: 'dec-confirm' }, t('dec_confirm'));
      ok.addEventListener('click', () => send(ok, { decision: 'confirm' }));
      const rv = h('button', { type: 'button', class: 'dec-revoke' }, t('dec_revoke'));
      rv.addEventListener('click', () => {
        const what = it.role ? label(ROLES, it.role) : t('item_account').toLowerCase();
        if (window.confirm(t('revoke_confirm', { what, u: it.username }))) send(rv, { decision: 'revoke' });
      });
      acts.push(ok, rv);
      // A change applies to a role grant only: the account itself has no role to change.
      if (it.role) {
        const role = h('select', { class: 'new-role', 'aria-label': t('new_role') },
          Object.keys(ROLES).filter((k) => k !== it.role).map((k) => h('option', { value: k }, label(ROLES, k))));
        const ch = h('button', { type: 'button', class: 'dec-change' }, t('dec_change'));
        ch.addEventListener('click', () => send(ch, { decision: 'change', role: role.value }));
        acts.push(h('span', { class: 'change' }, role, ch));
      }
      acts.push(note);
    }
    const decided = it.decision === 'pending' ? t('dec_pending')
      : [t('dec_' + it.decision), it.new_role ? ` → ${label(ROLES, it.new_role)}` : '', it.decided_at ? ` (${fmtTime(it.decided_at)})` : '', it.note ? ` — ${it.note}` : ''].join('');
    return h('tr', { 'data-id': it.id, 'data-username': it.username, 'data-role': it.role || '', 'data-decision': it.decision },
      h('td', {}, it.username), h('td', {}, it.role ? `${label(ROLES, it.role)} (${it.role_agency})` : t('item_whole')),
      h('td', { class: 'decision' }, decided), h('td', { class: 'acts' }, acts));
  });
  page(t('campaign', { id: c.id }), h('p', {}, h('a', { href: '#/reviews?agency=' + c.agency }, '← ' + t('back'))),
    dl([[t('audit_agency'), String(c.agency)], [t('col_started'), fmtTime(c.started_at)], [t('col_due'), fmtTime(c.due_at)],
      [t('col_closed'), fmtTime(c.closed_at)], [t('col_pending'), `${c.pending} / ${c.item_count}`]]),
    box, table('review-items', [t('item_account'), t('item_role'), t('decision'), ''], rows));
}

// ---- agencies and people (R1.2; people.read, people.write) ---------------------------------------
async function viewAgencies() {
  if (!may('agencies')) { refused('agencies', t('agencies')); return; }
  const r = await api('GET', '/agencies?limit=500');
  const items = r.items || [];
  // R1.2: the province's tree is platform configuration (config.write: administrators).
  const canEdit = has('config.write');
  const rows = items.map((a) => {
    const acts = [];
    if (canEdit && a.status === 'active') {
      const ren = h('button', { type: 'button', class: 'rename' }, t('ag_rename'));
      ren.addEventListener('click', () => {
        const name = h('input', { name: 'name', required: true, maxlength: 200, value: a.name });
        const f = miniForm(null, null, [field(t('col_name'), name)], t('save'), async () => {
          if (!name.value.trim() || name.value.trim() === a.name) return;
          await api('POST', `/agencies/${a.id}/rename`, { name: name.value.trim() });
        });
        f.classList.add('agency-rename');
        ren.replaceWith(f);
      });
      acts.push(ren);
      if (a.parent_id) {
        const mv = h('button', { type: 'button', class: 'move' }, t('ag_move'));
        mv.addEventListener('click', () => {
          const parent = agencyPicker(items.filter((x) => x.id !== a.id && x.status === 'active' && !(x.path || '').startsWith(a.path || '\0')),
            a.parent_id, { name: 'parent_id' });
          const f = miniForm(null, null, [field(t('ag_parent'), parent)], t('save'), async () => {
            if (Number(parent.value) === a.parent_id) return;
            await api('POST', `/agencies/${a.id}/move`, { parent_id: Number(parent.value) });
          });
          f.classList.add('agency-move');
          mv.replaceWith(f);
        });
        acts.push(mv);
      }
    }
    return h('tr', { 'data-id': a.id, 'data-name': a.name },
      h('td', { class: 'tree' }, h('span', { class: 'indent' }, '\u00a0\u00a0\u00a0\u00a0'.repeat(Math.max(0, (a.depth || 1) - 1))),
        h('a', { href: '#/agencies/' + a.id }, a.name)),
      h('td', {}, a.code || ''), h('td', {}, label(AGENCY_TYPES, a.type)), h('td', {}, a.status), h('td', { class: 'acts' }, acts));
  });
  const parts = [rows.length ? table('agency-list', [t('col_name'), t('code'), t('f_type'), t('col_status'), ''], rows) : h('p', {}, t('none')),
    r.total > items.length ? h('p', { class: 'hint' }, `${items.length} / ${r.total}`) : null];
  if (canEdit) {
    const name = h('input', { name: 'name', required: true, maxlength: 200 });
    const code = h('input', { name: 'code', maxlength: 64 });
    const type = h('select', { name: 'type' }, Object.keys(AGENCY_TYPES).map((k) => h('option', { value: k, selected: k === 'department' }, label(AGENCY_TYPES, k))));
    const parent = agencyPicker(items.filter((x) => x.status === 'active'), items.length ? items[0].id : '', { name: 'parent_id' });
    const form = miniForm('agency-add', t('ag_add'), [field(t('col_name'), name), field(t('code'), code), field(t('f_type'), type), field(t('ag_parent'), parent)],
      t('add'), async () => {
        if (!name.value.trim()) throw t('ag_name_required');
        const body = { name: name.value.trim(), type: type.value };
        if (code.value.trim()) body.code = code.value.trim();
        if (parent.value) body.parent_id = Number(parent.value);
        await api('POST', '/agencies', body);
      });
    form.classList.add('card');
    parts.push(form);
  }
  page(t('agency_tree'), ...parts);
}

async function viewPeople(agencyId, params) {
  if (!may('agencies')) { refused('agencies', t('agencies')); return; }
  const box = messageBox();
  const ag = await api('GET', '/agencies/' + agencyId);
  const qtext = params.get('q') || '';
  const q = new URLSearchParams({ agency: String(agencyId), limit: '200' });
  if (qtext) q.set('q', qtext);
  const r = await api('GET', '/people?' + q);
  const search = h('input', { type: 'search', name: 'q', value: qtext, maxlength: 200, id: 'people-q' });
  const sform = h('form', { class: 'filters', role: 'search', novalidate: true }, field(t('search'), search), h('button', { type: 'submit' }, t('filter')));
  sform.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(`#/agencies/${agencyId}` + (search.value.trim() ? '?q=' + encodeURIComponent(search.value.trim()) : ''));
  });
  const canAccount = has('account.write');
  const canEdit = has('people.write');
  const rows = (r.items || []).map((p) => {
    const acts = [];
    if (canEdit) {
      const b = h('button', { type: 'button', class: 'edit-person' }, t('edit'));
      b.addEventListener('click', () => { b.replaceWith(personForm(p)); });
      acts.push(b);
    }
    if (canAccount && p.status === 'active') {
      const b = h('button', { type: 'button', class: 'make-account' }, t('make_account'));
      b.addEventListener('click', () => { b.replaceWith(accountForm(p, box)); });
      acts.push(b);
    }
    if (canAccount) {
      const b = h('button', { type: 'button', class: 'offboard' }, t('offboard'));
      b.addEventListener('click', () => { b.replaceWith(offboardForm(p)); });
      acts.push(b);
    }
    return h('tr', { 'data-id': p.id, 'data-name': p.full_name },
      h('td', {}, p.full_name), h('td', {}, p.position || ''), h('td', {}, p.email || ''), h('td', {}, p.phone || ''),
      h('td', {}, t('pst_' + p.status)), h('td', { class: 'acts' }, acts));
  });
  const parts = [h('p', {}, h('a', { href: '#/agencies' }, '← ' + t('agency_tree')),
    has('account.read') ? [' · ', h('a', { href: '#/offboarding', id: 'offboarding-link' }, t('offboarding'))] : null), sform, box,
    rows.length ? table('people-list', [t('full_name'), t('position'), t('email'), t('phone'), t('col_status'), ''], rows) : h('p', { id: 'people-none' }, t('none'))];
  if (has('people.write')) {
    const name = h('input', { name: 'full_name', required: true, maxlength: 200 });
    const pos = h('input', { name: 'position', maxlength: 200 });
    const email = h('input', { name: 'email', type: 'email', maxlength: 254 });
    const phone = h('input', { name: 'phone', maxlength: 32 });
    const form = miniForm('person-add', t('add_person'), [field(t('full_name'), name), field(t('position'), pos), field(t('email'), email), field(t('phone'), phone)], t('add'), async () => {
      const body = { agency_id: Number(agencyId), full_name: name.value.trim() };
      for (const [k, el] of [['position', pos], ['email', email], ['phone', phone]]) if (el.value.trim()) body[k] = el.value.trim();
      const p = await api('POST', '/people', body);
      go(`#/agencies/${agencyId}?q=` + encodeURIComponent(p.full_name));
      return false;
    });
    form.classList.add('card');
    parts.push(form);
  }
  page(t('people', { a: ag.name }), ...parts);
}

// A person's record changed in place (people.write): name, position, contact, status. Only what
// changed is sent; an emptied position, email or phone is cleared (null).
const PERSON_STATUSES = ['active', 'on_leave', 'transferred', 'retired', 'left'];
function personForm(p) {
  const name = h('input', { name: 'full_name', required: true, maxlength: 200, value: p.full_name });
  const pos = h('input', { name: 'position', maxlength: 200, value: p.position || '' });
  const email = h('input', { name: 'email', type: 'email', maxlength: 254, value: p.email || '' });
  const phone = h('input', { name: 'phone', maxlength: 32, value: p.phone || '' });
  const status = h('select', { name: 'status' }, PERSON_STATUSES.map((k) => h('option', { value: k, selected: k === p.status }, t('pst_' + k))));
  const form = miniForm(null, null, [field(t('full_name'), name), field(t('position'), pos), field(t('email'), email), field(t('phone'), phone),
    field(t('col_status'), status)], t('save'), async () => {
    const body = {};
    if (name.value.trim() !== p.full_name) body.full_name = name.value.trim();
    for (const [k, el] of [['position', pos], ['email', email], ['phone', phone]])
      if (el.value.trim() !== (p[k] || '')) body[k] = el.value.trim() || null;
    if (status.value !== p.status) body.status = status.value;
    if (!Object.keys(body).length) return;
    await api('PATCH', '/people/' + p.id, body);
  });
  form.classList.add('person-edit');
  return form;
}

// R5.3: one action on a person (every account disabled, sessions ended, roles removed), then the
// case with its checklist.
function offboardForm(p) {
  const reason = h('input', { name: 'reason', required: true, maxlength: 256, placeholder: t('offboard_reason_hint') });
  const box = messageBox();
  const form = h('form', { class: 'inline offboard-form', novalidate: true }, field(t('offboard_reason'), reason),
    h('p', { class: 'hint' }, t('offboard_warn', { name: p.full_name })), box, h('button', { type: 'submit', class: 'danger' }, t('offboard')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!reason.value.trim()) { showError(box, t('offboard_reason_required')); reason.focus(); return; }
    if (utf8Length(reason.value.trim()) > 256) { showError(box, t('too_long', { n: 256 })); reason.focus(); return; }
    if (!window.confirm(t('offboard_confirm', { name: p.full_name }))) return;
    setBusy(form, true);
    try {
      const c = await api('POST', `/people/${p.id}/offboard`, { reason: reason.value.trim() });
      go('#/offboarding/' + c.id);
    } catch (e) {
      showError(box, e);
      setBusy(form, false);
    }
  });
  return form;
}

// R5.3: the open offboarding cases of the caller's agencies.
async function viewOffboardings(params) {
  if (!has('account.read')) { page(t('offboarding'), h('p', { class: 'msg error', id: 'refused', role: 'alert' }, t('refused', { p: 'account.read' }))); return; }
  const all = params.get('all') === 'true';
  const r = await api('GET', '/offboarding' + (all ? '' : '?open=true'));
  const cb = h('input', { type: 'checkbox', checked: all });
  cb.addEventListener('change', () => go('#/offboarding' + (cb.checked ? '?all=true' : '')));
  const rows = (r.items || []).map((c) => h('tr', { 'data-id': c.id },
    h('td', {}, h('a', { href: '#/offboarding/' + c.id }, String(c.id))), h('td', {}, c.person_name || ''), h('td', {}, String(c.agency)),
    h('td', {}, c.reason || ''), h('td', {}, fmtTime(c.opened_at)), h('td', {}, c.closed_at ? fmtTime(c.closed_at) : t('ob_pending', { n: c.pending }))));
  page(t('offboarding'), h('p', { class: 'hint' }, t('offboarding_intro')),
    h('div', { class: 'filters' }, h('label', { class: 'check' }, cb, ' ', t('ob_show_closed'))),
    rows.length ? table('offboarding-list', ['#', t('full_name'), t('audit_agency'), t('offboard_reason'), t('col_started'), t('col_status')], rows)
      : h('p', { id: 'offboarding-none' }, t('none')));
}

// R5.3: one case; each item ticked when recovered, with a note (account.write).
async function viewOffboarding(id) {
  const c = await api('GET', '/offboarding/' + id);
  const box = messageBox();
  const canTick = has('account.write') && !c.closed_at;
  const rows = (c.items || []).map((it) => {
    let act = null;
    if (!it.done_at && canTick) {
      const note = h('input', { name: 'note', maxlength: 1024, placeholder: t('ob_note_hint') });
      act = miniForm(null, null, [note], t('ob_tick'), async () => {
        if (utf8Length(note.value.trim()) > 1024) throw t('too_long', { n: 1024 });
        await api('POST', `/offboarding/items/${it.id}`, note.value.trim() ? { note: note.value.trim() } : {});
      });
      act.classList.add('tick');
    }
    return h('tr', { 'data-id': it.id, 'data-kind': it.kind, 'data-done': it.done_at ? '1' : '0' },
      h('td', {}, it.description), h('td', {}, it.done_at ? `${fmtTime(it.done_at)} · ${it.done_by_username || 'cli'}` : ''),
      h('td', { class: 'summary' }, it.note || ''), h('td', { class: 'acts' }, act));
  });
  page(t('ob_case', { id: c.id }), h('p', {}, h('a', { href: '#/offboarding' }, '← ' + t('offboarding'))), box,
    dl([[t('full_name'), c.person_name || String(c.person)], [t('offboard_reason'), c.reason], [t('audit_agency'), String(c.agency)], [t('col_started'), fmtTime(c.opened_at)],
      [t('col_status'), c.closed_at ? t('ob_closed', { at: fmtTime(c.closed_at) }) : t('ob_open')]]),
    table('checklist', [t('ob_item'), t('ob_done'), t('ob_note'), ''], rows));
}

// R6.2.a: an account for a person, with a role; the temporary password is shown once (R6.1.a).
function accountForm(p, pageBox) {
  const user = h('input', { name: 'username', required: true, maxlength: 64, autocapitalize: 'none', placeholder: 'ten.ho' });
  const role = h('select', { name: 'role' }, Object.keys(ROLES).map((k) => h('option', { value: k, selected: k === 'staff' }, label(ROLES, k))));
  const box = messageBox();
  const form = h('form', { class: 'inline account-add', novalidate: true }, field(t('username'), user), field(t('role'), role), box,
    h('button', { type: 'submit' }, t('make_account')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setBusy(form, true);
    try {
      const r = await api('POST', '/accounts', { username: user.value.trim(), person: p.id, role: role.value });
      pageBox.className = 'msg ok';
      pageBox.replaceChildren(h('p', {}, t('acc_created', { u: r.username }), h('code', { id: 'new-password' }, r.password)));
      form.replaceWith(h('span', { class: 'hint' }, r.username));
    } catch (e) {
      showError(box, e);
      setBusy(form, false);
    }
  });
  return form;
}

// ---- router --------------------------------------------------------------------------------------
async function route() {
  const [path, query] = (location.hash.slice(1) || '/').split('?');
  const params = new URLSearchParams(query || '');
  try {
    if (path === '/login') { if (me) { go(gate() || '#/'); return; } viewLogin(); return; }
    if (!me) { go('#/login'); return; }
    const g = gate();
    if (g && g !== '#' + path) { go(g); return; }
    if (path === '/password') viewPassword();
    else if (path === '/mfa') await viewMfa();
    else if (path === '/rules') await viewRules();
    else if (path === '/' || path === '') viewHome();
    else if (path === '/report') viewReport();
    else if (path === '/incidents') await viewIncidents(params);
    else if (/^\/incidents\/\d+$/.test(path)) await viewIncident(path.split('/')[2]);
    else if (path === '/sessions') await viewSessions();
    else if (path === '/inbox') await viewInbox(params);
    else if (path === '/accounts') await viewAccounts(params);
    else if (path === '/audit') await viewAudit(params);
    else if (path === '/logreviews') await viewLogReviews(params);
    else if (path === '/offboarding') await viewOffboardings(params);
    else if (/^\/offboarding\/\d+$/.test(path)) await viewOffboarding(path.split('/')[2]);
    else if (path === '/reviews') await viewReviews(params);
    else if (/^\/reviews\/\d+$/.test(path)) await viewReview(path.split('/')[2]);
    else if (path === '/agencies') await viewAgencies();
    else if (/^\/agencies\/\d+$/.test(path)) await viewPeople(path.split('/')[2], params);
    else page(t('not_found'));
    refreshUnread();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      me = null;
      setCsrf(null);
      drawNav();
      go('#/login');
      return;
    }
    const box = messageBox();
    page('attt', box);
    showError(box, e);
  } finally {
    // The address the page now on screen was drawn for: tests wait on it rather than on time.
    main.dataset.route = location.hash;
  }
}

window.addEventListener('hashchange', route);
(async () => {
  try { await loadMe(); } catch (e) { me = null; }
  drawNav();
  await route();
  document.body.dataset.ready = '1';
})();
