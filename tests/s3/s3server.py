#!/usr/bin/env python3
"""s3server.py: a loopback stand-in for Amazon S3, for rebill's tests.

Serves ROOT/BUCKET/KEY files as S3 objects: ListObjectsV2 (with a small
page size, so clients must follow continuation tokens) and GetObject (ETag:
the MD5 of the content, If-Match). Every request must carry a valid AWS
Signature Version 4 for the configured keys, region and service s3: the
expected signature is computed by botocore's own signer (botocore.auth
S3SigV4Auth) from the request as received; a bad one gets S3's 403
SignatureDoesNotMatch XML, an unknown key InvalidAccessKeyId, a missing or
wrong session token InvalidToken, an absent bucket 404 NoSuchBucket.

Faults for tests, read from --control FILE (JSON) on every request:
  {"drop": "SUBSTR", "after": N}  a GET of a key containing SUBSTR sends
                                  the full Content-Length, N bytes, then
                                  closes the connection
  {"stall": "SUBSTR", "after": N} the same, but waits 120 s before closing
  {"fail": "SUBSTR", "times": N}  the first N requests whose path contains
                                  SUBSTR get 503 SlowDown
Every request is appended to --log FILE as one JSON line (method, path,
status, signed headers, whether an Authorization header was present).

usage: s3server.py --root DIR --port-file F [--access-key K] [--region R]
                   [--max-keys N] [--control F] [--log F]
The secret key and the session token (none: no token accepted) come from the
environment, S3SERVER_SECRET_KEY and S3SERVER_TOKEN, not from argv.
Prints nothing; writes the port it listens on (127.0.0.1) to --port-file.
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import re
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import botocore.auth
import botocore.awsrequest
import botocore.credentials

AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;\-]+),\s*Signature=([0-9a-f]{64})$")


def s3_error(code, message, status):
    body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s"
            "</Message><RequestId>0000</RequestId></Error>" % (escape(code), escape(message)))
    return status, body.encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cfg = None
    failed = {}   # fault "fail": requests refused so far, per SUBSTR

    def log_message(self, fmt, *args):  # quiet
        pass

    def record(self, status, signed):
        if not self.cfg.log:
            return
        with open(self.cfg.log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path, "status": status,
                                "signed": signed,
                                "auth": "Authorization" in self.headers}) + "\n")

    def send(self, status, body, ctype="application/xml", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def check_auth(self):
        """None when the signature is valid, else (status, body)."""
        cfg = self.cfg
        auth = self.headers.get("Authorization", "")
        m = AUTH_RE.match(auth)
        if not m:
            return s3_error("AccessDenied", "Access Denied", 403)
        akid, date, region, service, signed, signature = m.groups()
        if akid != cfg.access_key:
            return s3_error("InvalidAccessKeyId", "The AWS Access Key Id you provided does "
                            "not exist in our records.", 403)
        if region != cfg.region or service != "s3":
            return s3_error("AuthorizationHeaderMalformed", "The authorization header is "
                            "malformed; the region '%s' is wrong; expecting '%s'" %
                            (region, cfg.region), 400)
        amz_date = self.headers.get("x-amz-date", "")
        if not amz_date.startswith(date):
            return s3_error("AccessDenied", "x-amz-date does not match the credential date", 403)
        try:
            t = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
        except ValueError:
            return s3_error("AccessDenied", "bad x-amz-date", 403)
        if abs((datetime.datetime.utcnow() - t).total_seconds()) > 900:
            return s3_error("RequestTimeTooSkewed", "The difference between the request time "
                            "and the current time is too large.", 403)
        names = signed.split(";")
        for need in ("host", "x-amz-date", "x-amz-content-sha256"):
            if need not in names:
                return s3_error("AccessDenied", "header %s is not signed" % need, 403)
        if self.headers.get("x-amz-content-sha256") is None:
            return s3_error("InvalidRequest", "Missing required header for this request: "
                            "x-amz-content-sha256", 400)
        token = self.headers.get("x-amz-security-token")
        if cfg.token is not None:
            if token != cfg.token or "x-amz-security-token" not in names:
                return s3_error("InvalidToken", "The provided token is malformed or "
                                "otherwise invalid.", 400)
        elif token is not None:
            return s3_error("InvalidToken", "The provided token is malformed or otherwise "
                            "invalid.", 400)
        # Rebuild the request from what was received: the signed headers
        # only, the path as S3 canonicalizes it (decoded, then UriEncoded).
        split = urllib.parse.urlsplit(self.path)
        path = urllib.parse.quote(urllib.parse.unquote(split.path), safe="/~")
        headers = {}
        for n in names:
            v = self.headers.get_all(n)
            if v is None:
                return s3_error("AccessDenied", "signed header %s is missing" % n, 403)
            headers[n] = ",".join(x.strip() for x in v)
        # the query as S3 canonicalizes it: decoded, UriEncoded, sorted
        pairs = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        query = "&".join(sorted("%s=%s" % (urllib.parse.quote(k, safe="-_.~"),
                                           urllib.parse.quote(v, safe="-_.~"))
                                for k, v in pairs))
        url = "http://%s%s%s" % (headers.get("host", ""), path, ("?" + query) if query else "")
        req = botocore.awsrequest.AWSRequest(method=self.command, url=url, headers=headers)
        req.context["timestamp"] = amz_date
        creds = botocore.credentials.Credentials(cfg.access_key, cfg.secret_key)
        signer = botocore.auth.S3SigV4Auth(creds, "s3", cfg.region)
        canonical = signer.canonical_request(req)
        expected = signer.signature(signer.string_to_sign(req, canonical), req)
        if expected != signature:
            return s3_error("SignatureDoesNotMatch", "The request signature we calculated "
                            "does not match the signature you provided. Check your key and "
                            "signing method.", 403)
        return None

    def do_GET(self):
        signed = []
        m = AUTH_RE.match(self.headers.get("Authorization", ""))
        if m:
            signed = m.group(5).split(";")
        try:
            status = self.handle_get()
        except BrokenPipeError:
            status = -1
        self.record(status, signed)

    def control(self):
        if self.cfg.control and os.path.exists(self.cfg.control):
            with open(self.cfg.control) as f:
                return json.load(f)
        return {}

    def handle_get(self):
        bad = self.check_auth()
        if bad:
            self.send(*bad)
            return bad[0]
        ctl = self.control()
        sub = ctl.get("fail")
        if sub and sub in self.path and Handler.failed.get(sub, 0) < int(ctl.get("times", 1)):
            Handler.failed[sub] = Handler.failed.get(sub, 0) + 1
            self.send(*s3_error("SlowDown", "Please reduce your request rate.", 503))
            return 503
        split = urllib.parse.urlsplit(self.path)
        parts = urllib.parse.unquote(split.path).lstrip("/").split("/", 1)
        bucket = parts[0]
        key = parts[1] if len(parts) > 1 else ""
        bdir = os.path.join(self.cfg.root, bucket)
        if not bucket or not os.path.isdir(bdir):
            self.send(*s3_error("NoSuchBucket", "The specified bucket does not exist", 404))
            return 404
        q = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        if not key:
            return self.list_objects(bdir, q)
        return self.get_object(bdir, key)

    def list_objects(self, bdir, q):
        if q.get("list-type") != ["2"]:
            self.send(*s3_error("NotImplemented", "only ListObjectsV2", 501))
            return 501
        prefix = q.get("prefix", [""])[0]
        token = q.get("continuation-token", [""])[0]
        max_keys = min(int(q.get("max-keys", ["1000"])[0]), self.cfg.max_keys)
        keys = []
        for d, _, files in os.walk(bdir):
            for f in files:
                k = os.path.relpath(os.path.join(d, f), bdir).replace(os.sep, "/")
                if k.startswith(prefix):
                    keys.append(k)
        keys.sort(key=lambda k: k.encode())
        if token:
            start = base64.b64decode(token)[2:].decode()
            keys = [k for k in keys if k.encode() > start.encode()]
        page, rest = keys[:max_keys], keys[max_keys:]
        out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
               "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
               "<Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount>"
               "<MaxKeys>%d</MaxKeys><IsTruncated>%s</IsTruncated>" %
               (escape(os.path.basename(bdir)), escape(prefix), len(page), max_keys,
                "true" if rest else "false")]
        if rest:
            # base64 as S3's tokens are: '/', '+' and '=' must be encoded
            out.append("<NextContinuationToken>%s</NextContinuationToken>" %
                       escape(base64.b64encode(b"\xfb\xff" + page[-1].encode()).decode()))
        for k in page:
            p = os.path.join(bdir, k)
            with open(p, "rb") as f:
                etag = hashlib.md5(f.read()).hexdigest()
            out.append("<Contents><Key>%s</Key><LastModified>2026-11-02T00:00:00.000Z"
                       "</LastModified><ETag>&quot;%s&quot;</ETag><Size>%d</Size>"
                       "<StorageClass>STANDARD</StorageClass></Contents>" %
                       (escape(k), etag, os.path.getsize(p)))
        out.append("</ListBucketResult>")
        self.send(200, "\n".join(out).encode())
        return 200

    def get_object(self, bdir, key):
        p = os.path.join(bdir, key)
        if ".." in key.split("/") or not os.path.isfile(p):
            self.send(*s3_error("NoSuchKey", "The specified key does not exist.", 404))
            return 404
        with open(p, "rb") as f:
            data = f.read()
        etag = hashlib.md5(data).hexdigest()
        want = self.headers.get("If-Match")
        if want is not None and want.strip('"') != etag:
            self.send(*s3_error("PreconditionFailed", "At least one of the pre-conditions "
                                "you specified did not hold", 412))
            return 412
        ctl = self.control()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", '"%s"' % etag)
        self.end_headers()
        if ctl.get("stall") and ctl["stall"] in key:
            self.wfile.write(data[:int(ctl.get("after", 0))])
            self.wfile.flush()
            time.sleep(120)
            self.close_connection = True
            return 298   # stalled mid-file
        if ctl.get("drop") and ctl["drop"] in key:
            self.wfile.write(data[:int(ctl.get("after", 0))])
            self.wfile.flush()
            self.close_connection = True
            return 299   # dropped mid-file
        self.wfile.write(data)
        return 200


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--access-key", default="AKIDREBILLTEST")
    ap.add_argument("--region", default="eu-west-1")
    ap.add_argument("--max-keys", type=int, default=3)
    ap.add_argument("--control", default=None)
    ap.add_argument("--log", default=None)
    cfg = ap.parse_args()
    cfg.secret_key = os.environ.get("S3SERVER_SECRET_KEY", "rebill/test/secret+key")
    cfg.token = os.environ.get("S3SERVER_TOKEN") or None
    Handler.cfg = cfg
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = cfg.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, cfg.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
