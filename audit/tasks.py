from celery import shared_task

from .anchors import anchors_export
from .services import audit_seal_pending


@shared_task(ignore_result=True)
def export_chain_heads() -> int:
    """Write the audit chains' heads to the log and the append-only anchor file."""
    return len(anchors_export())


@shared_task(ignore_result=True)
def seal_pending_reads() -> int:
    """Append the reads recorded without a lock (list pages) to their organisations' chains."""
    return audit_seal_pending()
