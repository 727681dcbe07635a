// test_pages.mjs: the pages beyond the first steps, each walked by the role it is for, against the
// real `attt serve`: a reporter's own incidents, evidence and attachments scanned before storage
// (R8.6, R8.8); an officer's tasks with due dates, links seen from both ends, stored documents
// (R11.2); account reviews with confirm, change and revoke (R6.1.e); agencies and people, an account
// for a new person with its temporary password shown once (R6.2.a, R6.1.a); the audit trail with
// its filters, pages, CSV export, signed checkpoint and verifier key (R7.1, R7.2). Roles without the
// permission of a page get no link to it and a plain refusal when they type its address.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attt, atttJson, check, data, equal, launch, login, newPage, passGates, run, settled, shot, startServer, tmp } from './common.mjs';

// The day of `ms` in Asia/Ho_Chi_Minh (UTC+7, no daylight saving) as dd/mm/yyyy.
function vnDay(ms) {
  const d = new Date(ms + 7 * 3600 * 1000);
  const p2 = (n) => String(n).padStart(2, '0');
  return `${p2(d.getUTCDate())}/${p2(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

// A request the page's own session makes (cookie and CSRF token), answering status, type and body.
async function inPage(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const headers = { 'X-CSRF-Token': sessionStorage.getItem('attt.csrf') || '' };
    if (b !== null) headers['Content-Type'] = 'application/json';
    const r = await fetch(p, { method: m, headers, body: b === null ? undefined : JSON.stringify(b) });
    return { status: r.status, type: r.headers.get('Content-Type') || '', text: await r.text() };
  }, [method, path, body === undefined ? null : body]);
}

async function main() {
  atttJson('init');
  attt('agency', 'add', '--name', 'UBND tỉnh Thái Nguyên', '--type', 'province');
  attt('agency', 'add', '--name', 'Sở Nội vụ', '--type', 'department', '--parent', '1');
  attt('agency', 'add', '--name', 'Sở Y tế', '--type', 'department', '--parent', '1');
  // R8.6: a signature database of one hash signature, for a file this test calls infected.
  const infected = `R8.6 tệp nhiễm thử của test_pages ${tmp}\n`;
  mkdirSync(join(tmp, 'sigs'));
  writeFileSync(join(tmp, 'sigs', 'test.hsb'), `${createHash('sha256').update(infected).digest('hex')}:${Buffer.byteLength(infected)}:Attt.Test.Upload\n`);
  appendFileSync(join(data, 'attt.ini'), `\n[scan]\ndatabase = ${join(tmp, 'sigs')}\n`);
  const people = [
    ['an.nv', 'Nguyễn Văn An', '2', 'staff'], ['binh.tt', 'Trần Thị Bình', '2', 'security_officer'],
    ['cuong.lv', 'Lê Văn Cường', '2', 'staff'], ['dung.pt', 'Phạm Thị Dung', '2', 'staff'],
    ['kiem.lv', 'Lê Văn Kiểm', '1', 'auditor'], ['quan.tri', 'Hoàng Quản Trị', '1', 'admin'],
  ];
  const acc = {};
  for (const [u, name, agency, role] of people)
    acc[u] = atttJson('user', 'add', '--username', u, '--new-person', name, '--agency', agency, '--role', role);
  const base = await startServer();
  const pass = 'Núi-Cốc-hồ-xanh#2026';
  const codes = {};
  await Promise.all(people.map(async ([u]) => { codes[u] = await passGates(base, u, acc[u].password, pass); }));

  const browser = await launch();
  const errors = [];
  const ctxFor = async () => {
    const ctx = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    ctx.setDefaultTimeout(10000);
    return ctx;
  };

  // ---- a civil servant follows their own reports and adds evidence to them ------------------------
  const sp = await newPage(await ctxFor(), errors);
  await login(sp, base, 'an.nv', pass);
  const mk = async (title) => JSON.parse((await inPage(sp, 'POST', '/api/v1/incidents', { title, description: 'Nhiều lần đăng nhập sai từ một địa chỉ lạ', incident_type: 'intrusion' })).text).id;
  const a = await mk('Máy chủ thư bị dò mật khẩu');
  const b = await mk('Dò mật khẩu lặp lại');
  await sp.click('nav a[href="#/incidents"]');
  await sp.waitForSelector(`#incident-list tr[data-id="${a}"]`);
  check(await sp.locator(`#incident-list tr[data-id="${b}"]`).count() === 1, 'a reporter without incident.read lists their own reports');
  await sp.click(`#incident-list tr[data-id="${a}"] a`);
  await sp.waitForSelector('#observable-add');
  equal(await sp.locator('#task-add').count(), 0, 'a reporter is not offered to add tasks (incident.manage)');
  equal(await sp.locator('#link-add').count(), 0, 'a reporter is not offered to link incidents');
  await sp.selectOption('#observable-add select', 'ip');
  await sp.fill('#observable-add input', '203.0.113.7');
  await sp.click('#observable-add button[type=submit]');
  await sp.waitForSelector('#observable-list li[data-kind="ip"]');
  check((await sp.locator('#observable-list').textContent()).includes('203.0.113.7'), 'R8.8: the reporter adds an IP address to the report');
  const clean = 'Nhật ký máy chủ thư: 42 lần đăng nhập sai trong 5 phút\n';
  await sp.setInputFiles('#attach input[type=file]', { name: 'nhật-ký.txt', mimeType: 'text/plain', buffer: Buffer.from(clean) });
  await sp.click('#attach button[type=submit]');
  await sp.waitForSelector('#upload-result[data-state]');
  equal(await sp.getAttribute('#upload-result', 'data-state'), 'clean', 'R8.6: a clean file is stored and said to be clean');
  check((await sp.locator('#upload-result').textContent()).includes('sạch'), 'R8.6: the answer says plainly, in Vietnamese, that no malware was found');
  await sp.setInputFiles('#attach input[type=file]', { name: 'hoa-don.txt', mimeType: 'text/plain', buffer: Buffer.from(infected) });
  await sp.click('#attach button[type=submit]');
  await sp.waitForSelector('#upload-result[data-state="quarantined"]');
  const qtext = await sp.locator('#upload-result').textContent();
  check(qtext.includes('cách ly') && qtext.includes('Attt.Test.Upload'), 'R8.6: an infected file is reported quarantined, naming the signature');
  await shot(sp, 'reporter-incident');
  const stored = atttJson('incident', 'attachments', String(a));
  equal((stored.items || []).map((x) => x.state).sort().join(','), 'clean,quarantined', 'R8.6: the store holds one clean and one quarantined attachment');

  // A civil servant has no audit trail, reviews or agencies: no link, and a refusal by address.
  equal(await sp.locator('nav a[href="#/audit"]').count(), 0, 'a civil servant has no link to the audit trail');
  await sp.goto(base + '/#/audit');
  await sp.waitForSelector('#refused');
  check((await sp.locator('#refused').textContent()).includes('audit.read'), 'a civil servant typing #/audit is told plainly it needs audit.read');
  equal(await sp.locator('#audit-list').count(), 0, 'and sees no event');
  await sp.goto(base + '/#/agencies');
  await sp.waitForSelector('#refused');
  check(true, 'a civil servant typing #/agencies is refused');
  equal(await sp.locator('nav a[href="#/logreviews"]').count(), 0, 'a civil servant has no link to the log reviews');
  await sp.goto(base + '/#/logreviews');
  await sp.waitForSelector('#refused');
  equal(await sp.locator('#logreview-status').count(), 0, 'R7.3: a civil servant typing #/logreviews is refused and sees no review state');

  // ---- a security officer: tasks, links, evidence, documents --------------------------------------
  const op = await newPage(await ctxFor(), errors);
  op.on('dialog', (d) => d.accept());
  await login(op, base, 'binh.tt', pass, codes['binh.tt'][0]);
  await op.goto(`${base}/#/incidents/${a}`);
  await op.waitForSelector('#attachment-list');
  const cleanRow = op.locator('#attachment-list tr[data-state="clean"]');
  const quarRow = op.locator('#attachment-list tr[data-state="quarantined"]');
  equal(await quarRow.locator('a').count(), 0, 'R8.6: a quarantined attachment has no download link');
  check((await quarRow.textContent()).includes('Bị cách ly'), 'R8.6: the list says which attachment is quarantined');
  const href = await cleanRow.locator('a').getAttribute('href');
  const got = await op.evaluate(async (u) => (await fetch(u)).text(), href);
  equal(got, clean, 'R8.6: the clean attachment downloads as uploaded');

  await op.fill('#task-add input[name=task-title]', 'Đổi mật khẩu các hộp thư bị dò');
  await op.selectOption('#task-add select[name=task-assignee]', { label: 'Nguyễn Văn An (an.nv)' });
  await op.fill('#task-add input[name=task-due]', '31/02/2026');
  await op.click('#task-add button[type=submit]');
  await op.waitForSelector('#task-add .msg.error');
  check((await op.locator('#task-add .msg.error').textContent()).includes('dd/mm/yyyy'), 'a due date that does not exist is refused, naming the format');
  await op.fill('#task-add input[name=task-due]', '30/11/2026');
  await op.click('#task-add button[type=submit]');
  await op.waitForSelector('#task-list tr[data-status="open"]');
  const taskRow = await op.locator('#task-list tr').nth(1).textContent();
  check(taskRow.includes('30/11/2026') && taskRow.includes('an.nv'), 'R11.2: the task shows its assignee and due date dd/mm/yyyy');
  await op.click('#task-list button.task-done');
  await op.waitForSelector('#task-list tr[data-status="done"]');
  const tasks = atttJson('incident', 'task', 'list', String(a));
  equal((tasks.items || tasks)[0].status, 'done', 'R11.2: marking the task done is stored');

  await op.fill('#link-add input[name=link-to]', String(a));
  await op.click('#link-add button[type=submit]');
  await op.waitForSelector('#link-add .msg.error');
  check(true, 'an incident cannot be linked to itself (refused before it is sent)');
  await op.fill('#link-add input[name=link-to]', String(b));
  await op.selectOption('#link-add select', 'duplicate');
  await op.click('#link-add button[type=submit]');
  await op.waitForSelector(`#link-list li[data-direction="out"][data-to="${b}"][data-kind="duplicate"]`);
  check(true, 'the link is listed from this incident');
  await op.fill('#observable-add input', 'mail-login.example.vn');
  await op.selectOption('#observable-add select', 'domain');
  await op.click('#observable-add button[type=submit]');
  await op.waitForSelector('#observable-list li[data-kind="domain"]');
  equal(await op.locator('#observable-list li').count(), 2, 'R8.8: the officer adds a domain beside the reporter\'s IP');
  const form = await op.evaluate(async (u) => (await fetch(u)).status, `/api/v1/incidents/${a}/forms/03`);
  equal(form, 200, 'Mẫu 03 is generated');
  await op.reload();
  await op.waitForSelector('#document-list tr[data-form="03"] a');
  const dhref = await op.locator('#document-list tr[data-form="03"] a').getAttribute('href');
  const doc = await op.evaluate(async (u) => { const r = await fetch(u); return `${r.status} ${r.headers.get('Content-Type')}`; }, dhref);
  check(/^200 application\/pdf/.test(doc), 'R11.2: the stored Mẫu 03 is listed with a working download link');
  await shot(op, 'officer-incident');
  await op.click(`#link-list a[href="#/incidents/${b}"]`);
  await op.waitForSelector(`#link-list li[data-direction="in"][data-to="${a}"]`);
  check((await op.locator('#link-list li').first().textContent()).includes('Bị trùng bởi'), 'the link is shown from the other incident too');

  // ---- R6.1.e: a campaign of account reviews ------------------------------------------------------
  await op.click('nav a[href="#/reviews"]');
  await op.waitForSelector('#start-campaign');
  await op.click('#start-campaign');
  await op.waitForSelector('#review-items');
  const campaign = Number(/#\/reviews\/(\d+)/.exec(op.url())[1]);
  const item = (u, role) => op.locator(`#review-items tr[data-username="${u}"][data-role="${role}"]`);
  await item('an.nv', '').locator('button.dec-confirm').click();
  await op.waitForSelector('#review-items tr[data-username="an.nv"][data-role=""][data-decision="confirm"]');
  await item('cuong.lv', 'staff').locator('select.new-role').selectOption('agency_head');
  await item('cuong.lv', 'staff').locator('button.dec-change').click();
  await op.waitForSelector('#review-items tr[data-username="cuong.lv"][data-role="staff"][data-decision="change"]');
  await item('dung.pt', '').locator('button.dec-revoke').click();
  await op.waitForSelector('#review-items tr[data-username="dung.pt"][data-role=""][data-decision="revoke"]');
  await shot(op, 'review');
  const cuong = atttJson('user', 'show', 'cuong.lv');
  equal((cuong.roles || []).map((r) => r.role).join(','), 'agency_head', 'R6.1.e: "change" turns the grant into the role picked');
  equal(atttJson('user', 'show', 'dung.pt').status, 'disabled', 'R6.1.e: revoking the account item disables the account at once');
  const shown = atttJson('review', 'show', String(campaign));
  equal((shown.items || []).filter((x) => x.decision !== 'pending').length, 3, 'the three decisions are stored on the campaign');

  // ---- agencies and people; an account for a new person ------------------------------------------
  await op.click('nav a[href="#/agencies"]');
  await op.waitForSelector('#agency-list');
  check((await op.locator('#agency-list').textContent()).includes('Sở Nội vụ') && !(await op.locator('#agency-list').textContent()).includes('Sở Y tế'),
    'an officer sees the agency tree of their own subtree only');
  await op.click('#agency-list a:has-text("Sở Nội vụ")');
  await op.waitForSelector('#people-list');
  await op.fill('#people-q', 'nguyen van an');
  await op.click('form[role=search] button');
  await op.waitForFunction(() => document.querySelectorAll('#people-list tbody tr').length === 1);
  equal(await op.locator('#people-list tbody tr').getAttribute('data-name'), 'Nguyễn Văn An', 'the people search ignores case and diacritics');
  await op.fill('#person-add input[name=full_name]', 'Vũ Thị Mới');
  await op.fill('#person-add input[name=position]', 'Chuyên viên');
  await op.click('#person-add button[type=submit]');
  await op.waitForSelector('#people-list tr[data-name="Vũ Thị Mới"]');
  check((await op.locator('#people-list tr[data-name="Vũ Thị Mới"]').textContent()).includes('Chuyên viên'), 'an officer adds a person to the agency');
  await op.click('#people-list tr[data-name="Vũ Thị Mới"] button.make-account');
  await op.fill('#people-list form.account-add input[name=username]', 'moi.vt');
  await op.click('#people-list form.account-add button[type=submit]');
  await op.waitForSelector('#new-password');
  const temp = (await op.locator('#new-password').textContent()).trim();
  await shot(op, 'people');
  const relog = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'moi.vt', password: temp }) });
  check(relog.status === 200 && (await relog.json()).must_change_password === true, 'R6.2.a, R6.1.a: the new account logs in with the temporary password shown once, which must be changed');
  equal((atttJson('user', 'show', 'moi.vt').roles || [])[0].role, 'staff', 'the new account holds the role picked');

  // The officer corrects the person's record in place: only what changed is sent, an emptied field
  // is cleared.
  const moiId = Number(await op.getAttribute('#people-list tr[data-name="Vũ Thị Mới"]', 'data-id'));
  await op.click('#people-list tr[data-name="Vũ Thị Mới"] button.edit-person');
  await op.fill('#people-list form.person-edit input[name=position]', 'Phó Trưởng phòng');
  await op.fill('#people-list form.person-edit input[name=phone]', '0208 3855 123');
  await op.selectOption('#people-list form.person-edit select[name=status]', 'on_leave');
  await op.click('#people-list form.person-edit button[type=submit]');
  await op.waitForFunction(() => /Phó Trưởng phòng/.test(document.querySelector('#people-list tr[data-name="Vũ Thị Mới"]')?.textContent || ''));
  let moi = atttJson('person', 'show', String(moiId));
  check(moi.position === 'Phó Trưởng phòng' && moi.phone === '02083855123' && moi.status === 'on_leave', 'an officer edits a person\'s position, phone (stored as digits) and status (checked with attt person show)');
  await op.click('#people-list tr[data-name="Vũ Thị Mới"] button.edit-person');
  await op.fill('#people-list form.person-edit input[name=phone]', '');
  await op.click('#people-list form.person-edit button[type=submit]');
  await op.waitForFunction(() => !/0208/.test(document.querySelector('#people-list tr[data-name="Vũ Thị Mới"]')?.textContent || 'x'));
  moi = atttJson('person', 'show', String(moiId));
  check(!moi.phone && moi.position === 'Phó Trưởng phòng', 'an emptied phone is cleared, the rest kept');
  check((atttJson('audit', 'list', '--action', 'person.update').items || []).length >= 2, 'R7.2: each edit is an audit event');

  // R5.3: offboarding in one action from the people page, then its checklist ticked item by item.
  await op.click('#people-list tr[data-name="Vũ Thị Mới"] button.offboard');
  await op.click('#people-list form.offboard-form button[type=submit]');
  await op.waitForSelector('#people-list form.offboard-form .msg.error');
  equal(atttJson('user', 'show', 'moi.vt').status !== 'disabled', true, 'R5.3: no offboarding without a reason (refused before it is sent)');
  await op.fill('#people-list form.offboard-form input[name=reason]', 'ữ'.repeat(100));
  await op.click('#people-list form.offboard-form button[type=submit]');
  await op.waitForFunction(() => /256/.test(document.querySelector('#people-list form.offboard-form .msg.error')?.textContent || ''));
  equal(atttJson('user', 'show', 'moi.vt').status !== 'disabled', true, 'R5.3: a reason of 100 letters but 300 bytes is refused before it is sent');
  await op.fill('#people-list form.offboard-form input[name=reason]', 'Chuyển công tác sang Sở Tài chính');
  await op.click('#people-list form.offboard-form button[type=submit]');
  await op.waitForSelector('#checklist');
  const caseId = Number(op.url().split('/').pop());
  equal(atttJson('user', 'show', 'moi.vt').status, 'disabled', 'R5.3: offboarding from the page disables the person\'s account');
  equal(await op.locator('#checklist tbody tr').count(), 4, 'R5.3: the checklist holds the account, assets, outside accounts and keys');
  await op.fill('#checklist tr[data-kind="assets"] input[name=note]', 'Máy tính xách tay số 12 đã nộp lại');
  await op.click('#checklist tr[data-kind="assets"] button[type=submit]');
  await op.waitForSelector('#checklist tr[data-kind="assets"][data-done="1"]');
  let oc = atttJson('user', 'checklist', '--case', String(caseId));
  const assets = oc.items.find((x) => x.kind === 'assets');
  check(assets.done_at && assets.note === 'Máy tính xách tay số 12 đã nộp lại' && assets.done_by_username === 'binh.tt',
    'R5.3: a ticked item keeps its time, note and officer (checked with attt user checklist)');
  check(oc.closed_at === null, 'R5.3: the case stays open while items remain');
  for (const kind of ['account', 'external_accounts', 'keys']) {
    await op.click(`#checklist tr[data-kind="${kind}"] button[type=submit]`);
    await op.waitForSelector(`#checklist tr[data-kind="${kind}"][data-done="1"]`);
  }
  oc = atttJson('user', 'checklist', '--case', String(caseId));
  check(oc.closed_at !== null, 'R5.3: the case closes with its last item');
  equal(await op.locator('#checklist button[type=submit]').count(), 0, 'R5.3: a closed case offers nothing to tick');
  equal((atttJson('audit', 'list', '--action', 'person.offboard.item').items || []).length, 4, 'R7.2: each tick is an audit event');
  await shot(op, 'offboarding');
  await op.goto(base + '/#/offboarding');
  await settled(op);
  equal(await op.locator(`#offboarding-list tr[data-id="${caseId}"]`).count(), 0, 'R5.3: a closed case leaves the list of open cases');
  await op.goto(base + '/#/offboarding?all=true');
  await settled(op);
  equal(await op.locator(`#offboarding-list tr[data-id="${caseId}"]`).count(), 1, 'R5.3: and is listed with the closed ones');

  // R7.1, R7.3: the officer reads their agency's part of the trail and records a review of it.
  await op.click('nav a[href="#/audit"]');
  await op.waitForSelector('#audit-list');
  const oags = await op.locator('#audit-list tbody tr').evaluateAll((rs) => rs.map((r) => r.children[6].textContent));
  check(oags.length > 0 && oags.every((x) => x === '2'), `an officer's audit trail holds their agency's events only (${oags.length})`);
  // R7.2: an import is one bulk event per agency naming its people; the table shows the start of the
  // set and keeps the whole of it in the tooltip.
  const csvRows = ['full_name,agency_id,position,email,phone,status'];
  for (let i = 0; i < 60; i++) csvRows.push(`Nguyễn Thị Nhập ${i},${2 + (i % 2)},Chuyên viên,nhap${i}@thainguyen.gov.vn,0913${String(i).padStart(6, '0')},active`);
  writeFileSync(join(tmp, 'people.csv'), csvRows.join('\n') + '\n');
  attt('person', 'import', join(tmp, 'people.csv'));
  await op.goto(base + '/#/audit?action=person.import');
  await settled(op);
  const imp = op.locator('#audit-list tbody tr[data-action="person.import"] td.object');
  equal(await imp.count(), 1, 'R7.2: the officer sees one import event, for their agency only');
  const impText = await imp.textContent(), impSet = await imp.getAttribute('title');
  check(impText.startsWith('person {') && impText.endsWith(',…}') && impText.length < 64, `the object set is shortened in the table (${impText})`);
  equal(impSet.split(',').length, 30, 'the tooltip holds the whole set: the 30 people of agency 2');
  // R7.2: one person's events, the import that named them included, through the filter form.
  const someone = impSet.slice(1).split(/[,-]/)[0];
  await op.goto(base + '/#/audit');
  await settled(op);
  await op.fill('#audit-filter input[name=object_type]', 'person');
  await op.fill('#audit-filter input[name=object_id]', someone);
  await op.click('#audit-filter button[type=submit]');
  await op.waitForURL(/object_id=/);
  await settled(op);
  const objRows = await op.locator('#audit-list tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.action));
  check(objRows.includes('person.import'), `R7.2: filtering by person ${someone} finds the import event that names them (${objRows})`);
  check(objRows.every((a) => a.startsWith('person.')), `and only events of that person (${objRows})`);
  await op.click('nav a[href="#/logreviews"]');
  await op.waitForSelector('#logreview-status');
  const dueBefore = atttJson('audit', 'review', 'overdue', '--agency', '2');
  equal(await op.getAttribute('#logreview-status', 'data-overdue'), dueBefore.overdue ? '1' : '0', 'R7.3: the page shows the overdue state the server computes');
  equal(await op.locator('#logreview-empty').count(), 1, 'R7.3: no review is recorded yet');
  await op.fill('#logreview-add textarea[name=findings]', '   ');
  await op.click('#logreview-add button[type=submit]');
  await op.waitForSelector('#logreview-add .msg.error');
  equal(atttJson('audit', 'review', 'list', '--agency', '2').items.length, 0, 'R7.3: a review without findings is refused before it is sent');
  await op.fill('#logreview-add input[name=to]', '30/02/2026');
  await op.fill('#logreview-add textarea[name=findings]', 'x');
  await op.click('#logreview-add button[type=submit]');
  await op.waitForSelector('#logreview-add .msg.error');
  check((await op.locator('#logreview-add .msg.error').textContent()).length > 0, 'R7.3: a date that does not exist is refused');
  await op.fill('#logreview-add input[name=to]', vnDay(Date.now() + 86400000) + ' 10:00');
  await op.fill('#logreview-add textarea[name=findings]', 'Rà soát trước thời hạn');
  await op.click('#logreview-add button[type=submit]');
  await op.waitForFunction(() => /future|tương lai/.test(document.querySelector('#logreview-add .msg.error')?.textContent || ''));
  equal(atttJson('audit', 'review', 'list', '--agency', '2').items.length, 0, 'R7.3: a review ending tomorrow is refused by the server, and nothing is stored');
  const findings = 'Không phát hiện bất thường; 2 lần đăng nhập sai của an.nv đã được xác minh.';
  await op.fill('#logreview-add input[name=from]', vnDay(Date.now() - 86400000));
  await op.fill('#logreview-add input[name=to]', vnDay(Date.now()));
  await op.fill('#logreview-add textarea[name=findings]', findings);
  await op.click('#logreview-add button[type=submit]');
  await op.waitForSelector('#logreview-flash');
  await op.waitForSelector('#logreview-list tbody tr');
  const revs = atttJson('audit', 'review', 'list', '--agency', '2').items;
  equal(revs.length, 1, 'R7.3: the review is stored');
  equal(revs[0].findings, findings, 'R7.3: with its findings as typed');
  equal(revs[0].reviewer_name, 'binh.tt', 'R7.3: and the officer\'s account as the reviewer');
  check(revs[0].to_us <= Date.now() * 1000 && revs[0].to_us > (Date.now() - 600000) * 1000, 'R7.3: a day typed without a time reviews up to now, never the future');
  equal(await op.locator('#logreview-list tbody tr').count(), 1, 'R7.3: the page lists it');
  check((await op.locator('#logreview-list tbody tr').textContent()).includes('binh.tt'), 'R7.3: naming the reviewer');
  const revEvents = atttJson('audit', 'list', '--action', 'audit.review').items || [];
  check(revEvents.some((e) => e.agency_id === 2 && e.outcome === 'success'), 'R7.2: recording a review is an audit event');
  await shot(op, 'log-reviews');

  // ---- an auditor: the audit trail ----------------------------------------------------------------
  for (let i = 0; i < 2; i++)
    await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'an.nv', password: 'Sai-mat-khau-1' }) });
  atttJson('audit', 'checkpoint');
  const ap = await newPage(await ctxFor(), errors);
  await login(ap, base, 'kiem.lv', pass);
  await ap.click('nav a[href="#/audit"]');
  await ap.waitForSelector('#audit-list');
  const cp = atttJson('audit', 'checkpoint', '--no-new');
  equal(Number(await ap.locator('#cp-size').textContent()), cp.size, 'R7.1: the page shows the size of the latest signed checkpoint');
  check(/^\d\d\/\d\d\/\d{4} \d\d:\d\d$/.test(await ap.locator('#cp-time').textContent()), 'R7.1: and the time it was signed, dd/mm/yyyy HH:MM');
  equal(await ap.getAttribute('#cp-time', 'data-iso'), cp.signed_at, 'R7.1: the signing time is the one `attt audit checkpoint --json` gives');
  equal((await ap.locator('#verifier-key').textContent()).trim(), attt('audit', 'key').trim(), 'R7.1: the verifier key shown is the server\'s');
  equal(await ap.locator('#audit-list tbody tr').count(), 50, 'R7.2: events come fifty to a page');
  const lastSeq = Number(await ap.locator('#audit-list tbody tr').last().getAttribute('data-seq'));
  await ap.click('#audit-next');
  await ap.waitForURL(/after=/);
  await settled(ap);
  const firstSeq = Number(await ap.locator('#audit-list tbody tr').first().getAttribute('data-seq'));
  check(firstSeq > lastSeq, `the next page starts after the last event of the first (${firstSeq} > ${lastSeq})`);

  await ap.selectOption('#audit-filter select[name=category]', 'auth');
  await ap.selectOption('#audit-filter select[name=outcome]', 'failure');
  await ap.click('#audit-filter button[type=submit]');
  await ap.waitForURL(/category=auth/);
  await settled(ap);
  const cats = await ap.locator('#audit-list tbody tr').evaluateAll((rs) => rs.map((r) => `${r.dataset.category}/${r.dataset.outcome}`));
  check(cats.length >= 2 && cats.every((c) => c === 'auth/failure'), `R7.2: filtering by category and outcome shows only failed logins (${cats.length})`);
  const csvHref = await ap.getAttribute('#audit-csv', 'href');
  check(csvHref.includes('format=csv') && csvHref.includes('category=auth') && csvHref.includes('outcome=failure'), 'the CSV link carries the filter');
  const csv = await ap.evaluate(async (u) => { const r = await fetch(u); return { type: r.headers.get('Content-Type'), text: await r.text() }; }, csvHref);
  const lines = csv.text.trim().split(/\r?\n/);
  check(csv.type.startsWith('text/csv') && lines[0].startsWith('seq,') && lines.length - 1 === cats.length && lines.slice(1).every((l) => l.includes(',auth,')),
    'R7.2: the CSV export holds the same filtered events');

  await ap.goto(base + '/#/audit?action=incident.');
  await settled(ap);
  const actions = await ap.locator('#audit-list tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.action));
  check(actions.length > 0 && actions.every((x) => x.startsWith('incident.')), 'an action prefix shows only those actions');
  const tomorrow = vnDay(Date.now() + 86400000);
  await ap.goto(base + '/#/audit');
  await settled(ap);
  await ap.fill('#audit-filter input[name=from]', tomorrow);
  await ap.click('#audit-filter button[type=submit]');
  await ap.waitForURL(/from=/);
  await settled(ap);
  equal(await ap.locator('#audit-empty').count(), 1, 'a time range starting tomorrow (dd/mm/yyyy) has no events');
  await ap.fill('#audit-filter input[name=from]', vnDay(Date.now() - 86400000));
  await ap.fill('#audit-filter input[name=to]', vnDay(Date.now()));
  await ap.click('#audit-filter button[type=submit]');
  await ap.waitForURL(/to=/);
  await settled(ap);
  check(await ap.locator('#audit-list tbody tr').count() > 0, 'a range from yesterday to today (the whole day) has events');
  await ap.fill('#audit-filter input[name=from]', '32/13/2026');
  await ap.click('#audit-filter button[type=submit]');
  await ap.waitForSelector('#audit-filter .msg.error');
  check(true, 'an impossible date in the filter is refused before it is sent');
  await ap.selectOption('#audit-filter select[name=agency]', '3');
  await ap.fill('#audit-filter input[name=from]', '');
  await ap.fill('#audit-filter input[name=to]', '');
  await ap.click('#audit-filter button[type=submit]');
  await ap.waitForURL(/agency=3/);
  await settled(ap);
  const ags = await ap.locator('#audit-list tbody tr').evaluateAll((rs) => rs.map((r) => r.children[6].textContent));
  check(ags.length > 0 && ags.every((x) => x === '3'), 'filtering by agency shows that agency\'s events');
  await shot(ap, 'audit');
  await ap.click('nav a[href="#/reviews"]');
  await ap.waitForSelector(`#campaigns tr[data-id="${campaign}"]`);
  equal(await ap.locator('#start-campaign').count(), 0, 'an auditor reads the campaigns but cannot start one (no review.decide)');

  // ---- an administrator: agencies, and no review or incident pages --------------------------------
  const mp = await newPage(await ctxFor(), errors);
  await login(mp, base, 'quan.tri', pass, codes['quan.tri'][0]);
  equal(await mp.locator('nav a[href="#/incidents"]').count() + await mp.locator('nav a[href="#/reviews"]').count(), 0, 'an administrator has no incident or review links');
  await mp.click('nav a[href="#/agencies"]');
  await mp.waitForSelector('#agency-list');
  equal(await mp.locator('#agency-list tbody tr').count(), 3, 'an administrator of the province sees the whole agency tree');
  // R1.2: the administrator keeps the tree: adds an agency, renames it, moves it under another.
  await mp.fill('#agency-add input[name=name]', 'Sở Khoa học và Công nghệ');
  await mp.selectOption('#agency-add select[name=parent_id]', '1');
  await mp.click('#agency-add button[type=submit]');
  await mp.waitForSelector('#agency-list tr[data-name="Sở Khoa học và Công nghệ"]');
  const newAg = Number(await mp.getAttribute('#agency-list tr[data-name="Sở Khoa học và Công nghệ"]', 'data-id'));
  let ag = atttJson('agency', 'show', String(newAg));
  check(ag.type === 'department' && ag.parent_id === 1, 'an administrator adds a department under the province (checked with attt agency show)');
  await mp.click(`#agency-list tr[data-id="${newAg}"] button.rename`);
  await mp.fill(`#agency-list tr[data-id="${newAg}"] form.agency-rename input[name=name]`, 'Sở KH&CN');
  await mp.click(`#agency-list tr[data-id="${newAg}"] form.agency-rename button[type=submit]`);
  await mp.waitForSelector('#agency-list tr[data-name="Sở KH&CN"]');
  await mp.click(`#agency-list tr[data-id="${newAg}"] button.move`);
  const parents = await mp.locator(`#agency-list tr[data-id="${newAg}"] form.agency-move select option`).evaluateAll((os) => os.map((o) => Number(o.value)));
  check(parents.includes(2) && !parents.includes(newAg), 'an agency is offered other parents, never itself');
  await mp.selectOption(`#agency-list tr[data-id="${newAg}"] form.agency-move select[name=parent_id]`, '2');
  await mp.click(`#agency-list tr[data-id="${newAg}"] form.agency-move button[type=submit]`);
  await mp.waitForFunction((id) => document.querySelector(`#agency-list tr[data-id="${id}"] .indent`)?.textContent.length === 8, newAg);
  ag = atttJson('agency', 'show', String(newAg));
  check(ag.name === 'Sở KH&CN' && ag.parent_id === 2, 'it renames it and moves it under another agency');
  check((ag.history || []).some((x) => x.kind === 'rename') && (ag.history || []).some((x) => x.kind === 'move'), 'both kept in the agency\'s history');
  await mp.goto(base + '/#/reviews');
  await mp.waitForSelector('#refused');
  check((await mp.locator('#refused').textContent()).includes('review.read'), 'an administrator typing #/reviews is refused, naming the permission');

  // The incident list comes fifty to a page and "Xem thêm" follows the server's cursor to the end.
  for (let i = 0; i < 50; i++) await mk(`Báo cáo thử phân trang ${i + 1}`);
  const anId = atttJson('user', 'show', 'an.nv').id;
  const mine = atttJson('incident', 'list', '--limit', '500').items.filter((x) => x.reporter_account_id === anId).map((x) => x.id);
  equal(mine.length, 52, 'the civil servant has reported 52 incidents (checked with attt incident list)');
  await sp.goto(base + '/#/');
  await settled(sp);
  await sp.goto(base + '/#/incidents');
  await sp.waitForSelector('#incident-list');
  equal(await sp.locator('#incident-list tbody tr').count(), 50, 'the incident list shows fifty reports first');
  check(await sp.locator('#incidents-more').isVisible(), 'with a button for more');
  await sp.click('#incidents-more');
  await sp.waitForFunction((n) => document.querySelectorAll('#incident-list tbody tr').length === n, mine.length);
  const listed = await sp.locator('#incident-list tbody tr').evaluateAll((rs) => rs.map((r) => Number(r.dataset.id)));
  equal(JSON.stringify([...listed].sort((x, y) => x - y)), JSON.stringify([...mine].sort((x, y) => x - y)), `the next page brings the rest, each report once (${mine.length})`);
  check(await sp.locator('#incidents-more').isHidden(), 'and the button goes at the end of the list');

  equal(errors.join('\n'), '', 'no script error and no Content-Security-Policy violation on any page');
}

await run(main);
