from django.db import migrations, models
from django.db.models import F


def backfill(apps, schema_editor):
    """Rows linked to an incident are about it; the anonymous notice to union reps names its
    incident only in its key (`serious_incident:<incident>:<rep>:<channel>`)."""
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(incident_id__isnull=False).update(about_incident_id=F("incident_id"))
    rows = Notification.objects.filter(kind="serious_incident", about_incident_id__isnull=True)
    batch = []
    for pk, key in rows.values_list("pk", "key").iterator(chunk_size=2000):
        parts = key.split(":")
        if len(parts) > 1 and parts[1].isdigit():
            batch.append(Notification(pk=pk, about_incident_id=int(parts[1])))
        if len(batch) >= 2000:
            Notification.objects.bulk_update(batch, ["about_incident_id"])
            batch = []
    if batch:
        Notification.objects.bulk_update(batch, ["about_incident_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_retention_warning_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="about_incident_id",
            field=models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name="om hændelse"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
