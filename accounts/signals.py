"""A changed password ends every API token of its user (a leaked token dies with the
password that was changed because of the leak): the password page, the admin, `changepassword`
and set_password() in code all save the user, so all of them come through here."""
from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver

from .tokens import revoke_all


@receiver(pre_save, sender=get_user_model())
def end_tokens_on_password_change(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return  # e.g. last_login on every login: no need to read the old password
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        revoke_all(instance, "password changed")
