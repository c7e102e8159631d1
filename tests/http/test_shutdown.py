#!/usr/bin/env python3
"""test_shutdown.py REBILL SOURCE_ROOT: SIGTERM stops `rebill serve`
gracefully. A request being handled when the signal comes is finished and
answered, and its change is in the database. A request that had not been
handled yet (here on a keep-alive connection opened before the signal) is
answered at once with 503 shutting_down, Retry-After and Connection: close.
It is never dropped unanswered, and never run. Then the server exits 0.

The request in progress is made slow without any timing guesswork. The test
holds the database's write lock (BEGIN IMMEDIATE from its own sqlite3
connection). A POST that needs it waits in its handler, within the store's
5 s busy timeout, until the test lets go."""
import http.client
import json
import os
import signal
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib  # noqa: E402


def main():
    rebill, root = sys.argv[1], sys.argv[2]
    t = serverlib.Results()
    tmp, db = serverlib.make_db(rebill, root)
    srv = serverlib.Server(rebill, db, '--cache-mb', '0')
    try:
        run(t, srv, db)
    finally:
        srv.stop()
        serverlib.cleanup(tmp)
    return t.summary()


def run(t, srv, db):
    st, tok, csrf, _ = srv.login('admin@example.com')
    t.check(st == 200 and tok and csrf, 'admin logs in')
    cookie = {'Cookie': srv.cookie_name + '=' + tok}

    # a keep-alive connection with one answered request
    keep = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
    keep.request('GET', '/api/v1/periods', headers=cookie)
    r = keep.getresponse()
    r.read()
    t.check(r.status == 200 and (r.getheader('Connection') or '').lower() != 'close',
            'a first request on a keep-alive connection is answered, the connection kept')

    # the write lock, held by the test: the next POST waits inside its handler
    lock = sqlite3.connect(db, timeout=10, isolation_level=None)
    lock.execute('BEGIN IMMEDIATE')
    answer = {}

    def post():
        c = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
        try:
            body = json.dumps({'id': 'late', 'name': 'Late Ltd', 'currency': 'EUR',
                               'plan': 'standard'})
            c.request('POST', '/api/v1/customers', body=body,
                      headers=dict(cookie, **{'X-CSRF-Token': csrf,
                                              'Content-Type': 'application/json'}))
            resp = c.getresponse()
            answer['status'] = resp.status
            answer['body'] = resp.read()
        except (OSError, http.client.HTTPException) as e:
            answer['error'] = repr(e)
        finally:
            c.close()

    th = threading.Thread(target=post)
    th.start()
    time.sleep(1.0)   # the POST is in its handler, waiting for the lock
    t.check('status' not in answer and 'error' not in answer,
            'the POST waits for the write lock held by the test')

    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    t.check(srv.proc.poll() is None,
            'after SIGTERM the server is still running: a request is in progress')

    # a request that was not being handled when the signal came
    try:
        keep.request('GET', '/api/v1/periods', headers=cookie)
        r = keep.getresponse()
        data = r.read()
        code = json.loads(data).get('error', {}).get('code') if data else None
        t.check(r.status == 503 and code == 'shutting_down',
                'a request after SIGTERM is answered 503 shutting_down (%s %r)' % (r.status, code))
        t.check(r.getheader('Retry-After') == '5', 'the 503 says Retry-After: 5')
        t.check((r.getheader('Connection') or '').lower() == 'close',
                'the 503 closes the connection')
    except (OSError, http.client.HTTPException) as e:
        t.check(False, 'a request after SIGTERM is answered, not dropped (%r)' % e)
    keep.close()

    lock.execute('ROLLBACK')
    lock.close()
    th.join(20)
    t.check(answer.get('status') == 201,
            'the request in progress when SIGTERM came is finished and answered 201 (%r)'
            % (answer.get('status') or answer.get('error')))
    try:
        rc = srv.proc.wait(timeout=20)
    except Exception:
        rc = None
    t.check(rc == 0, 'then the server exits 0 (%r)' % rc)
    con = sqlite3.connect(db)
    try:
        n = con.execute('SELECT count(*) FROM customers WHERE id = ?', ('late',)).fetchone()[0]
    finally:
        con.close()
    t.check(n == 1, 'the answered request\'s change is in the database')


if __name__ == '__main__':
    sys.exit(main())
