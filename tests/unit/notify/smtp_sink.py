#!/usr/bin/python3
"""smtp_sink.py: a local SMTP server for the notify tests (Debian python3-aiosmtpd).

  smtp_sink.py DIR [PORT]

Listens on 127.0.0.1:PORT (a free port when 0 or absent), prints the port on stdout once it
accepts connections, and writes every mail it receives as DIR/NNNN.json: the envelope, the raw
message, and the subject and body decoded the way a mail client decodes them (RFC 2047, base64,
charset), so that the C test compares exact UTF-8 strings. Stops on SIGTERM or when stdin closes.
"""
import email
import email.policy
import json
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out):
        self.out = out
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        rec = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "date": str(msg["date"]),
            "message_id": str(msg["message-id"]),
            "content_type": msg.get_content_type(),
            "charset": msg.get_content_charset(),
            "transfer_encoding": str(msg["content-transfer-encoding"]),
            "body": body.get_content() if body is not None else None,
            "raw": raw.decode("ascii", "replace"),
        }
        with self.lock:
            self.n += 1
            path = os.path.join(self.out, "%04d.json" % self.n)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(rec, f, ensure_ascii=False)
        os.rename(tmp, path)
        return "250 OK"


def main():
    out = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if port == 0:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    ctl = Controller(Sink(out), hostname="127.0.0.1", port=port)
    ctl.start()
    print(port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    ctl.stop()


if __name__ == "__main__":
    main()
