from celery import shared_task
from django.core.management import call_command


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    """Delete expired sessions (scheduled in udhaengning/beat.py)."""
    call_command("clearsessions")


@shared_task(ignore_result=True, autoretry_for=(ConnectionError,), retry_backoff=60, max_retries=3)
def sso_directory_check_all() -> dict[str, list[str]]:
    """Deactivate users each identity provider's directory no longer knows (udhaengning/beat.py)."""
    from .sso.models import SSOProvider
    from .sso.services import sso_directory_check

    results = {}
    for provider_id in SSOProvider.objects.filter(enabled=True).exclude(directory_url="").values_list("pk", flat=True):
        provider = SSOProvider.objects.filter(pk=provider_id).first()
        if provider is not None:  # removed since the list was read
            results[provider.slug] = sso_directory_check(provider=provider)
    return results
