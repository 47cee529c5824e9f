"""The incident page, for managers and for the employee concerned. (Being built.)"""

from django.http import Http404


def incident_detail(request, reference):
    raise Http404
