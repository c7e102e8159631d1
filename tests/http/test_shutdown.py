#!/usr/bin/env python3
"""test_shutdown.py REBILL SOURCE_ROOT: SIGTERM stops `rebill serve`
gracefully. A request being handled when the signal comes is finished and
answered, and its change is in the database. A request that had not been
handled yet (here on a keep-alive connection opened before the signal) is
answered at once with 503 shutting_down, Retry-After and Connection: close.
It is never dropped unanswered, and never run. Then the server exits 0.
An import job still reading is stopped before its commit: the database is
unchanged, and the server says so on stderr.

The request in progress is made slow without any timing guesswork. The test
holds the database's write lock (BEGIN IMMEDIATE from its own sqlite3
connection). A POST that needs it waits in its handler, within the store's
5 s busy timeout, until the test lets go. The test sees it waiting in
/proc: a server thread asleep in SQLite's busy handler. The import job reads a FIFO that
the test fills: half a month before the signal, the rest after it."""
import glob
import http.client
import json
import os
import signal
import subprocess
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
    log = open(os.path.join(tmp, 'serve.err'), 'w+')
    srv = serverlib.Server(rebill, db, '--cache-mb', '0', stderr=log)
    try:
        run_import(t, srv, db, tmp, log)
    finally:
        srv.stop()
        log.close()
        serverlib.cleanup(tmp)
    return t.summary()


def stored(db):
    """What an import changes: the import history and the facts."""
    con = sqlite3.connect(db)
    try:
        return (con.execute('SELECT * FROM imports ORDER BY id').fetchall(),
                con.execute('SELECT count(*), sum(unblended), sum(rows) FROM fact_rows').fetchone())
    finally:
        con.close()


def run_import(t, srv, db, tmp, log):
    st, tok, csrf, _ = srv.login('admin@example.com')
    t.check(st == 200 and tok and csrf, 'admin logs in (second server)')
    month = sorted(glob.glob(os.path.join(tmp, 'gen', '**', '*.csv'), recursive=True))[0]
    data = open(month, 'rb').read()
    half = data.index(b'\n', len(data) // 2) + 1
    fifo = os.path.join(tmp, 'month.csv')
    os.mkfifo(fifo)
    before = stored(db)
    go_on = threading.Event()

    def feed():
        with open(fifo, 'wb') as f:   # waits for the import to open it
            f.write(data[:half])
            f.flush()
            go_on.wait(30)
            try:
                f.write(data[half:])
            except BrokenPipeError:
                pass

    th = threading.Thread(target=feed)
    th.start()
    st, hd, body = srv.request('POST', '/api/v1/imports', {'path': fifo}, cookie=tok,
                               headers={'X-CSRF-Token': csrf})
    job = json.loads(body).get('id') if st == 202 else None
    t.check(st == 202 and job, 'an import of a server path (a FIFO) starts (%d)' % st)
    time.sleep(1.0)
    st, hd, body = srv.request('GET', '/api/v1/imports/%s' % job, cookie=tok)
    t.check(st == 200 and json.loads(body).get('state') == 'running',
            'the import job is running, reading the FIFO')

    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    t.check(srv.proc.poll() is None, 'after SIGTERM the server waits for the import job')
    go_on.set()   # the rest of the month: the import could now commit, but must not
    th.join(30)
    try:
        rc = srv.proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        rc = None
    t.check(rc == 0, 'then the server exits 0 (%r)' % rc)
    log.seek(0)
    err = log.read()
    t.check('rebill: import %s, %s, was stopped by the shutdown before its commit; '
            'the database is unchanged' % (job, fifo) in err,
            'stderr says the import was stopped before its commit (%r)' % err[-300:])
    t.check(stored(db) == before, 'the database is unchanged (import history and facts)')


def sleeping_threads(pid):
    """The server's threads asleep in nanosleep: here only SQLite's busy
    handler sleeps (the pool waits in epoll, the main thread in sigwait)."""
    n = 0
    for task in glob.glob('/proc/%d/task/*' % pid):
        try:
            with open(task + '/wchan') as f:
                n += 'nanosleep' in f.read()
        except OSError:
            pass
    return n


def wait_for_lock_wait(pid, timeout=20):
    """Waits (polling /proc) until a server thread waits for the write lock,
    however loaded the machine is; False after timeout seconds."""
    end = time.time() + timeout
    while time.time() < end:
        if sleeping_threads(pid):
            return True
        time.sleep(0.01)
    return False


def run(t, srv, db):
    st, tok, csrf, _ = srv.login('admin@example.com')
    t.check(st == 200 and tok and csrf, 'admin logs in')
    cookie = {'Cookie': srv.cookie_name + '=' + tok}

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
    t.check(wait_for_lock_wait(srv.proc.pid), 'the POST reaches its handler and waits for '
            'the write lock (a server thread sleeps in SQLite\'s busy handler)')
    t.check('status' not in answer and 'error' not in answer,
            'the POST waits for the write lock held by the test')

    # A keep-alive connection with one answered request. It is opened now, so
    # a pool thread other than the POST's takes it: a thread busy in a handler
    # accepts no connection. Reads do not wait for the write lock (WAL).
    keep = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
    keep.request('GET', '/api/v1/periods', headers=cookie)
    r = keep.getresponse()
    r.read()
    t.check(r.status == 200 and (r.getheader('Connection') or '').lower() != 'close',
            'a first request on a keep-alive connection is answered, the connection kept')

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
            'the request in progress when SIGTERM came is finished and answered 201 (%r %r)'
            % (answer.get('status') or answer.get('error'), answer.get('body', b'')[:300]))
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
