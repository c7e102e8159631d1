#!/usr/bin/env python3
"""smtp_sink.py DIR PORTFILE [CERT KEY USER PASSWORD]: a loopback SMTP server
(aiosmtpd) that writes every message it receives to DIR/N.eml and the envelope
to DIR/N.env, and its port to PORTFILE once it listens. With CERT, KEY, USER and
PASSWORD it offers STARTTLS with that certificate, refuses MAIL before STARTTLS
(require_starttls) and before AUTH (auth_required), and accepts only USER with
PASSWORD (AUTH PLAIN or LOGIN, over TLS only). For the e-mail tests; stops on
SIGTERM."""
import os, signal, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

out, portfile = sys.argv[1], sys.argv[2]
count = [0]
secure = {}
if len(sys.argv) == 7:
    cert, key, user, password = sys.argv[3:7]
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and data.login == user.encode()
              and data.password == password.encode())
        # handled=False: aiosmtpd itself replies 535 to a wrong password
        return AuthResult(success=ok, handled=False)

    secure = dict(tls_context=tls, require_starttls=True, auth_required=True,
                  auth_require_tls=True, authenticator=authenticator)

class Sink:
    async def handle_DATA(self, server, session, envelope):
        count[0] += 1
        with open(os.path.join(out, f"{count[0]}.eml"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(out, f"{count[0]}.env"), "w") as f:
            f.write(envelope.mail_from + "\n" + "\n".join(envelope.rcpt_tos) + "\n")
        return "250 OK"

# a free loopback port: bind 0, read it, release it (aiosmtpd checks its
# own port by connecting, so port 0 cannot be handed to it)
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
ctl = Controller(Sink(), hostname="127.0.0.1", port=port, **secure)
ctl.start()
with open(portfile + ".tmp", "w") as f:
    f.write(str(port))
os.rename(portfile + ".tmp", portfile)
signal.signal(signal.SIGTERM, lambda *a: (ctl.stop(), sys.exit(0)))
while True:
    time.sleep(1)
