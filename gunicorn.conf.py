"""Gunicorn settings read from the repository root (gunicorn loads ./gunicorn.conf.py itself).

A start-up check, the logger and proxy trust live here; workers, bind address and
the rest stay on the command line (`make run`, docs/production.md).
"""

# Searches never reach a log: no access log, no quoted request lines (portal/serving.py).
logger_class = "portal.serving.RedactingLogger"
accesslog = None

# gunicorn trusts no X-Forwarded-* header itself (its default trusts any local client, so
# a local proxy could turn HTTPS on with PROXY_HOPS=0); the app's ProxyFix trusts exactly
# PROXY_HOPS proxies (portal/security.py).
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}


def on_starting(server) -> None:
    """Refuse to serve production with per-process rate limits and more than one worker.

    `memory://` counters live in each worker, so N workers let about N times each
    limit through (tests/test_concurrency.py). `flask --app portal check` catches
    this only when WEB_CONCURRENCY is set; here the real worker count decides.
    """
    from portal.config import ROOT, load_config
    from portal.security import SHARE_LIMITS, per_process_limits

    config = load_config(ROOT / "instance")
    if config["PORTAL_ENV"] != "production":
        return
    storage = config["RATELIMIT_STORAGE_URI"]
    if per_process_limits(storage, server.cfg.workers):
        raise RuntimeError(
            f"RATELIMIT_STORAGE_URI is memory:// with {server.cfg.workers} gunicorn workers: "
            f"{SHARE_LIMITS}. Refusing to start in production."
        )
