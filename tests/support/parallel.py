"""Give each pytest-xdist worker (`bin/test -n 2`) what it must not share with another worker.

pytest-django already gives each worker its own test database (`test_<name>_gw0`, …). What the
settings read from the environment is shared unless split here: the Redis database that is the
broker and the rate limits' cache (integration tests flush it before each test, so two workers
on one database would empty each other's queues), and the var directory (media files, the Celery
beat schedule, screenshots).

Loaded with `-p tests.support.parallel` (pytest.ini) so that it runs at import time, before
pytest-django imports the settings; xdist sets PYTEST_XDIST_WORKER before a worker reads its
configuration. Outside xdist it changes nothing.
"""
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis's default `databases`


def worker_number() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", …
    return int(worker[2:]) if worker.startswith("gw") else None


def redis_url_for_worker(url: str, number: int) -> str:
    """The same server, database (url's database + number): gw0 keeps the given one."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + number
    if database >= REDIS_DATABASES:
        raise RuntimeError(f"xdist worker gw{number} would need Redis database {database} "
                           f"(REDIS_URL's is {base}); use fewer workers or a lower database")
    return urlunsplit(parts._replace(path=f"/{database}"))


def _split_environment() -> None:
    number = worker_number()
    if number is None:
        return
    for name in ("REDIS_URL", "CACHE_REDIS_URL"):
        if os.environ.get(name):
            os.environ[name] = redis_url_for_worker(os.environ[name], number)
    if os.environ.get("OPINIONOPS_VAR_DIR"):
        var_dir = Path(os.environ["OPINIONOPS_VAR_DIR"]) / f"gw{number}"
        var_dir.mkdir(parents=True, exist_ok=True)
        os.environ["OPINIONOPS_VAR_DIR"] = str(var_dir)
    if os.environ.get("MEDIA_ROOT"):
        os.environ["MEDIA_ROOT"] = str(Path(os.environ["MEDIA_ROOT"]) / f"gw{number}")


_split_environment()
