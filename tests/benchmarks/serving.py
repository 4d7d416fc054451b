"""Throughput under gunicorn, measured with wrk: pages against /login in one run, and intake
of distinct phone numbers with one worker against three."""
import atexit
import http.cookiejar
import os
import re
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager

from tests.benchmarks.data import PASSWORD, TOKEN, BenchCompany

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INTAKE_SCRIPT = """
local counter = 0
local threads = 0
function setup(thread) thread:set("offset", BASE + threads * 1000000); threads = threads + 1 end
function request()
  counter = counter + 1
  local phone = string.format("+49151%08d", offset + counter)
  local body = '{"customer_name": "Bench caller", "phone_number": "' .. phone .. '", "branch_id": BRANCH}'
  return wrk.format("POST", "/api/v1/callbacks", {["Content-Type"] = "application/json",
                    ["Authorization"] = "Bearer TOKEN"}, body)
end
"""


@contextmanager
def gunicorn(database_url: str, redis_url: str | None, port: int, workers: int):
    """gunicorn serving the portal in production mode on 127.0.0.1:`port`; stopped afterwards."""
    env = {**os.environ, "PORTAL_ENV": "production", "SECRET_KEY": "bench-only-" + "x" * 40,
           "SESSION_COOKIE_SECURE": "0", "DATABASE_URL": database_url, "CACHE_KEY_PREFIX": "portal-bench:",
           # The intake measures the server, not the per-token limit (60 a minute by default).
           "API_RATE_LIMIT": "1000000 per minute",
           # The bench admin signs in with a password alone: production would send it to TOTP
           # enrolment first, and every page would then measure a redirect.
           "MFA_REQUIRED_ROLES": ""}
    if redis_url:
        env["REDIS_URL"] = redis_url
    server = subprocess.Popen(
        [os.path.join(ROOT, ".venv/bin/gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer at {url}")


def session_cookie(base: str, company: BenchCompany) -> str:
    """Sign in through the real form (with its CSRF token); the session cookie as a header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"email": company.admin_email, "password": PASSWORD, "csrf_token": token})
    signed_in = opener.open(base + "/login", data.encode())
    if signed_in.geturl().rstrip("/") != base:  # the dashboard, not the form again or an MFA step
        raise RuntimeError(f"the bench admin is not signed in (ended at {signed_in.geturl()})")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def answers_200(url: str, cookie: str) -> None:
    """wrk counts a redirect as a success: make sure the page itself answers before measuring it."""
    opener = urllib.request.build_opener(_NoRedirect())
    status = opener.open(urllib.request.Request(url, headers={"Cookie": cookie})).status
    if status != 200:
        raise RuntimeError(f"{url} answered {status}, not the page")


def wrk(url: str, seconds: int, cookie: str | None = None, script: str | None = None, connections: int = 6) -> float:
    """Requests per second that wrk reaches against `url` (non-2xx/3xx answers make it fail)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"wrk saw errors on {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))


def page_throughput(base: str, company: BenchCompany, urls: dict[str, str],
                    seconds: int) -> dict[str, tuple[float, float]]:
    """(req/s of each page, req/s of /login signed out just before it), in one gunicorn run: the
    reference is taken beside each page, so load that drifts on a shared machine hits both."""
    cookie = session_cookie(base, company)
    for url in urls.values():
        answers_200(base + url, cookie)
    return {label: (wrk(base + url, seconds, cookie), wrk(base + "/login", max(seconds // 2, 3)))
            for label, url in urls.items()}


def intake_throughput(database_url: str, redis_url: str | None, port: int, company: BenchCompany,
                      seconds: int) -> dict[int, float]:
    """req/s of the intake API with distinct phone numbers, under 1 and under 3 workers."""
    results = {}
    for run, workers in enumerate((1, 3)):
        with gunicorn(database_url, redis_url, port, workers) as base:
            # Each run (and its warm-up) calls from phones of its own: every request is a new callback.
            wrk(base + "/api/v1/callbacks", 2, script=_intake_script(company, 50_000_000 + run * 8_000_000))
            script = _intake_script(company, 54_000_000 + run * 8_000_000)
            results[workers] = wrk(base + "/api/v1/callbacks", seconds, script=script)
    return results


def _intake_script(company: BenchCompany, base: int) -> str:
    script = (INTAKE_SCRIPT.replace("BRANCH", str(company.branch_id)).replace("TOKEN", TOKEN + company.slug)
              .replace("BASE", str(base)))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, dir=tempfile.gettempdir()) as handle:
        handle.write(script)
    atexit.register(os.unlink, handle.name)
    return handle.name
