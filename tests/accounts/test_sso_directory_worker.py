"""The nightly SSO directory check, run by a real Celery worker against a real OIDC provider."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.models import ApiToken, Role, User
from accounts.sso.models import SSOProvider
from accounts.tasks import sso_directory_check_all
from audit.models import AuditEvent
from tests.factories import api_token, member
from tests.reports.test_worker import finished_tasks, own_broker, wait_for_task
from tests.sso_idps import start_oidc_idp, stop
from udhaengning.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def idp():
    idp, process = start_oidc_idp(redirect_uri="http://127.0.0.1:9/unused/")
    yield idp
    stop(process)


def test_the_worker_deactivates_users_the_idp_no_longer_knows(idp, personas):
    from celery.contrib.testing.worker import start_worker

    provider = SSOProvider.objects.create(
        organisation=personas.org,
        name="IdP",
        slug="idp",
        protocol=SSOProvider.Protocol.OIDC,
        oidc_issuer=idp.url,
        oidc_client_id=idp.client_id,
        oidc_client_secret=idp.client_secret,
        allowed_email_domains="testkommune.dk",
        directory_url=f"{idp.url}/directory/users/{{uid}}",
    )
    stays = member(personas.family, Role.CASEWORKER, username="stays", email="stays@testkommune.dk")
    leaves = member(personas.family, Role.CASEWORKER, username="leaves", email="leaves@testkommune.dk")
    for user in (stays, leaves):
        SocialAccount.objects.create(user=user, provider=provider.slug, uid=user.username)
    idp.put_user("stays", email="stays@testkommune.dk", groups=[])
    api_token(leaves)

    with (
        own_broker(),
        finished_tasks() as (done, event),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        sso_directory_check_all.delay()
        wait_for_task(done, event, "accounts.tasks.sso_directory_check_all")

    assert User.objects.get(pk=stays.pk).is_active
    assert not User.objects.get(pk=leaves.pk).is_active
    assert ApiToken.objects.get(user=leaves).revoked_reason == ApiToken.RevokedReason.DEACTIVATED
    assert AuditEvent.objects.filter(
        object_type="accounts.user", object_id=str(leaves.pk), summary__contains="kender ikke brugeren"
    ).exists()
    assert SSOProvider.objects.get(pk=provider.pk).last_directory_check_at is not None


def test_an_idp_that_does_not_answer_changes_nothing(personas):
    provider = SSOProvider.objects.create(
        organisation=personas.org,
        name="IdP",
        slug="idp",
        protocol=SSOProvider.Protocol.SAML,
        saml_idp_entity_id="x",
        saml_idp_metadata_url="http://127.0.0.1:9/metadata",
        allowed_email_domains="testkommune.dk",
        directory_url="http://127.0.0.1:9/users/{uid}",
    )
    SocialAccount.objects.create(user=personas.caseworker, provider=provider.slug, uid="sara")
    assert sso_directory_check_all() == {"idp": []}
    assert User.objects.get(pk=personas.caseworker.pk).is_active
