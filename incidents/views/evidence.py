"""Evidence upload, download and removal. (Being built.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


evidence_upload = evidence_download = evidence_remove = _todo
