"""Gunicorn settings read from the repository root (gunicorn loads ./gunicorn.conf.py itself).

Only a start-up check lives here; workers, bind address and the rest stay on the
command line (`make run`, docs/production.md).
"""


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
