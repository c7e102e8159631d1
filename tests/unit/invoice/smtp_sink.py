#!/usr/bin/env python3
"""smtp_sink.py DIR PORTFILE: a loopback SMTP server (aiosmtpd) that writes every
message it receives to DIR/N.eml and the envelope to DIR/N.env, and its port to
PORTFILE once it listens. For the e-mail tests; stops on SIGTERM."""
import os, signal, sys, time
from aiosmtpd.controller import Controller

out, portfile = sys.argv[1], sys.argv[2]
count = [0]

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
ctl = Controller(Sink(), hostname="127.0.0.1", port=port)
ctl.start()
with open(portfile + ".tmp", "w") as f:
    f.write(str(port))
os.rename(portfile + ".tmp", portfile)
signal.signal(signal.SIGTERM, lambda *a: (ctl.stop(), sys.exit(0)))
while True:
    time.sleep(1)
