"""serverlib.py: what the web tests share — a database made with the real
rebill binary (generated CUR, examples/config.json, users added through
`rebill user add` with the password on stdin), a real `rebill serve` on a
free loopback port, and a small HTTP client that keeps no cookie jar of its
own (each call says which session it uses) and never follows redirects."""
import http.client
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import urllib.parse

PASSWORDS = {
    'admin@example.com': ('admin', None, 'admin-password-1'),
    'finance@example.com': ('finance', None, 'finance-password-1'),
    'viewer@example.com': ('viewer', None, 'viewer-password-1'),
    'a@acme.example': ('customer', 'acme', 'acme-password-1'),
    'b@brit.example': ('customer', 'brit', 'brit-password-1'),
}


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def check(self, cond, name):
        if cond:
            self.passed += 1
            print('ok - ' + name)
        else:
            self.failed += 1
            print('FAIL - ' + name)
        return cond

    def summary(self):
        if self.skipped and os.environ.get('CI') == 'true':
            self.failed += self.skipped  # under CI nothing may be skipped
        print('%d passed, %d failed, %d skipped' % (self.passed, self.failed, self.skipped))
        return 1 if self.failed else 0


def make_db(rebill, source_root):
    """A temporary directory with r.db: two payers' generated month 2026-10,
    the example configuration, and the users of PASSWORDS."""
    tmp = tempfile.mkdtemp(prefix='rebill-web-')
    db = os.path.join(tmp, 'r.db')
    env = dict(os.environ, REBILL_DB=db)
    gen = os.path.join(tmp, 'gen')
    run = lambda *a, **kw: subprocess.run([rebill, *a], env=env, check=True,
                                          stdout=subprocess.DEVNULL, **kw)
    run('gen', '--payers', '2', '--accounts', '4', '--rows', '400', '--period', '2026-10', gen)
    run('import', '--quiet', gen)
    run('config', 'apply', os.path.join(source_root, 'examples', 'config.json'))
    for email, (role, customer, pw) in PASSWORDS.items():
        args = ['user', 'add', email, '--role', role]
        if customer:
            args += ['--customer', customer]
        run('--quiet', *args, input=(pw + '\n').encode())
    return tmp, db


class Server:
    def __init__(self, rebill, db, *extra, stderr=None):
        self.proc = subprocess.Popen([rebill, '--db', db, 'serve', '--listen', '127.0.0.1:0',
                                      '--threads', '4', *extra],
                                     stdout=subprocess.PIPE, stderr=stderr, text=True)
        line = self.proc.stdout.readline()
        if 'listening on http' not in line:
            self.stop()
            raise RuntimeError('the server did not start: %r' % line)
        url = urllib.parse.urlparse(line.split('listening on ', 1)[1].strip())
        self.host, self.port, self.tls = url.hostname, url.port, url.scheme == 'https'
        self.cookie_name = '__Host-rebill_session' if self.tls else 'rebill_session'

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def request(self, method, path, body=None, cookie=None, headers=None, ctype=None):
        """Returns (status, headers dict lowercased, body bytes)."""
        if self.tls:
            # the test's own self-signed certificate
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            c = http.client.HTTPSConnection(self.host, self.port, timeout=60, context=ctx)
        else:
            c = http.client.HTTPConnection(self.host, self.port, timeout=60)
        h = dict(headers or {})
        if cookie:
            h['Cookie'] = self.cookie_name + '=' + cookie
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            ctype = ctype or 'application/json'
        if ctype:
            h['Content-Type'] = ctype
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        hd = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hd, data

    def login(self, email, password=None, cookie=None):
        """Logs in: returns (status, token or None, csrf or None, headers)."""
        pw = password if password is not None else PASSWORDS[email][2]
        st, hd, data = self.request('POST', '/api/v1/session', {'email': email, 'password': pw},
                                    cookie=cookie)
        token = None
        sc = hd.get('set-cookie', '')
        if sc.startswith(self.cookie_name + '='):
            token = sc.split(';', 1)[0].split('=', 1)[1]
        csrf = json.loads(data).get('csrf') if st == 200 else None
        return st, token, csrf, hd


def cleanup(tmp):
    shutil.rmtree(tmp, ignore_errors=True)
