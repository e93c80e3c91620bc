"""Channel secrets at rest (issue 15): a robot's URL, a signing secret and a provider's key are
stored encrypted with the key from NOTIFICATION_SECRET_KEYS, read back whole only to send, and
shown in the admin only as their last four characters; saving the form unchanged keeps them."""
import importlib
import json

import pytest
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.test import Client

from notifications import secrets
from notifications.models import ChannelConfig, PersonChannel

pytestmark = pytest.mark.django_db

URL = "https://oapi.dingtalk.com/robot/send?access_token=TOKEN0123456789abcd"
SECRET = "SECsigning0123456789wxyz"


def raw_config(row) -> str:
    return str(type(row).objects.filter(pk=row.pk).values_list("config", flat=True).get())


@pytest.fixture
def robot(org):
    return ChannelConfig.objects.create(name="教务处群机器人", kind="dingtalk", unit=org.department,
                                        config={"url": URL, "secret": SECRET, "keyword": "舆情"})


def test_secrets_are_stored_encrypted_and_read_back_whole(robot):
    stored = raw_config(robot)
    assert "TOKEN0123456789" not in stored and "SECsigning" not in stored
    assert "enc:" in stored and "舆情" in stored  # only the credentials are sealed
    assert ChannelConfig.objects.get().effective_config["url"] == URL
    assert ChannelConfig.objects.get().effective_config["secret"] == SECRET


def test_a_personal_channel_reads_its_shared_account_decrypted(org):
    account = ChannelConfig.objects.create(name="短信账号", kind="sms_aliyun", config={
        "access_key_id": "LTAIkeyid", "access_key_secret": "aliyun-secret-9876",
        "sign_name": "舆情办", "template_code": "SMS_1"})
    own = PersonChannel.objects.create(person=org.handler, kind="sms_aliyun", account=account,
                                       address="13800000000")
    assert "aliyun-secret-9876" not in raw_config(account)
    assert own.effective_config["access_key_secret"] == "aliyun-secret-9876"


def test_the_key_comes_from_the_environment_and_can_be_rotated(settings, org):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.NOTIFICATION_SECRET_KEYS = [old]
    sealed = secrets.seal("webhook", {"url": "https://x.example/h", "secret": "s" * 20})
    assert Fernet(old.encode()).decrypt(sealed["secret"][4:].encode()) == b"s" * 20
    settings.NOTIFICATION_SECRET_KEYS = [new, old]  # the new key first, the old still reads
    assert secrets.open_config("webhook", sealed)["secret"] == "s" * 20
    settings.NOTIFICATION_SECRET_KEYS = [new]
    with pytest.raises(secrets.UnreadableSecret):
        secrets.open_config("webhook", sealed)


def test_the_admin_shows_only_the_last_four_characters(robot):
    admin = get_user_model().objects.create_superuser("root", "root@example.gov.cn", "x" * 16)
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/notifications/channelconfig/{robot.pk}/change/").content.decode()
    assert "TOKEN0123456789" not in page and "SECsigning" not in page
    assert "••••abcd" in page and "••••wxyz" in page


def _form(row, config):
    from notifications.forms import ChannelConfigForm
    return ChannelConfigForm(instance=row, data={
        "name": row.name, "kind": row.kind, "unit": row.unit_id, "enabled": "on",
        "config": json.dumps(config, ensure_ascii=False)})


def test_saving_the_form_with_the_masked_secrets_keeps_them(robot):
    form = _form(robot, {**robot.masked_config, "keyword": "通报"})
    assert form.is_valid(), form.errors
    form.save()
    saved = ChannelConfig.objects.get()
    assert saved.effective_config == {**robot.effective_config, "keyword": "通报"}


def test_a_masked_value_that_is_not_the_stored_one_is_refused(robot):
    form = _form(robot, {**robot.masked_config, "secret": "••••zzzz"})
    assert not form.is_valid() and "secret" in str(form.errors["config"])


def test_a_new_secret_typed_in_full_replaces_the_old(robot):
    form = _form(robot, {**robot.masked_config, "secret": "SECanother0000000001"})
    assert form.is_valid(), form.errors
    form.save()
    assert ChannelConfig.objects.get().effective_config["secret"] == "SECanother0000000001"


def test_the_data_migration_seals_rows_stored_in_plain_text(robot):
    ChannelConfig.objects.filter(pk=robot.pk).update(config={"url": URL, "secret": SECRET})
    assert "TOKEN0123456789" in raw_config(robot)
    migration = importlib.import_module(
        "notifications.migrations.0002_encrypt_channel_secrets")
    migration.seal_existing(django_apps, None)
    assert "TOKEN0123456789" not in raw_config(robot)
    assert ChannelConfig.objects.get().effective_config["url"] == URL
