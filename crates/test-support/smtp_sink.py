"""A real SMTP server on loopback for Relance's delivery tests (aiosmtpd).

Usage: smtp_sink.py PORT DIRECTORY [USER:PASSWORD | tls=CERT.pem,KEY.pem]. Prints "ready" once
listening, stops when its standard input closes. With USER:PASSWORD, mail is accepted only after
AUTH (PLAIN or LOGIN) with them (535 otherwise). With tls=CERT,KEY, STARTTLS is offered with
that certificate and required before any mail. Every message accepted is written to DIRECTORY as NNNN.json (its headers and
parts, decoded by Python's email package) and NNNN.eml (the bytes received), plus each PDF
attachment as NNNN-<name>.

Recipients steer the server, as a real one would answer:
- bounce…@…: 550 5.1.1 mailbox unavailable (a permanent refusal of the recipient);
- later…@…: 451 4.3.0 the first time, accepted afterwards (a temporary failure);
- busy…@…: 451 4.3.0 every time.
"""

import email
import email.policy
import json
import logging
import os
import ssl
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Handler:
    def __init__(self, out):
        self.out = out
        self.count = 0
        self.deferred = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("bounce"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("busy"):
            return "451 4.3.0 <%s>: try again later" % address
        if local.startswith("later") and address not in self.deferred:
            self.deferred.add(address)
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = os.path.join(self.out, "%04d" % self.count)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in message.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            entry = {"type": part.get_content_type(), "filename": filename}
            if filename:
                payload = part.get_payload(decode=True)
                entry["size"] = len(payload)
                with open("%s-%s" % (stem, filename), "wb") as f:
                    f.write(payload)
            else:
                entry["text"] = part.get_content()
            parts.append(entry)
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "reply_to": str(message["Reply-To"]) if message["Reply-To"] else None,
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "content_type": message.get_content_type(),
            "parts": parts,
        }
        with open(stem + ".eml", "wb") as f:
            f.write(raw)
        with open(stem + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False)
        os.rename(stem + ".json.tmp", stem + ".json")
        return "250 2.0.0 queued as %d" % self.count


def authenticator(credentials):
    user, password = credentials.split(":", 1)

    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False)

    return check


def main():
    # AUTH without TLS is what the tests want on loopback: no warnings about it.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    port = int(sys.argv[1])
    out = sys.argv[2]
    options = {}
    if len(sys.argv) > 3 and sys.argv[3].startswith("tls="):
        cert, key = sys.argv[3][len("tls="):].split(",", 1)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        options = {"tls_context": context, "require_starttls": True}
    elif len(sys.argv) > 3:
        # Plain text on loopback only: the tests check AUTH itself, not TLS.
        options = {
            "authenticator": authenticator(sys.argv[3]),
            "auth_required": True,
            "auth_require_tls": False,
        }
    controller = Controller(Handler(out), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
