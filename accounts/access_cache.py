"""What the access policy knows about a user, kept in the shared cache between requests.

Every signed-in request needs the user's memberships, the unit tree of their organisations
(managers cover the units below theirs) and, in the two-factor middleware, whether the
organisation requires two factors and whether the user has set up TOTP. Asked of the
database that is four queries before the view runs. They are computed once, kept in the
cache per user (one `get_many` per request, with a global generation number) and dropped:

- per user, when one of the user's memberships, the user row or their TOTP authenticators
  is saved or deleted (signals, so the admin, allauth, the directory sync and the shell
  all count; a queryset `delete()` sends them too);
- for everyone, when a unit or an organisation is saved or deleted (the tree or the
  two-factor rule changed): the generation number moves on and every entry is stale;
- after `TIMEOUT` seconds in any case, for changes made with a bulk `update()`.

Within a request the answers are also kept on the user object (accounts/permissions.py).
When the cache is down (the fail-open Redis backend answers like an empty cache) each
request computes them from the database as before.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from common.generations import cached, move_on

TIMEOUT = 300
GENERATION_KEY = "access:generation"


def _user_key(user_id: int) -> str:
    return f"access:user:{user_id}"


def entry(user, build) -> dict:
    """The cached entry of `user`, built with `build()` (a dict) when missing or stale."""
    return cached(_user_key(user.pk), GENERATION_KEY, build, TIMEOUT)


def store(user, value: dict) -> None:
    """Keep an entry that gained an answer (it keeps its generation)."""
    cache.set(_user_key(user.pk), value, TIMEOUT)


def forget_user(user_id: int | None) -> None:
    if user_id is not None:
        cache.delete(_user_key(user_id))


def forget_everyone() -> None:
    move_on(GENERATION_KEY)


def _membership_changed(sender, instance, **kwargs) -> None:
    forget_user(instance.user_id)


def _user_changed(sender, instance, **kwargs) -> None:
    forget_user(instance.pk)


def _structure_changed(sender, instance, **kwargs) -> None:
    forget_everyone()


def connect() -> None:
    from allauth.mfa.models import Authenticator

    from .models import Membership, Organisation, Unit, User

    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_membership_changed, sender=Membership, dispatch_uid=f"access-cache-membership-{name}")
        signal.connect(_membership_changed, sender=Authenticator, dispatch_uid=f"access-cache-totp-{name}")
        signal.connect(_user_changed, sender=User, dispatch_uid=f"access-cache-user-{name}")
        signal.connect(_structure_changed, sender=Unit, dispatch_uid=f"access-cache-unit-{name}")
        signal.connect(_structure_changed, sender=Organisation, dispatch_uid=f"access-cache-org-{name}")
