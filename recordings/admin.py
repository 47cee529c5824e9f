"""The admin writes the organisation's recording guideline here (versions and passages).

Scoped like accounts/admin.py: an organisation admin sees and changes only their own
organisation's versions. A version that has taken effect is read-only and cannot be
deleted: requests were judged under it. To change the guideline, copy the version in
force ("Kopiér til ny version") and edit the copy before its date comes. Requests are
case data and are never shown here.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.admin import OrganisationScopedAdmin
from audit.models import AuditEvent
from audit.services import audit_record

from . import services
from .models import GuidelinePassage, RecordingGuideline


def _editable(obj: RecordingGuideline | None) -> bool:
    return obj is None or not obj.has_taken_effect


class GuidelinePassageInline(admin.StackedInline):
    model = GuidelinePassage
    extra = 0
    fields = ["key", "text"]

    def has_add_permission(self, request, obj=None):
        return _editable(obj)

    def has_change_permission(self, request, obj=None):
        return _editable(obj)

    def has_delete_permission(self, request, obj=None):
        return _editable(obj)

    def has_view_permission(self, request, obj=None):
        return True


class RecordingGuidelineForm(forms.ModelForm):
    class Meta:
        model = RecordingGuideline
        fields = ["organisation", "title", "effective_from", "without_legitimate_reason", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 100})}

    def clean_effective_from(self):
        value = self.cleaned_data["effective_from"]
        if value < timezone.localdate():
            raise forms.ValidationError(
                _("En ny version kan tidligst gælde fra i dag. Ældre versioner bevares, som de var.")
            )
        return value


@admin.register(RecordingGuideline)
class RecordingGuidelineAdmin(OrganisationScopedAdmin):
    form = RecordingGuidelineForm
    inlines = [GuidelinePassageInline]
    list_display = ["title", "effective_from", "state", "organisation", "created_by", "created_at"]
    list_filter = ["organisation"]
    list_select_related = ["organisation", "created_by"]
    readonly_fields = ["preview", "created_by", "created_at"]
    actions = ["copy_as_new_version"]
    fieldsets = [
        (None, {"fields": ["organisation", "title", "effective_from", "without_legitimate_reason"]}),
        (_("Tekst"), {"fields": ["body", "preview"]}),
        (_("Oprettet"), {"fields": ["created_by", "created_at"]}),
    ]

    @admin.display(description=_("status"))
    def state(self, obj: RecordingGuideline) -> str:
        return str(_("I kraft eller tidligere") if obj.has_taken_effect else _("Kommende"))

    @admin.display(description=_("sådan ser teksten ud"))
    def preview(self, obj: RecordingGuideline | None):
        return obj.body_html if obj and obj.pk else ""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        org_ids = self._org_ids(request)
        if org_ids is not None and len(org_ids) == 1:
            initial.setdefault("organisation", next(iter(org_ids)))
        initial.setdefault("effective_from", timezone.localdate())
        return initial

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _editable(obj)

    def has_delete_permission(self, request, obj=None):
        return (
            super().has_delete_permission(request, obj)
            and _editable(obj)
            and not (obj is not None and obj.requests.exists())
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.has_taken_effect and request.method == "GET":
            self.message_user(
                request,
                _(
                    "Versionen er trådt i kraft og kan ikke ændres. Vælg den på listen og brug "
                    "handlingen «Kopiér til ny version» for at skrive en ny."
                ),
                messages.INFO,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(
            request=request,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            obj=obj,
            organisation_id=obj.organisation_id,
            summary=str(
                _("Retningslinje for optagelse ændret") if change else _("Retningslinje for optagelse oprettet")
            ),
            details={"effective_from": obj.effective_from.isoformat()},
        )

    @admin.action(description=_("Kopiér til ny version"))
    def copy_as_new_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Vælg én version at kopiere."), level=messages.WARNING)
            return None
        source = queryset.get()
        latest = (
            RecordingGuideline.objects.filter(organisation_id=source.organisation_id)
            .order_by("-effective_from")
            .values_list("effective_from", flat=True)
            .first()
        )
        start = max(timezone.localdate() + timedelta(days=1), latest + timedelta(days=1))
        copy = services.guideline_copy(actor=request.user, guideline=source, effective_from=start, request=request)
        self.message_user(
            request,
            _("Kopien gælder fra %(date)s. Ret den, før den træder i kraft.") % {"date": start.strftime("%d.%m.%Y")},
            level=messages.SUCCESS,
        )
        return redirect(reverse("admin:recordings_recordingguideline_change", args=[copy.pk]))
