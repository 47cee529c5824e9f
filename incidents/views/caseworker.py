"""The caseworker's self-report. (Being built.)"""

from django.http import Http404


def self_report(request):
    raise Http404
