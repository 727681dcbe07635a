#!/usr/bin/env python3
"""test_incident_cli.py: the contract of `attt incident` for scripts (issue 5), run against the
built binary (ATTT_BIN): report prints {"id"} and the R8.8 malware guidance; classify records the
R11.1 reason; an R11.3 escalation notifies the superior agency's security officer; the R11.2 steps
are refused to the wrong role and state without changing anything; show --json carries severity,
step, timeline and notifications; form writes Mẫu 03/04/05 as PDF, stores it with the incident and
every label and value (with diacritics) is in the text and every font is embedded (pdftotext,
pdffonts from poppler-utils).

The verbs of the follow-up work (issue 5), each with its JSON shape, exit codes (0 ok, 1 failure,
2 usage) and the Vietnamese and English halves of its error messages: R11.2 step 4 tasks
(task add|done|cancel|reopen|list), links between incidents, the R11.3 deadline sweep, and the R8.6
attachments (attach|attachments|download) over a signature database this test makes."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

ATTT = os.environ.get("ATTT_BIN", "")
FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print(f"test_incident_cli: FAIL {msg}", file=sys.stderr)


def run(data, *args, code=0, js=True):
    argv = [ATTT] + list(args) + ["--data", data] + (["--json"] if js else [])
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == code, f"{' '.join(args)}: exit {p.returncode}, want {code}: {p.stderr.decode()}")
    if code == 0 and js:
        return json.loads(p.stdout) if p.returncode == 0 else {}
    return p


def fails(data, *args, code, vi, en):
    """Runs a verb that must fail with exit code, saying vi and en (both halves) on stderr; nothing
    on stdout."""
    p = run(data, *args, code=code)
    err = p.stderr.decode()
    check(vi in err and en in err, f"{' '.join(args)}: message lacks {vi!r} / {en!r}: {err!r}")
    check(p.stdout == b"", f"{' '.join(args)}: stdout on failure: {p.stdout!r}")
    return p


def keys(obj, want, what):
    check(isinstance(obj, dict) and set(want) <= set(obj), f"{what}: keys {sorted(obj) if isinstance(obj, dict) else obj}, want {sorted(want)}")


def tasks_links_sweep(data, own):
    """R11.2 step 4 tasks, links, the R11.3 sweep: shapes, codes, messages."""
    iid = str(run(data, "incident", "report", "--agency", own, "--title", "Máy chủ thư bị dò mật khẩu",
                  "--description", "Nhiều lần đăng nhập sai")["id"])
    other = str(run(data, "incident", "report", "--agency", own, "--title", "Dò mật khẩu lần hai",
                    "--description", "Cùng nguồn")["id"])

    # task add: {"id", "task"}; bad input: 2 with the fix named, an unknown incident: 1.
    t = run(data, "incident", "task", "add", iid, "--title", "Chặn địa chỉ 203.0.113.7", "--side", "response",
            "--due", "01/12/2026")
    check(t.get("id") == int(iid) and isinstance(t.get("task"), int) and t["task"] > 0, f"task add: {t}")
    task = str(t["task"])
    fails(data, "incident", "task", "add", iid, code=2, vi="cần --title", en="--title is required")
    fails(data, "incident", "task", "add", iid, "--title", "x", "--side", "both", code=2,
          vi="agency hoặc response", en="(agency or response)")
    fails(data, "incident", "task", "add", iid, "--title", "x", "--due", "32/13/2026", code=2,
          vi="--due không hợp lệ", en="dd/mm/yyyy")
    fails(data, "incident", "task", "add", "abc", "--title", "x", code=2, vi="không hợp lệ", en="invalid ID")
    fails(data, "incident", "task", "add", "99999", "--title", "x", code=1, vi="không có sự cố", en="no such incident")
    fails(data, "incident", "task", "frob", iid, code=2, vi="việc không có", en="add, done, cancel, reopen, list")
    fails(data, "incident", "task", "add", code=2, vi="thiếu mã sự cố", en="missing incident ID")

    # task list: {"items", "count"}; each task with its side, due day (dd/mm/yyyy) and status.
    tl = run(data, "incident", "task", "list", iid)
    check(tl.get("count") == 1 and len(tl.get("items", [])) == 1, f"task list: {tl}")
    if tl.get("items"):
        it = tl["items"][0]
        keys(it, {"id", "title", "side", "status", "due", "overdue"}, "task item")
        check(it.get("side") == "response" and it.get("status") == "open" and it.get("due") == "01/12/2026",
              f"task item: {it}")

    # done, cancel, reopen: {"task", "status"}; the same status twice: 1, said in both languages.
    for verb, status in (("done", "done"), ("reopen", "open"), ("cancel", "cancelled")):
        r = run(data, "incident", "task", verb, task, "--note", f"ghi chú {verb}")
        check(r == {"task": int(task), "status": status}, f"task {verb}: {r}")
    fails(data, "incident", "task", "cancel", task, code=1, vi="đã ở trạng thái cancelled",
          en="already cancelled")
    fails(data, "incident", "task", "done", "99999", code=1, vi="không có sự cố", en="no such incident")
    fails(data, "incident", "task", "done", "0", code=2, vi="không hợp lệ", en="invalid")
    check(run(data, "incident", "task", "list", iid)["items"][0]["status"] == "cancelled", "task status not kept")

    # link: {"id", "to", "kind"}; twice: 1; itself, a bad kind, no --to: 2; an unknown one: 1.
    r = run(data, "incident", "link", other, "--to", iid, "--kind", "duplicate")
    check(r == {"id": int(other), "to": int(iid), "kind": "duplicate"}, f"link: {r}")
    fails(data, "incident", "link", other, "--to", iid, "--kind", "duplicate", code=1, vi="đã có",
          en="already recorded")
    fails(data, "incident", "link", iid, "--to", iid, "--kind", "related", code=2, vi="chính nó",
          en="cannot link to itself")
    fails(data, "incident", "link", iid, "--to", other, "--kind", "same", code=2,
          vi="related, duplicate hoặc caused-by", en="--kind")
    fails(data, "incident", "link", iid, "--kind", "related", code=2, vi="cần --to và --kind",
          en="--to and --kind are required")
    fails(data, "incident", "link", iid, "--to", "99999", "--kind", "related", code=1, vi="không có sự cố",
          en="no such incident")
    links = run(data, "incident", "show", iid)["links"]
    check(len(links) == 1 and links[0]["direction"] == "in" and links[0]["incident_id"] == int(other),
          f"links of {iid}: {links}")

    # sweep: three counts; nothing due on a fresh record; a stray argument is usage.
    sw = run(data, "incident", "sweep")
    check(set(sw) == {"near", "missed", "notifications"} and all(isinstance(v, int) for v in sw.values()),
          f"sweep: {sw}")
    check(run(data, "incident", "sweep")["near"] == 0, "sweep is not idempotent")
    fails(data, "incident", "sweep", "x", code=2, vi="đối số thừa", en="unexpected argument")
    return iid


def attachments(data, tmp, iid):
    """R8.6 from the command line: fail closed without a database, then clean stored, infected
    quarantined (exit 1), downloads byte for byte, never a quarantined one."""
    sigs = os.path.join(tmp, "sigs")
    with open(os.path.join(data, "attt.ini"), "a", encoding="utf-8") as f:
        f.write(f"\n[scan]\ndatabase = {sigs}\n")
    clean = os.path.join(tmp, "nhat-ky.txt")
    with open(clean, "w", encoding="utf-8") as f:
        f.write("Nhật ký tường lửa 10.0.0.5 -> 203.0.113.7\n")
    bad = os.path.join(tmp, "hoa-don.txt")
    sample = f"R8.6 tệp nhiễm thử {tmp}\n".encode()
    with open(bad, "wb") as f:
        f.write(sample)

    # No database yet: nothing stored, exit 1, said in both languages.
    fails(data, "incident", "attach", iid, clean, code=1, vi="không quét được mã độc nên không lưu tệp",
          en="cannot scan, nothing stored")
    check(run(data, "incident", "attachments", iid)["count"] == 0, "stored without a scan")
    os.mkdir(sigs)
    with open(os.path.join(sigs, "test.hsb"), "w") as f:
        f.write(f"{hashlib.sha256(sample).hexdigest()}:{len(sample)}:Attt.Test.Cli\n")

    a = run(data, "incident", "attach", iid, clean, "--name", "Nhật ký.txt")
    keys(a, {"id", "attachment_id", "name", "state", "sha256", "size", "media_type", "signature"}, "attach")
    with open(clean, "rb") as f:
        body = f.read()
    check(a.get("state") == "clean" and a.get("signature") is None and a.get("name") == "Nhật ký.txt" and
          a.get("size") == len(body) and a.get("sha256") == hashlib.sha256(body).hexdigest() and
          a.get("media_type", "").startswith("text/plain"), f"attach clean: {a}")

    p = run(data, "incident", "attach", iid, bad, code=1)
    err = p.stderr.decode()
    check("CÁCH LY" in err and "QUARANTINED" in err and "Attt.Test.Cli" in err, f"quarantine message: {err!r}")
    q = json.loads(p.stdout)
    check(q.get("state") == "quarantined" and "Attt.Test.Cli" in (q.get("signature") or ""), f"attach infected: {q}")

    fails(data, "incident", "attach", iid, os.path.join(tmp, "khong-co.txt"), code=1, vi="không đọc được",
          en="cannot read")
    exe = os.path.join(tmp, "a.exe")
    with open(exe, "wb") as f:
        f.write(b"MZ\x90\x00\x03\x00\x00\x00")
    fails(data, "incident", "attach", iid, exe, code=1, vi="loại tệp không được nhận", en="type not accepted")
    fails(data, "incident", "attach", "99999", clean, code=1, vi="không có sự cố này", en="no such incident")
    fails(data, "incident", "attach", iid, code=2, vi="thiếu đối số", en="missing argument")
    fails(data, "incident", "attachments", code=2, vi="thiếu đối số", en="missing argument")
    fails(data, "incident", "attach", "x", clean, code=2, vi="không hợp lệ", en="invalid ID")

    # attachments: {"items", "count"}, the quarantined one named with its signature.
    lst = run(data, "incident", "attachments", iid)
    check(lst.get("count") == 2 and [i["state"] for i in lst["items"]] == ["clean", "quarantined"], f"list: {lst}")
    for it in lst.get("items", []):
        keys(it, {"id", "name", "media_type", "size", "sha256", "state", "signature", "uploader", "created_at"},
             "attachment item")

    # download: {"id", "attachment_id", "name", "out", "size", "sha256"}, the bytes as attached.
    out = os.path.join(tmp, "tai-ve.txt")
    d = run(data, "incident", "download", iid, "--attachment", str(a["attachment_id"]), "--out", out)
    check(d == {"id": int(iid), "attachment_id": a["attachment_id"], "name": "Nhật ký.txt", "out": out,
                "size": len(body), "sha256": a["sha256"]}, f"download: {d}")
    with open(out, "rb") as f:
        check(f.read() == body, "downloaded bytes differ")
    fails(data, "incident", "download", iid, "--attachment", str(a["attachment_id"]), "--out", out, code=1,
          vi="không ghi được", en="never replaced")
    qout = os.path.join(tmp, "nhiem.txt")
    fails(data, "incident", "download", iid, "--attachment", str(q["attachment_id"]), "--out", qout, code=1,
          vi="CÁCH LY", en="QUARANTINED")
    check(not os.path.exists(qout), "a quarantined file was written")
    fails(data, "incident", "download", iid, "--attachment", "99999", "--out", qout, code=1,
          vi="không có tệp đính kèm", en="no such attachment")
    fails(data, "incident", "download", iid, "--attachment", "1", "--document", "1", "--out", qout, code=2,
          vi="cần --attachment A hoặc --document D", en="one of --attachment or --document")
    fails(data, "incident", "download", iid, "--attachment", "1", code=2, vi="--out TỆP", en="--out")


def main():
    if not ATTT:
        print("ATTT_BIN not set", file=sys.stderr)
        return 1
    tmp = tempfile.mkdtemp(prefix="attt-incident-cli-")
    try:
        data = os.path.join(tmp, "data")
        run(data, "init", js=False)
        sup = str(run(data, "agency", "add", "--name", "Sở Thông tin và Truyền thông", "--type", "department")["id"])
        own = str(run(data, "agency", "add", "--name", "Phòng Kế hoạch", "--type", "other", "--parent", sup)["id"])
        run(data, "user", "add", "--username", "so.sotttt", "--new-person", "Nguyễn Thị Cấp Trên", "--agency", sup,
            "--role", "security_officer", js=False)

        # R8.8: the report and its guidance.
        r = run(data, "incident", "report", "--agency", own, "--title", "Trang thông tin bị thay đổi giao diện",
                "--description", "Trang chủ hiển thị nội dung lạ", "--detected-at", "2026-11-20T08:30:00+07:00", "--type", "defacement", "--system", "ketoan.example.vn, 10.0.0.8")
        iid = str(r["id"])
        check("ngắt kết nối" in r["guidance"]["vi"] and "Internet" in r["guidance"]["vi"], "guidance missing")
        run(data, "incident", "report", "--agency", own, "--title", "x", "--description", "y", "--detected-at",
            "2099-01-01", code=1, js=False)
        run(data, "incident", "report", "--agency", own, "--title", "x", code=2, js=False)

        # R11.1 with a reason; R11.3: raising to cao notifies the superior agency's officer.
        run(data, "incident", "classify", iid, "--severity", "nguy-hiem", "--reason", "x", code=2, js=False)
        run(data, "incident", "classify", iid, "--severity", "cao", "--reason", "Cổng một cửa ngừng hoạt động")
        s = run(data, "incident", "show", iid)
        check(s["severity"] == "cao" and s["step"] == 1, f"show after classify: {s['severity']} {s['step']}")
        check(any(e["kind"] == "classify" and e["detail"] == "Cổng một cửa ngừng hoạt động" for e in s["timeline"]),
              "classify reason not on the timeline")
        check(len(s["notifications"]) >= 1 and s["notifications"][0]["kind"] == "incident.escalated",
              f"no escalation notification: {s['notifications']}")
        check(s["notice_due_at"] is not None, "notice deadline not stored")

        # R11.2: wrong role, wrong state: refused, nothing changes.
        run(data, "incident", "advance", iid, "--action", "own", "--as", "staff", "--text", "x", code=1, js=False)
        run(data, "incident", "advance", iid, "--action", "reported", "--as", "security_officer", "--text", "x",
            code=1, js=False)
        check(run(data, "incident", "show", iid)["step"] == 1, "refused transition changed the step")
        for action, role, text in (("hosted", "security_officer", "Hệ thống đặt tại Trung tâm Dữ liệu tỉnh"),
                                   ("reported", "agency_head", "Số 12/BC-PKH"),
                                   ("coordinated", "response_team", "Đã khôi phục trang"),
                                   ("close", "agency_head", "Biên bản kết thúc: đã khôi phục giao diện")):
            run(data, "incident", "advance", iid, "--action", action, "--as", role, "--text", text)
        s = run(data, "incident", "show", iid)
        check(s["step"] == 0 and s["status"] == "closed", f"not closed: {s['step']} {s['status']}")

        # Forms: stored with the incident, text with diacritics, fonts embedded.
        have_poppler = shutil.which("pdftotext") and shutil.which("pdffonts")
        want = {"03": ["BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG", "Phòng Kế hoạch", "ketoan.example.vn, 10.0.0.8",
                       "Trang thông tin bị thay đổi giao diện", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
                "04": ["BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ", "Biên bản kết thúc: đã khôi phục giao diện", "Số 12/BC-PKH"],
                "05": ["Thay đổi giao diện", "Phòng Kế hoạch"]}
        for form, words in want.items():
            out = os.path.join(tmp, f"mau{form}.pdf")
            f = run(data, "incident", "form", iid, "--form", form, "--out", out)
            check(f["unknown_glyphs"] == 0, f"form {form}: unknown glyphs {f['unknown_glyphs']}")
            check(os.path.getsize(out) > 1000, f"form {form}: empty file")
            if have_poppler:
                text = subprocess.run(["pdftotext", out, "-"], stdout=subprocess.PIPE).stdout.decode()
                text = " ".join(text.split())
                for w in words:
                    check(w in text, f"form {form}: {w!r} not in the PDF text")
                fonts = subprocess.run(["pdffonts", out], stdout=subprocess.PIPE).stdout.decode().splitlines()[2:]
                check(fonts and all(line.split()[-5] == "yes" for line in fonts), f"form {form}: font not embedded")
        run(data, "incident", "form", iid, "--form", "06", "--out", os.path.join(tmp, "x.pdf"), code=2, js=False)
        s = run(data, "incident", "show", iid)
        check([d["form"] for d in s["documents"]] == ["03", "04", "05"], f"documents: {s['documents']}")
        check(len(run(data, "incident", "list")["items"]) == 1, "list")
        sug = run(data, "incident", "suggest", "--main", "--several")
        check(sug["severity"] == "khan-cap", f"suggest: {sug}")

        # Document download of a stored form: the same shape with document_id.
        doc = s["documents"][0]
        dout = os.path.join(tmp, "mau03-tai-ve.pdf")
        d = run(data, "incident", "download", iid, "--document", str(doc["id"]), "--out", dout)
        check(d.get("document_id") == doc["id"] and d.get("size") == os.path.getsize(dout) and
              d.get("sha256") == doc["sha256"], f"document download: {d}")

        work = tasks_links_sweep(data, own)
        attachments(data, tmp, work)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILS:
        return 1
    print("test_incident_cli: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
