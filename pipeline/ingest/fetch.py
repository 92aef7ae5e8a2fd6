"""`make fetch`: download web pages into the corpus as raw HTML, politely.

The only part of the project that uses the network, and only when asked.
Each page is saved atomically as CORPUS/<host>_<hash of the URL>.html and
described by a line of CORPUS/fetched.jsonl (URL, final URL, fetch time, HTTP
status, content type, bytes, sha256); a URL that fails is reported and
skipped, never half-saved. robots.txt is obeyed (including Crawl-delay), each
host is asked at most once per `delay` seconds, every request has a time limit
and a size cap.
"""

import hashlib
import re
import sys
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from .. import settings
from ..errors import InputError
from ..files import atomic_open, read_jsonl, write_jsonl

MANIFEST = "fetched.jsonl"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 65536


@dataclass(frozen=True)
class Politeness:
    user_agent: str = f"health-claims-fetch/{settings.EXTRACTOR_VERSION} (+research; honours robots.txt)"
    timeout: float = 20.0           # seconds for the whole response, connecting included
    delay: float = 2.0              # seconds between two requests to the same host
    max_bytes: int = 10_000_000     # a bigger page is skipped


class FetchError(Exception):
    """One URL could not be saved; the message says why."""


def read_urls(path):
    """URLs of a list file: one per line; blank lines and # comments skipped; bad lines are errors."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as err:
        raise InputError(path, f"cannot read the URL list: {err.strerror} (make fetch URLS=file CORPUS=folder)") from None
    urls = []
    for n, line in enumerate(lines, 1):
        url = "" if line.lstrip().startswith("#") else line.strip()     # '#' inside a URL is its fragment
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(path, f"not an http(s) URL: {url!r}", line=n)
        urls.append(url)
    if not urls:
        raise InputError(path, "no URLs in the list")
    return urls


def doc_id_for(url):
    """A stable file name for a URL: the host (letters, digits, dashes) and a hash of the whole URL."""
    host = re.sub(r"[^a-z0-9]+", "-", urlsplit(url).hostname or "page").strip("-")[:40]
    return f"{host}_{hashlib.sha256(url.encode('utf-8')).hexdigest()[:16]}"


def _too_big(limits):
    return FetchError(f"larger than {limits.max_bytes:,} bytes (raise --max-bytes to keep it)")


def _read_limited(response, limits, deadline):
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise _too_big(limits)
    data = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise FetchError(f"timed out after {limits.timeout:g} s")
        chunk = response.read(_CHUNK)
        if not chunk:
            return bytes(data)
        data += chunk
        if len(data) > limits.max_bytes:
            raise _too_big(limits)


def http_get(url, limits, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"):
    """(status, final URL, content type, body); FetchError for anything that is not a usable answer."""
    request = urllib.request.Request(url, headers={"User-Agent": limits.user_agent, "Accept": accept})
    deadline = time.monotonic() + limits.timeout
    try:
        with urllib.request.urlopen(request, timeout=limits.timeout) as response:
            body = _read_limited(response, limits, deadline)
            return response.status, response.geturl(), response.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as err:
        raise FetchError(f"HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        reason = err.reason
        raise FetchError(f"timed out after {limits.timeout:g} s" if isinstance(reason, TimeoutError)
                         else f"cannot connect: {reason}") from None
    except TimeoutError:
        raise FetchError(f"timed out after {limits.timeout:g} s") from None
    except (OSError, ValueError) as err:
        raise FetchError(f"failed: {err}") from None


class Robots:
    """robots.txt per host, fetched once. Missing (4xx) allows everything; unreachable
    or a server error (5xx) allows nothing, as RFC 9309 says."""

    def __init__(self, limits):
        self.limits, self.parsers = limits, {}

    def parser(self, url):
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self.parsers:
            parser = urllib.robotparser.RobotFileParser(root + "/robots.txt")
            try:
                _, _, _, body = http_get(root + "/robots.txt", self.limits, accept="text/plain")
                parser.parse(body.decode("utf-8", errors="replace").splitlines())
            except FetchError as err:
                code = re.match(r"HTTP (\d+)", str(err))
                if code and 400 <= int(code.group(1)) < 500:
                    parser.allow_all = True
                else:
                    parser.disallow_all = True
            self.parsers[root] = parser
        return self.parsers[root]

    def allowed(self, url):
        return self.parser(url).can_fetch(self.limits.user_agent, url)

    def delay(self, url):
        return self.parser(url).crawl_delay(self.limits.user_agent) or 0


def fetch_page(url, limits):
    """(record, html bytes) of one page; FetchError if it is not a complete HTML page."""
    status, final_url, content_type, body = http_get(url, limits)
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in HTML_TYPES:
        raise FetchError(f"not a web page (Content-Type: {content_type or 'none'})")
    if status != 200 or not body.strip():
        raise FetchError(f"HTTP {status} with {'an empty' if not body.strip() else 'a partial'} body")
    doc_id = doc_id_for(url)
    return {"doc_id": doc_id, "file": f"{doc_id}.html", "url": url, "final_url": final_url,
            "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "status": status,
            "content_type": content_type, "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}, body


def run(urls_file, corpus, limits=Politeness(), log=None):
    """Fetch every URL of the list into `corpus`. Returns (saved records, {url: reason} of failures)."""
    log = log or sys.stderr
    urls = read_urls(urls_file)
    corpus = Path(corpus)
    corpus.mkdir(parents=True, exist_ok=True)
    manifest = corpus / MANIFEST
    known = {r["doc_id"]: r for r in read_jsonl(manifest)} if manifest.exists() else {}
    robots, last_request, saved, failed = Robots(limits), {}, [], {}
    for n, url in enumerate(urls, 1):
        host = urlsplit(url).netloc
        try:
            if not robots.allowed(url):
                raise FetchError("disallowed by robots.txt")
            wait = max(limits.delay, robots.delay(url)) - (time.monotonic() - last_request.get(host, -1e9))
            if wait > 0:
                time.sleep(wait)
            last_request[host] = time.monotonic()
            record, body = fetch_page(url, limits)
        except FetchError as err:
            failed[url] = str(err)
            print(f"fetch [{n}/{len(urls)}] skipped {url}: {err}", file=log)
            continue
        with atomic_open(corpus / record["file"], "wb") as fh:
            fh.write(body)
        known[record["doc_id"]] = record
        write_jsonl(manifest, list(known.values()))        # after each page: an interruption keeps what was saved
        saved.append(record)
        print(f"fetch [{n}/{len(urls)}] saved {url} -> {corpus / record['file']} ({len(body):,} bytes)", file=log)
    print(f"fetch: {len(saved)} saved, {len(failed)} skipped -> {corpus} (list: {manifest})", file=log)
    return saved, failed
