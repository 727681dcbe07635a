// i18n.js: the interface's words in Vietnamese (first) and English, and the dates and times of
// Asia/Ho_Chi_Minh as dd/mm/yyyy HH:MM whatever the browser's own zone is.
const STRINGS = {
  app_name: ['An toàn thông tin mạng', 'Network information security'],
  lang_other: ['English', 'Tiếng Việt'],
  login_title: ['Đăng nhập', 'Log in'],
  username: ['Tên đăng nhập', 'Username'],
  password: ['Mật khẩu', 'Password'],
  totp: ['Mã xác thực (6 chữ số) hoặc mã khôi phục', 'Authentication code (6 digits) or a recovery code'],
  login: ['Đăng nhập', 'Log in'],
  logout: ['Đăng xuất', 'Log out'],
  working: ['Đang xử lý…', 'Working…'],
  network_error: ['Không kết nối được máy chủ', 'Cannot reach the server'],
  session_over: ['Phiên làm việc đã hết, vui lòng đăng nhập lại', 'Your session has ended, please log in again'],
  pw_title: ['Đổi mật khẩu', 'Change password'],
  pw_must: ['Mật khẩu hiện tại là mật khẩu tạm hoặc đã hết hạn: hãy đổi trước khi tiếp tục (R6.1.a, R6.1.đ).',
    'Your password is temporary or has expired: change it before going on (R6.1.a, R6.1.đ).'],
  pw_current: ['Mật khẩu hiện tại', 'Current password'],
  pw_new: ['Mật khẩu mới', 'New password'],
  pw_again: ['Nhập lại mật khẩu mới', 'New password again'],
  pw_rule: ['Ít nhất 8 ký tự, có chữ thường, chữ hoa và chữ số hoặc ký tự đặc biệt (! @ # $ %); không chứa tên đăng nhập hoặc họ tên; không trùng mật khẩu cũ. Có thể dùng cụm từ dài.',
    'At least 8 characters, with lower case, upper case and a digit or a special character (! @ # $ %); not containing your username or name; not one of your last passwords. Long passphrases are welcome.'],
  pw_ok: ['Mật khẩu đạt quy định', 'The password meets the rule'],
  pw_mismatch: ['Hai lần nhập không giống nhau', 'The two entries differ'],
  pw_changed: ['Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.', 'Password changed. Your other sessions have ended.'],
  pw_warn: ['Mật khẩu của bạn sẽ hết hạn sau {n} ngày.', 'Your password expires in {n} days.'],
  save: ['Lưu', 'Save'],
  mfa_title: ['Đăng ký xác thực hai lớp', 'Set up two-step verification'],
  mfa_intro: ['Vai trò của bạn bắt buộc xác thực hai lớp. Thêm khóa dưới đây vào ứng dụng xác thực (TOTP) rồi nhập mã 6 chữ số.',
    'Your role requires two-step verification. Add the key below to an authenticator app (TOTP), then enter its 6-digit code.'],
  mfa_secret: ['Khóa bí mật', 'Secret key'],
  mfa_code: ['Mã 6 chữ số', '6-digit code'],
  mfa_confirm: ['Xác nhận', 'Confirm'],
  mfa_codes: ['Mã khôi phục: mỗi mã dùng một lần khi mất thiết bị. Chỉ hiển thị một lần, hãy lưu lại ở nơi an toàn.',
    'Recovery codes: each works once if you lose the device. Shown only once: keep them somewhere safe.'],
  mfa_saved: ['Tôi đã lưu các mã', 'I have saved the codes'],
  rules_title: ['Quy chế an toàn thông tin', 'Security rules'],
  rules_intro: ['Đọc và cam kết thực hiện quy chế trước khi sử dụng hệ thống (R5.1).',
    'Read and commit to the rules before using the system (R5.1).'],
  rules_ack: ['Tôi đã đọc và cam kết thực hiện', 'I have read the rules and will follow them'],
  home: ['Trang chính', 'Home'],
  hello: ['Xin chào, {name}', 'Hello, {name}'],
  your_roles: ['Vai trò', 'Roles'],
  report: ['Báo cáo sự cố', 'Report an incident'],
  incidents: ['Sự cố', 'Incidents'],
  sessions: ['Phiên đăng nhập', 'Sessions'],
  inbox: ['Thông báo', 'Notifications'],
  accounts: ['Tài khoản', 'Accounts'],
  acc_name: ['Họ tên', 'Name'],
  acc_state: ['Tình trạng', 'State'],
  acc_locked_until: ['Bị khóa đến {t}', 'Locked until {t}'],
  acc_must_change: ['Phải đổi mật khẩu', 'Must change password'],
  acc_mfa: ['Xác thực hai lớp', 'Two-step verification'],
  acc_unlock: ['Mở khóa', 'Unlock'],
  acc_lock: ['Khóa', 'Lock'],
  acc_reset: ['Cấp lại mật khẩu', 'Re-issue password'],
  acc_disable: ['Vô hiệu hóa', 'Disable'],
  acc_disable_confirm: ['Vô hiệu hóa tài khoản {u}? Mọi phiên đăng nhập sẽ kết thúc.', 'Disable account {u}? Every session ends.'],
  acc_temp: ['Mật khẩu tạm của {u} (chỉ hiển thị một lần, người dùng phải đổi khi đăng nhập): ', 'Temporary password of {u} (shown once; it must be changed at login): '],
  acc_status_pending: ['Chờ cam kết quy chế', 'Pending acknowledgement'],
  acc_status_active: ['Đang hoạt động', 'Active'],
  acc_status_disabled: ['Đã vô hiệu hóa', 'Disabled'],
  yes: ['Có', 'Yes'],
  no: ['Không', 'No'],
  unread_only: ['Chỉ thông báo chưa đọc', 'Unread only'],
  mark_read: ['Đánh dấu đã đọc', 'Mark read'],
  is_read: ['Đã đọc', 'Read'],
  more: ['Xem thêm', 'More'],
  open_record: ['Mở hồ sơ', 'Open the record'],
  report_intro: ['Mô tả ngắn gọn điều đã xảy ra; cán bộ chuyên trách sẽ xử lý (R8.8).',
    'Say briefly what happened; the security officer takes it from there (R8.8).'],
  malware_title: ['Nếu nghi ngờ máy bị nhiễm mã độc', 'If you suspect malware'],
  malware_steps: ['Tắt máy; ngắt kết nối khỏi mạng nội bộ (LAN), mạng diện rộng (WAN) và Internet; báo ngay cho cán bộ chuyên trách an toàn thông tin của cơ quan.',
    'Turn the machine off; disconnect it from the LAN, the WAN and the Internet; report at once to your agency\'s security officer.'],
  f_title: ['Tiêu đề', 'Title'],
  f_description: ['Mô tả', 'Description'],
  f_detected: ['Thời điểm phát hiện', 'Noticed at'],
  f_system: ['Máy hoặc hệ thống bị ảnh hưởng (tên, địa chỉ IP, tên miền)', 'Affected machine or system (name, IP address, domain)'],
  f_type: ['Loại sự cố', 'Incident type'],
  f_severity: ['Mức độ', 'Severity'],
  q_title: ['Gợi ý mức độ (Điều 11.1)', 'Suggested severity (Article 11.1)'],
  q_group: ['Ảnh hưởng đến một nhóm người dùng hoặc cả cơ quan (không chỉ một người)?', 'Does it affect a group of users or the whole agency (not just one person)?'],
  q_main: ['Làm gián đoạn hoạt động chính của cơ quan?', 'Does it interrupt the agency\'s main activities?'],
  q_several: ['Làm gián đoạn nhiều hoạt động chính?', 'Does it interrupt several main activities?'],
  q_defaced: ['Trang thông tin điện tử bị thay đổi giao diện?', 'Was a website defaced?'],
  q_suggests: ['Gợi ý: {s}', 'Suggested: {s}'],
  send: ['Gửi báo cáo', 'Send the report'],
  reported: ['Đã ghi nhận sự cố số {id}.', 'Incident {id} recorded.'],
  none: ['Không có', 'None'],
  col_id: ['Số', 'No.'],
  col_reported: ['Báo cáo lúc', 'Reported'],
  col_step: ['Bước', 'Step'],
  col_status: ['Trạng thái', 'Status'],
  overdue: ['Quá hạn', 'Overdue'],
  only_open: ['Chỉ sự cố chưa đóng', 'Open only'],
  only_overdue: ['Chỉ sự cố quá hạn', 'Overdue only'],
  timeline: ['Diễn biến', 'Timeline'],
  documents: ['Văn bản', 'Documents'],
  form_03: ['Mẫu 03: Báo cáo ban đầu sự cố', 'Form 03: initial incident report'],
  form_04: ['Mẫu 04: Biên bản kết thúc ứng cứu', 'Form 04: closing minutes'],
  form_05: ['Mẫu 05: Báo cáo tổng hợp', 'Form 05: summary report'],
  classify: ['Phân loại mức độ', 'Set the severity'],
  reason: ['Lý do', 'Reason'],
  advance: ['Chuyển bước xử lý', 'Take a workflow step'],
  action: ['Bước', 'Step'],
  note: ['Nội dung / biên bản', 'Note / minutes'],
  owner: ['Người phụ trách', 'Owner'],
  notice_due: ['Hạn thông báo', 'Notice due'],
  current: ['Phiên này', 'This session'],
  end_session: ['Kết thúc', 'End'],
  created: ['Bắt đầu', 'Started'],
  last_seen: ['Hoạt động gần nhất', 'Last active'],
  back: ['Quay lại', 'Back'],
  not_found: ['Không tìm thấy trang', 'Page not found'],
  bad_time: ['Ngày giờ không hợp lệ: nhập dd/mm/yyyy HH:MM', 'Not a valid date and time: type dd/mm/yyyy HH:MM'],
  bad_date: ['Ngày không hợp lệ: nhập dd/mm/yyyy', 'Not a valid date: type dd/mm/yyyy'],
  refused: ['Bạn không có quyền xem trang này. Vai trò của bạn không bao gồm quyền cần thiết ({p}).',
    'You may not see this page: none of your roles holds the permission it needs ({p}).'],
  add: ['Thêm', 'Add'],
  edit: ['Sửa', 'Edit'],
  // incident detail
  tasks: ['Nhiệm vụ', 'Tasks'],
  task_title: ['Việc cần làm', 'Task'],
  task_side: ['Bên thực hiện', 'Done by'],
  side_agency: ['Cơ quan', 'The agency'],
  side_response: ['Đội ứng cứu', 'The response team'],
  assignee: ['Người thực hiện', 'Assignee'],
  due: ['Hạn (dd/mm/yyyy)', 'Due (dd/mm/yyyy)'],
  task_done: ['Đánh dấu hoàn thành', 'Mark done'],
  task_status_open: ['Đang làm', 'Open'],
  task_status_done: ['Đã xong', 'Done'],
  task_status_cancelled: ['Đã hủy', 'Cancelled'],
  nobody: ['(chưa giao)', '(unassigned)'],
  links: ['Sự cố liên quan', 'Linked incidents'],
  link_to: ['Số sự cố khác', 'Other incident number'],
  link_kind: ['Quan hệ', 'Relation'],
  link_bad_id: ['Nhập số của một sự cố khác', 'Type the number of another incident'],
  observables: ['Dấu hiệu (IP, tên miền, mã băm, tài khoản, URL)', 'Observables (IP, domain, hash, account, URL)'],
  obs_kind: ['Loại', 'Kind'],
  obs_value: ['Giá trị', 'Value'],
  attachments: ['Tệp đính kèm', 'Attachments'],
  attach_file: ['Chọn tệp (được quét mã độc trước khi lưu)', 'Choose a file (scanned for malware before it is stored)'],
  attach_send: ['Tải lên', 'Upload'],
  attach_none: ['Hãy chọn một tệp', 'Choose a file first'],
  attach_too_big: ['Tệp quá lớn (tối đa {n} MiB)', 'The file is too large (at most {n} MiB)'],
  attach_clean: ['Đã lưu tệp {name}: sạch, không phát hiện mã độc.', 'Stored {name}: clean, no malware found.'],
  attach_quarantined: ['Tệp chứa mã độc, đã bị cách ly và không thể tải xuống', 'The file contains malware: it was quarantined and cannot be downloaded'],
  state_clean: ['Sạch', 'Clean'],
  state_quarantined: ['Bị cách ly (mã độc {s})', 'Quarantined (malware {s})'],
  download: ['Tải xuống', 'Download'],
  stored_documents: ['Văn bản đã lập', 'Documents made'],
  col_name: ['Tên', 'Name'],
  col_size: ['Kích thước', 'Size'],
  col_by: ['Người tạo', 'By'],
  col_time: ['Thời gian', 'Time'],
  // audit
  audit: ['Nhật ký kiểm toán', 'Audit trail'],
  audit_from: ['Từ (dd/mm/yyyy HH:MM)', 'From (dd/mm/yyyy HH:MM)'],
  audit_to: ['Đến (dd/mm/yyyy HH:MM)', 'To (dd/mm/yyyy HH:MM)'],
  audit_category: ['Nhóm', 'Category'],
  audit_action: ['Hành động (vd. auth.login hoặc auth.)', 'Action (e.g. auth.login, or auth.)'],
  audit_agency: ['Cơ quan', 'Agency'],
  audit_outcome: ['Kết quả', 'Outcome'],
  any: ['(tất cả)', '(any)'],
  filter: ['Lọc', 'Filter'],
  csv: ['Xuất CSV (các sự kiện theo bộ lọc)', 'Export CSV (the events of this filter)'],
  next_page: ['Trang sau', 'Next page'],
  first_page: ['Trang đầu', 'First page'],
  col_actor: ['Người thực hiện', 'Actor'],
  col_action: ['Hành động', 'Action'],
  col_object: ['Đối tượng', 'Object'],
  col_summary: ['Chi tiết', 'Details'],
  checkpoint: ['Điểm kiểm tra có chữ ký gần nhất (R7.1)', 'Latest signed checkpoint (R7.1)'],
  logreviews: ['Rà soát nhật ký', 'Log reviews'],
  lr_intro: ['Định kỳ rà soát nhật ký hệ thống (R7.3): ghi nhận khoảng thời gian đã rà soát và kết luận. Khoảng chưa rà soát cũ hơn chu kỳ của hồ sơ chính sách bị đánh dấu quá hạn.',
    'Review the system logs periodically (R7.3): record the period reviewed and the findings. An unreviewed period older than the profile\'s interval is marked overdue.'],
  lr_default: ['Mặc định (cơ quan của tôi)', 'Default (my agency)'],
  lr_status: ['Tình trạng rà soát', 'Review status'],
  lr_overdue: ['QUÁ HẠN: chưa rà soát từ {since} (chu kỳ {n} ngày).', 'OVERDUE: not reviewed since {since} (interval {n} days).'],
  lr_pending: ['Chưa rà soát từ {since}; chưa quá chu kỳ {n} ngày.', 'Not reviewed since {since}; within the {n}-day interval.'],
  lr_uptodate: ['Đã rà soát đến nay.', 'Reviewed up to now.'],
  lr_scope: ['Phạm vi: cơ quan {a}.', 'Scope: agency {a}.'],
  lr_whole: ['toàn bộ nhật ký', 'the whole trail'],
  lr_add: ['Ghi nhận một lần rà soát', 'Record a review'],
  lr_add_hint: ['Thời điểm "Đến" không được ở tương lai; chỉ nhập ngày nghĩa là đến hết ngày đó (hoặc đến bây giờ).',
    'The "To" time cannot be in the future; a day without a time means up to its end (or up to now).'],
  lr_findings: ['Kết luận', 'Findings'],
  lr_findings_required: ['Cần ghi kết luận ("không phát hiện bất thường" cũng là một kết luận)', 'Findings are required ("nothing abnormal found" is a finding)'],
  lr_record: ['Ghi nhận', 'Record'],
  lr_recorded: ['Đã ghi nhận lần rà soát nhật ký.', 'The log review is recorded.'],
  lr_reviewer: ['Người rà soát', 'Reviewer'],
  lr_from: ['Từ', 'From'],
  lr_to: ['Đến', 'To'],
  lr_size: ['Số sự kiện trong nhật ký lúc rà soát', 'Events in the trail at the review'],
  lr_at: ['Ghi nhận lúc', 'Recorded at'],
  cp_size: ['Số sự kiện được ký', 'Events signed (tree size)'],
  cp_time: ['Thời điểm ký', 'Signed at'],
  cp_root: ['Gốc cây Merkle', 'Merkle root'],
  cp_none: ['Chưa có điểm kiểm tra nào được ký', 'No signed checkpoint yet'],
  verifier_key: ['Khóa kiểm tra chữ ký (nên đối chiếu với bản lưu ở nơi khác)', 'Verifier key (compare it with a copy kept elsewhere)'],
  // reviews
  reviews: ['Rà soát tài khoản', 'Account reviews'],
  reviews_intro: ['Rà soát định kỳ tài khoản và quyền (R6.1.e): xác nhận, đổi vai trò hoặc thu hồi từng mục.',
    'Periodic review of accounts and rights (R6.1.e): confirm, change the role or revoke each item.'],
  campaigns: ['Các đợt rà soát', 'Campaigns'],
  start_campaign: ['Mở đợt rà soát mới', 'Start a campaign'],
  col_started: ['Bắt đầu', 'Started'],
  col_due: ['Hạn', 'Due'],
  col_closed: ['Kết thúc', 'Closed'],
  col_pending: ['Còn chờ', 'Pending'],
  overdue_agencies: ['Đơn vị quá hạn rà soát', 'Agencies overdue for a review'],
  never: ['chưa bao giờ', 'never'],
  campaign: ['Đợt rà soát số {id}', 'Campaign {id}'],
  item_account: ['Tài khoản', 'Account'],
  item_role: ['Quyền', 'Right'],
  item_whole: ['(chính tài khoản)', '(the account itself)'],
  decision: ['Quyết định', 'Decision'],
  dec_pending: ['Chờ quyết định', 'Pending'],
  dec_confirm: ['Xác nhận', 'Confirm'],
  dec_change: ['Đổi vai trò', 'Change role'],
  dec_revoke: ['Thu hồi', 'Revoke'],
  revoke_confirm: ['Thu hồi {what} của {u}? Việc thu hồi có hiệu lực ngay.', 'Revoke {what} of {u}? It applies at once.'],
  new_role: ['Vai trò mới', 'New role'],
  // agencies and people
  agencies: ['Cơ quan và cán bộ', 'Agencies and people'],
  agency_tree: ['Cây cơ quan, đơn vị', 'The agency tree'],
  ag_rename: ['Đổi tên', 'Rename'],
  ag_move: ['Chuyển cấp trên', 'Move'],
  ag_parent: ['Cơ quan cấp trên', 'Parent agency'],
  ag_add: ['Thêm cơ quan, đơn vị', 'Add an agency'],
  ag_name_required: ['Cần tên cơ quan', 'A name is required'],
  code: ['Mã', 'Code'],
  people: ['Cán bộ của {a}', 'People of {a}'],
  search: ['Tìm (không cần dấu)', 'Search (diacritics optional)'],
  full_name: ['Họ và tên', 'Full name'],
  position: ['Chức vụ', 'Position'],
  email: ['Thư điện tử', 'E-mail'],
  phone: ['Điện thoại', 'Phone'],
  add_person: ['Thêm cán bộ', 'Add a person'],
  person_added: ['Đã thêm {n}.', '{n} added.'],
  make_account: ['Tạo tài khoản', 'Create an account'],
  offboard: ['Thôi việc (R5.3)', 'Offboard (R5.3)'],
  offboard_reason: ['Lý do', 'Reason'],
  offboard_reason_hint: ['vd. nghỉ hưu, chuyển công tác', 'e.g. retired, transferred'],
  offboard_reason_required: ['Cần ghi lý do thôi việc', 'A reason is required'],
  offboard_warn: ['Mọi tài khoản của {name} sẽ bị khóa, phiên đăng nhập và mã API kết thúc, quyền bị thu hồi; một hồ sơ thu hồi tài sản được mở.',
    'Every account of {name} will be disabled, their sessions and API tokens ended, their roles removed; a case to recover their assets is opened.'],
  offboard_confirm: ['Thôi việc {name}? Việc này không hoàn tác được.', 'Offboard {name}? This cannot be undone.'],
  offboarding: ['Hồ sơ thôi việc', 'Offboarding cases'],
  offboarding_intro: ['Thu hồi tài khoản, thiết bị, tài khoản bên ngoài, chìa khóa và thẻ của người thôi việc (R5.3); mỗi mục được đánh dấu khi đã thu hồi, hồ sơ đóng khi xong mục cuối.',
    'Recovering the accounts, devices, outside accounts, keys and badges of a person who leaves (R5.3); each item is ticked when recovered, the case closes with the last one.'],
  ob_show_closed: ['Cả hồ sơ đã đóng', 'Closed cases too'],
  ob_pending: ['còn {n} mục', '{n} items left'],
  ob_case: ['Hồ sơ thôi việc {id}', 'Offboarding case {id}'],
  ob_item: ['Mục cần thu hồi', 'Item to recover'],
  ob_done: ['Đã thu hồi lúc · bởi', 'Recovered at · by'],
  ob_note: ['Ghi chú', 'Note'],
  ob_note_hint: ['đã thu hồi gì, thế nào', 'what was recovered, and how'],
  ob_tick: ['Đã thu hồi', 'Recovered'],
  ob_open: ['Đang mở', 'Open'],
  ob_closed: ['Đã đóng lúc {at}', 'Closed at {at}'],
  role: ['Vai trò', 'Role'],
  acc_created: ['Đã tạo tài khoản {u}. Mật khẩu tạm (chỉ hiển thị một lần, phải đổi khi đăng nhập lần đầu): ',
    'Account {u} created. Temporary password (shown once; it must be changed at the first login): '],
  pst_active: ['Đang làm việc', 'Active'],
  pst_on_leave: ['Tạm nghỉ', 'On leave'],
  pst_transferred: ['Đã chuyển công tác', 'Transferred'],
  pst_retired: ['Đã nghỉ hưu', 'Retired'],
  pst_left: ['Đã thôi việc', 'Left'],
};

// The ten incident types of Mẫu 05 (Thông tư 20/2017), the four severities of Điều 11.1, the steps.
export const INCIDENT_TYPES = {
  ddos: ['Tấn công từ chối dịch vụ', 'Denial of service'],
  phishing: ['Tấn công giả mạo', 'Phishing'],
  malware: ['Tấn công sử dụng mã độc', 'Malware'],
  intrusion: ['Truy cập trái phép, chiếm quyền điều khiển', 'Intrusion'],
  defacement: ['Tấn công thay đổi giao diện', 'Defacement'],
  ransomware: ['Mã hóa phần mềm, dữ liệu, thiết bị', 'Ransomware'],
  sabotage: ['Phá hoại thông tin, dữ liệu, phần mềm', 'Sabotage'],
  espionage: ['Nghe trộm, gián điệp, lấy trộm thông tin', 'Espionage'],
  combined: ['Tấn công tổng hợp', 'Combined attack'],
  other: ['Hình thức tấn công khác', 'Other'],
};
export const EVENT_KINDS = {
  report: ['Tiếp nhận báo cáo', 'Reported'],
  classify: ['Phân loại mức độ', 'Severity set'],
  escalate: ['Báo cáo cấp trên và cơ quan chuyên trách', 'Escalated'],
  advance: ['Chuyển bước', 'Workflow step'],
  assign: ['Giao người phụ trách', 'Owner assigned'],
  observable: ['Thêm dấu hiệu', 'Observable added'],
  document: ['Lập văn bản', 'Document made'],
  task: ['Nhiệm vụ', 'Task'],
  task_status: ['Cập nhật nhiệm vụ', 'Task updated'],
  link: ['Liên kết sự cố', 'Linked'],
  attachment: ['Tệp đính kèm', 'Attachment'],
  deadline: ['Thời hạn', 'Deadline'],
  malware: ['Phát hiện mã độc trong tệp đính kèm', 'Malware found in an attachment'],
};
export const ROLES = {
  staff: ['Cán bộ, công chức', 'Staff'],
  security_officer: ['Cán bộ chuyên trách an toàn thông tin', 'Security officer'],
  agency_head: ['Thủ trưởng cơ quan', 'Head of agency'],
  authority: ['Cơ quan chuyên trách', 'Authority'],
  response_team: ['Đội ứng cứu sự cố', 'Response team'],
  steering: ['Ban chỉ đạo', 'Steering committee'],
  auditor: ['Kiểm toán viên', 'Auditor'],
  admin: ['Quản trị hệ thống', 'Administrator'],
};
export const OBS_KINDS = {
  ip: ['Địa chỉ IP', 'IP address'],
  domain: ['Tên miền', 'Domain'],
  hash: ['Mã băm tệp', 'File hash'],
  account: ['Tài khoản', 'Account'],
  url: ['Địa chỉ URL', 'URL'],
  other: ['Khác', 'Other'],
};
// A link read from this incident ("out") or from the other one ("in").
export const LINK_KINDS = {
  related: ['Liên quan đến', 'Related to'],
  duplicate: ['Trùng với', 'Duplicate of'],
  'caused-by': ['Gây ra bởi', 'Caused by'],
};
export const LINK_KINDS_IN = {
  related: ['Liên quan đến', 'Related to'],
  duplicate: ['Bị trùng bởi', 'Duplicated by'],
  'caused-by': ['Là nguyên nhân của', 'Caused'],
};
export const AUDIT_CATEGORIES = {
  auth: ['Xác thực', 'Authentication'],
  data: ['Dữ liệu', 'Data'],
  config: ['Cấu hình', 'Configuration'],
  connection: ['Kết nối', 'Connection'],
  access: ['Truy cập', 'Access'],
};
// The agency types of the org module (`attt agency types`).
export const AGENCY_TYPES = {
  province: ['Tỉnh', 'Province'],
  department: ['Sở, ban, ngành', 'Department'],
  commune: ['Xã, phường, đặc khu', 'Commune'],
  district: ['Huyện (trước 2025)', 'District (before 2025)'],
  public_service_unit: ['Đơn vị sự nghiệp công lập', 'Public service unit'],
  party_body: ['Cơ quan Đảng', 'Party body'],
  central_body: ['Cơ quan Trung ương trên địa bàn', 'Central body in the province'],
  socio_political: ['Tổ chức chính trị - xã hội', 'Socio-political organisation'],
  other: ['Khác', 'Other'],
};
export const OUTCOMES = {
  success: ['Thành công', 'Success'],
  failure: ['Thất bại', 'Failure'],
  denied: ['Bị từ chối', 'Denied'],
};
export const SEVERITIES = {
  thap: ['Thấp', 'Low'],
  'trung-binh': ['Trung bình', 'Medium'],
  cao: ['Cao', 'High'],
  'khan-cap': ['Khẩn cấp', 'Emergency'],
};
export const ACTIONS = {
  own: ['Hệ thống của cơ quan (sang bước 2)', 'The agency\'s own system (to step 2)'],
  hosted: ['Hệ thống tại Trung tâm dữ liệu tỉnh (sang bước 3)', 'Hosted at the provincial data centre (to step 3)'],
  resolved: ['Đã xử lý xong, lập biên bản', 'Resolved, minutes written'],
  beyond: ['Vượt khả năng xử lý, lập biên bản và báo cáo', 'Beyond the agency\'s capacity: minutes and escalation'],
  reported: ['Đã báo cáo cơ quan chuyên trách (Mẫu 03)', 'Reported to the authority (Form 03)'],
  coordinated: ['Đã phối hợp ứng cứu', 'Response coordinated'],
  close: ['Kết thúc, biên bản Mẫu 04', 'Closed with Form 04 minutes'],
};

let lang = localStorage.getItem('attt.lang') === 'en' ? 'en' : 'vi';

export function getLang() { return lang; }
export function setLang(l) {
  lang = l === 'en' ? 'en' : 'vi';
  localStorage.setItem('attt.lang', lang);
  document.documentElement.lang = lang;
}
document.documentElement.lang = lang;

function pick(pair) { return pair ? pair[lang === 'en' ? 1 : 0] : ''; }

// t('hello', {name}) -> the string in the current language with {name} filled in.
export function t(key, vars) {
  let s = pick(STRINGS[key]) || key;
  if (vars)
    for (const [k, v] of Object.entries(vars))
      s = s.split('{' + k + '}').join(String(v));
  return s;
}
export function label(table, key) { return pick(table[key]) || key; }

const PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

// An RFC 3339 time from the API as dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh; '' for null.
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = Object.fromEntries(PARTS.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

// "dd/mm/yyyy HH:MM" (or "dd/mm/yyyy") typed by the user, read as Asia/Ho_Chi_Minh time (UTC+7 all
// year, no daylight saving), as RFC 3339 for the API; '' when it is not a real date and time. A text
// field rather than <input type=datetime-local>, whose format follows the browser's own locale.
// With endOfDay, a date typed without a time means the last minute of that day (a "to" bound).
export function vnToRfc3339(v, endOfDay) {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?\s*$/.exec(v || '');
  if (!m) return '';
  const late = endOfDay && m[4] === undefined;
  const [d, mo, y, hh, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), late ? 23 : Number(m[4] || 0), late ? 59 : Number(m[5] || 0)];
  const probe = new Date(Date.UTC(y, mo - 1, d, hh, mi));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d || hh > 23 || mi > 59) return '';
  const p2 = (n) => String(n).padStart(2, '0');
  return `${y}-${p2(mo)}-${p2(d)}T${p2(hh)}:${p2(mi)}:${late ? '59' : '00'}+07:00`;
}
