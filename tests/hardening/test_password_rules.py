"""Password validators with a real minimum and the common-password list."""
import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


@pytest.mark.parametrize("weak", ["12345678", "password1", "123456789012", "qwertyuiop",
                                  "short-Pw1"])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak, User(username="zhao"))


def test_a_long_uncommon_password_is_accepted():
    validate_password("舆情办-值班-Lantern-47-Orchid", User(username="zhao"))
