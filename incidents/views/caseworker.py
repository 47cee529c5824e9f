"""The caseworker's self-report ("Er du blevet hængt ud?")."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Unit
from idempotency.views import idempotent_form

from .. import evidence
from ..forms.caseworker import SelfReportForm
from ..models import Incident
from ..services import incident_register


@login_required
@idempotent_form
def self_report(request):
    user = request.user
    if not permissions.may_self_report(user):
        raise Http404
    units = list(Unit.objects.filter(pk__in=permissions.self_report_units(user)).order_by("name"))
    if request.method != "POST":
        return render(request, "incidents/self_report.html", {"form": SelfReportForm(units=units)})

    form = SelfReportForm(request.POST, request.FILES, units=units)
    if not form.is_valid():
        return render(
            request,
            "incidents/self_report.html",
            {
                "form": form,
                # Browsers never keep a chosen file after a round trip; say so instead of losing it silently.
                "files_dropped": bool(request.FILES.getlist("files")),
            },
        )

    incident = incident_register(
        actor=user,
        unit=form.chosen_unit,
        channel=Incident.Channel.SELF_REPORT,
        fields=form.incident_fields(),
        targets=[user],
        publications=form.publications(),
        request=request,
    )
    _store_files(request, incident, form.cleaned_data["files"])
    messages.success(
        request,
        _(
            "Tak, fordi du fortalte os det. Din sag har nummer %(reference)s. Din leder kan se den nu og "
            "tager den herfra – du kan følge sagen her."
        )
        % {"reference": incident.reference},
    )
    return redirect("dashboard:caseworker")


def _store_files(request, incident: Incident, files) -> None:
    """Store each file on its own: a refused file never costs the employee the report."""
    publication = incident.publications.first() if files else None
    for uploaded in files:
        try:
            evidence.evidence_store(
                actor=request.user, incident=incident, uploaded_file=uploaded, publication=publication, request=request
            )
        except evidence.EvidenceRejected as exc:
            reason = str(exc)
            if uploaded.name not in reason:
                reason = _("Filen «%(name)s» blev ikke gemt: %(reason)s") % {"name": uploaded.name, "reason": reason}
            messages.warning(
                request,
                _("%(reason)s Din anmeldelse er modtaget alligevel, og du kan tilføje filen igen på din sag.")
                % {"reason": reason},
            )
