// app.js: the web interface of attt (design.md "Interfaces"): plain ES modules, no build step, no
// CDN, Vietnamese first. Pages are chosen by the location hash; every page is drawn with DOM calls
// (never innerHTML with data), so nothing the server returns can become markup. The gates of
// identity come first and in order: a temporary or expired password is changed (R6.1.a, R6.1.đ),
// the second factor is enrolled where the role needs it, the rules are acknowledged (R5.1); only then
// the rest. The server enforces all of them; the interface only leads the way.
import { api, ApiError, setCsrf, hasCsrf } from './api.js';
import { t, label, getLang, setLang, fmtTime, vnToRfc3339, INCIDENT_TYPES, SEVERITIES, ACTIONS, EVENT_KINDS } from './i18n.js';

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
  const q = new URLSearchParams({ limit: '200' });
  if (open) q.set('open', 'true');
  if (overdue) q.set('overdue', 'true');
  const box = messageBox();
  let list = { items: [] };
  try {
    list = await api('GET', '/incidents?' + q);
  } catch (e) {
    page(t('incidents'), box);
    showError(box, e);
    return;
  }
  const toggle = (name, on) => {
    const cb = h('input', { type: 'checkbox', checked: on });
    cb.addEventListener('change', () => {
      const p = new URLSearchParams(params);
      if (cb.checked) p.set(name, 'true'); else p.delete(name);
      go('#/incidents' + (p.toString() ? '?' + p : ''));
    });
    return h('label', { class: 'check' }, cb, ' ', t('only_' + name));
  };
  const rows = list.items.map((i) => h('tr', { 'data-id': i.id },
    h('td', {}, h('a', { href: `#/incidents/${i.id}` }, String(i.id))),
    h('td', {}, i.title), h('td', {}, h('span', { class: 'sev sev-' + i.severity }, label(SEVERITIES, i.severity))),
    h('td', {}, String(i.step)), h('td', {}, i.status), h('td', {}, fmtTime(i.reported_at)),
    h('td', {}, i.overdue ? h('span', { class: 'badge' }, t('overdue')) : '')));
  page(t('incidents'), h('div', { class: 'filters' }, toggle('open', open), toggle('overdue', overdue)),
    rows.length ? h('table', { class: 'list', id: 'incident-list' }, h('thead', {}, h('tr', {},
      [t('col_id'), t('f_title'), t('f_severity'), t('col_step'), t('col_status'), t('col_reported'), ''].map((c) => h('th', {}, c)))),
    h('tbody', {}, rows)) : h('p', {}, t('none')));
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
  parts.push(h('div', { class: 'card' }, h('h2', {}, t('timeline')), h('ol', { class: 'timeline', id: 'timeline' },
    (inc.timeline || []).map((e) => h('li', { 'data-kind': e.kind }, h('time', {}, fmtTime(e.at)), ' ', label(EVENT_KINDS, e.kind),
      e.to ? ` → ${e.to}` : '', e.detail && !String(e.detail).startsWith('{') ? ` — ${e.detail}` : '')))));
  page(`#${inc.id} ${inc.title}`, h('p', {}, h('a', { href: '#/incidents' }, '← ' + t('back'))), ...parts);
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
      }
      return h('tr', { 'data-username': a.username, class: a.locked ? 'locked' : '' },
        h('td', {}, a.username), h('td', {}, a.full_name || ''), h('td', { class: 'state' }, state.join('; ')),
        h('td', {}, a.mfa ? t('yes') : t('no')), h('td', { class: 'acts' }, acts));
    }));
  };
  const refill = async () => fill((await api('GET', '/accounts' + q)).items || []);
  fill(r.items || []);
  page(t('accounts'), box, h('table', { class: 'list', id: 'accounts' }, h('thead', {}, h('tr', {},
    ['username', t('acc_name'), t('acc_state'), t('acc_mfa'), ''].map((c) => h('th', {}, c)))), tbody));
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
  }
}

window.addEventListener('hashchange', route);
(async () => {
  try { await loadMe(); } catch (e) { me = null; }
  drawNav();
  await route();
  document.body.dataset.ready = '1';
})();
