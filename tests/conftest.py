import pytest

from tests.factories import Org


@pytest.fixture(autouse=True)
def _eager_celery(request, settings):
    """Unit tests run tasks in-process; integration tests use a real worker."""
    if "integration" not in request.keywords:
        settings.CELERY_TASK_ALWAYS_EAGER = True
        from opinion_ops.celery import app
        app.conf.task_always_eager = True
        yield
        app.conf.task_always_eager = False
    else:
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    return Org()
