"""`make fetch` against a real HTTP server on 127.0.0.1 that the tests start (no outside network)."""

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.errors import InputError
from pipeline.ingest import run as ingest
from pipeline.ingest.fetch import Politeness, doc_id_for, read_urls, run

from .conftest import FIXTURES, ROOT

PAGE = (FIXTURES / "html" / "disqus.html").read_bytes()
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class Site(BaseHTTPRequestHandler):
    """A small web site with every way a download can go wrong."""
    requests = []          # (path, user agent, monotonic time)

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        Site.requests.append((self.path, self.headers.get("User-Agent"), time.monotonic()))
        path = self.path
        if path == "/robots.txt":
            self.send(200, ROBOTS, "text/plain")
        elif path in ("/page.html", "/second.html", "/private/secret.html"):
            self.send(200, PAGE)
        elif path == "/moved":
            self.send(302, b"", headers=[("Location", "/page.html")])
        elif path == "/slow":
            time.sleep(2.5)
            self.send(200, PAGE)
        elif path == "/drip":                      # headers at once, then a byte now and then
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(30):
                try:
                    self.wfile.write(b"<p>")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.1)
        elif path == "/huge-stream.html":          # no Content-Length: the cap applies while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"<p>" + b"x" * 10000 + b"</p>")
            except OSError:
                pass
        elif path == "/doc.pdf":
            self.send(200, b"%PDF-1.4 ...", "application/pdf")
        elif path == "/huge.html":
            self.send(200, b"<html><body>" + b"<p>A figure of 50% again.</p>" * 20000 + b"</body></html>")
        else:
            self.send(404, b"<h1>Not found</h1>")


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


FAST = Politeness(timeout=1.0, delay=0.0, max_bytes=200_000)


@pytest.mark.parametrize("path,reason", [
    ("/missing", "HTTP 404 Not Found"),
    ("/slow", "timed out after 1 s"),
    ("/drip", "timed out after 1 s"),
    ("/doc.pdf", "not a web page (Content-Type: application/pdf)"),
    ("/huge.html", "larger than 200,000 bytes (raise --max-bytes to keep it)"),
    ("/huge-stream.html", "larger than 200,000 bytes (raise --max-bytes to keep it)"),
    ("/private/secret.html", "disallowed by robots.txt"),
])
def test_a_failed_url_is_reported_and_skipped_with_nothing_written(tmp_path, site, capsys, path, reason):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site}{path}\n{site}/page.html\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    saved, failed = run(urls, corpus, FAST)
    assert failed == {f"{site}{path}": reason}
    assert [r["url"] for r in saved] == [f"{site}/page.html"]
    assert f"skipped {site}{path}: {reason}" in capsys.readouterr().err
    assert sorted(p.name for p in corpus.iterdir()) == sorted([f"{doc_id_for(site + '/page.html')}.html", "fetched.jsonl"])


def test_saved_page_manifest_redirect_and_user_agent(tmp_path, site):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# pages for the test\n\n{site}/page.html\n{site}/moved\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    Site.requests.clear()
    saved, failed = run(urls, corpus, FAST)
    assert not failed and len(saved) == 2
    lines = [json.loads(x) for x in (corpus / "fetched.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["url"], r["final_url"], r["status"]) for r in lines] == [
        (f"{site}/page.html", f"{site}/page.html", 200), (f"{site}/moved", f"{site}/page.html", 200)]
    for record in lines:
        assert (corpus / record["file"]).read_bytes() == PAGE and record["bytes"] == len(PAGE)
        assert record["fetched_at"].endswith("+00:00") and record["content_type"].startswith("text/html")
    assert {agent for _, agent, _ in Site.requests} == {FAST.user_agent}
    assert [p for p, _, _ in Site.requests][0] == "/robots.txt"          # asked first, and once
    assert [p for p, _, _ in Site.requests].count("/robots.txt") == 1
    run(urls, corpus, FAST)                                                # again: same files, same lines
    assert len((corpus / "fetched.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    records = ingest(corpus, tmp_path / "out")                             # and the corpus ingests as pages
    assert {r["format"] for r in records} == {"html"} and len(records) == 2
    assert {r["meta"]["url"] for r in records} == {"https://outdoorhealth.example/2022/cold-water-swimming"}


def test_requests_to_one_host_are_spaced_by_the_delay(tmp_path, site):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site}/page.html\n{site}/second.html\n{site}/missing\n", encoding="utf-8")
    Site.requests.clear()
    run(urls, tmp_path / "corpus", Politeness(timeout=1.0, delay=0.4))
    times = [t for p, _, t in Site.requests if p != "/robots.txt"]
    assert len(times) == 3 and all(b - a >= 0.39 for a, b in zip(times, times[1:]))


def test_cli_exit_codes(tmp_path, site):
    def fetch(text):
        urls = tmp_path / "urls.txt"
        urls.write_text(text, encoding="utf-8")
        return subprocess.run([sys.executable, "-m", "pipeline", "fetch", "--urls", str(urls), "--corpus",
                               str(tmp_path / "c"), "--delay", "0", "--timeout", "1"],
                              capture_output=True, text=True, cwd=ROOT)
    assert fetch(f"{site}/page.html\n{site}/missing\n").returncode == 0      # some saved: success
    result = fetch(f"{site}/missing\n{site}/doc.pdf\n")
    assert result.returncode == 1 and "no URL could be fetched" in result.stderr
    result = fetch("ftp://example.org/x\n")
    assert result.returncode == 2 and "urls.txt:1" in result.stderr and "not an http(s) URL" in result.stderr


def test_url_list_errors(tmp_path):
    with pytest.raises(InputError, match="cannot read the URL list"):
        read_urls(tmp_path / "none.txt")
    (tmp_path / "empty.txt").write_text("# nothing\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="no URLs"):
        read_urls(tmp_path / "empty.txt")
    (tmp_path / "frag.txt").write_text("https://example.org/a#section-2\n", encoding="utf-8")
    assert read_urls(tmp_path / "frag.txt") == ["https://example.org/a#section-2"]
