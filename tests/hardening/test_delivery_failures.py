"""Mail headers built from titles are sanitised, and a delivery whose channel fails in any way
ends failed with the reason, never stuck "sending"."""
import dataclasses

import pytest
from django.core import mail

from notifications import delivery
from notifications.channels.email import EmailChannel
from notifications.models import Delivery
from tests.notifications.conftest import local_server, message  # noqa: F401 (fixtures)
from tests.notifications.test_delivery import _breach, _webhook
from tests.notifications.test_delivery_support import answer_like_providers, give_channels

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def allowed_and_locmem(settings):
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.parametrize("title", ["首报逾期\r\nBcc: attacker@example.com", "a\nb", "x\x00y"])
def test_a_line_break_in_a_title_never_reaches_a_mail_header(message, title):
    EmailChannel({}).send(dataclasses.replace(message, title=title), "duty@example.gov.cn",
                          "delivery-7")
    [sent] = mail.outbox
    assert "\n" not in sent.subject and "\r" not in sent.subject and "\x00" not in sent.subject
    assert sent.bcc == [] and "Bcc" not in str(sent.message()).split("\n\n")[0].replace(
        sent.subject, "")


def test_a_channel_that_crashes_ends_its_delivery_failed_with_the_reason(
        org, local_server, monkeypatch, django_capture_on_commit_callbacks):  # noqa: F811
    answer_like_providers(local_server)
    give_channels(org.duty, local_server, kinds=("webhook",))

    class Crashing:
        def send(self, *args):
            raise RuntimeError("the channel's own bug")

    monkeypatch.setattr(delivery, "build_channel", lambda kind, config: Crashing())
    _breach(org, django_capture_on_commit_callbacks)
    row = _webhook(org)
    assert row.status == Delivery.Status.FAILED
    assert "RuntimeError" in row.last_error and "the channel's own bug" in row.last_error
    assert not Delivery.objects.filter(status=Delivery.Status.SENDING).exists()
