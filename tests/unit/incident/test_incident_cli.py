#!/usr/bin/env python3
"""test_incident_cli.py: the contract of `attt incident` for scripts (issue 5), run against the
built binary (ATTT_BIN): report prints {"id"} and the R8.8 malware guidance; classify records the
R11.1 reason; an R11.3 escalation notifies the superior agency's security officer; the R11.2 steps
are refused to the wrong role and state without changing anything; show --json carries severity,
step, timeline and notifications; form writes Mẫu 03/04/05 as PDF, stores it with the incident and
every label and value (with diacritics) is in the text and every font is embedded (pdftotext,
pdffonts from poppler-utils)."""
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
        return json.loads(p.stdout)
    return p


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
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILS:
        return 1
    print("test_incident_cli: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
