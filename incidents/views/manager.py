"""Manager screens: list, register, edit, status, actions, notes. (Being built.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


incident_list = incident_create = incident_edit = incident_status = incident_action = incident_note = _todo
