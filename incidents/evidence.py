"""Evidence files: streaming SHA-256, type from content, size limit, private storage.

(Being built.) Public interface, used by the pages and the API:

    evidence_store(*, actor, incident, uploaded_file, description="", captured_at=None,
                   publication=None, request=None) -> Evidence
        validates (raises EvidenceRejected with a Danish message), stores, hashes,
        writes the timeline entry and the audit event.
"""


class EvidenceRejected(ValueError):
    """The file was refused; str(exc) is a Danish message naming the file and the reason."""
