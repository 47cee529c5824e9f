"""An independent reading of DOMAIN.md section 4 (rules 2026.2), for differential tests.

Written straight from the text of DOMAIN.md 3.3, 4.0–4.4 and 9 as plain ``if``s on plain
values, sharing nothing with ``incidents.assessment`` but the code lists: no conditions,
no tables, no date helpers. The tests compare the engine (and the preview API) with it
over random facts and the LEGAL-REVIEW scenarios. Takes the request JSON of DOMAIN.md 9
(already parsed: dates as aware datetimes).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

HOSTILE = {
    "offensive_language",
    "insulting_description",
    "abuse_of_power_accusation",
    "lawbreaking_accusation",
    "threat",
    "threat_to_expose",
    "incitement",
}
ALWAYS = ["support_conversation", "secure_evidence", "involve_amr_tr", "no_engagement"]


def _months_later(moment: datetime, months: int) -> datetime:
    y, m = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    day = min(moment.day, calendar.monthrange(y, m + 1)[1])
    naive = datetime(y, m + 1, day, moment.hour, moment.minute, moment.second, moment.microsecond)
    return naive.replace(tzinfo=moment.tzinfo).astimezone(UTC).astimezone(moment.tzinfo)


def _days_later(moment: datetime, days: int) -> datetime:
    naive = moment.replace(tzinfo=None) + timedelta(days=days)
    return naive.replace(tzinfo=moment.tzinfo).astimezone(UTC).astimezone(moment.tzinfo)


def _end_of(day: date, tz) -> datetime:
    return datetime.combine(day, time(23, 59, 59)).replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def _two_working_days(moment: datetime) -> datetime:
    day = moment.date()
    if day.weekday() >= 5:  # weekend: Monday is day one, due at the end of Tuesday
        while day.weekday() != 1:
            day += timedelta(days=1)
        return _end_of(day, moment.tzinfo)
    count = 0
    while count < 2:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    return _days_later(moment, (day - moment.date()).days)


def expected(request: dict) -> dict:
    """What DOMAIN.md 4 says for the preview request ``request``."""
    f = set(request.get("features") or ())
    count = request.get("publication_count") or 0
    if count >= 3:
        f.add("repeated")
    phen = set(request.get("related_phenomena") or ())
    relation = request.get("perpetrator_relation") or "unknown"
    platforms = set(request.get("platforms") or ())
    reaches = set(request.get("reaches") or ())
    first, last = request.get("first_published_at"), request.get("last_published_at")
    discovered, registered = request["discovered_at"], request["registered_at"]
    absence_days = request.get("absence_days") or 0
    absence_start = request.get("absence_start")
    harm = bool(request.get("psychological_harm"))
    hostile = bool(f & HOSTILE)

    spread = (not reaches or any(r != "private_message" for r in reaches)) and (
        not platforms or any(p not in ("messaging", "email") for p in platforms)
    )
    hosted = spread and (not platforms or any(p not in ("book", "messaging", "email") for p in platforms))
    online = not platforms or any(p not in ("book", "email") for p in platforms)
    long_running = "stalking" in phen or (
        first is not None and last is not None and (last - first).total_seconds() > 5 * 24 * 3600
    )
    case_complaint = phen == {"case_complaint"} and f <= {"named"}

    # 4.1
    level = 1
    if f & {"offensive_language", "insulting_description", "abuse_of_power_accusation", "workplace_details", "photo"}:
        level = 2
    if (
        f
        & {
            "lawbreaking_accusation",
            "private_details",
            "family_exposed",
            "threat_to_expose",
            "incitement",
            "third_party_confidential",
            "recorder_not_party",
        }
        or ("video_published" in f and "video_consent" not in f)
        or "stalking" in phen
    ):
        level = 3
    if "threat" in f or ("incitement" in f and f & {"private_details", "workplace_details"}):
        level = 4
    if "repeated" in f:
        level = min(level + 1, 4)

    if case_complaint:
        deadlines = {}
        if request.get("self_report"):
            deadlines["assessment_due"] = _two_working_days(registered)
        return {
            "scope": "case_complaint",
            "level": level,
            "references": [],
            "actions": ["support_conversation", "complaint_system"],
            "deadlines": deadlines,
        }

    # 4.2
    refs: list[tuple[str, str | None, list[str]]] = []
    private_spread = "private_details" in f and spread
    if "threat" in f:
        refs.append(("strfl_119", "public", ["employee"]))
    if "threat_to_expose" in f:
        refs.append(("strfl_119_2", "public", ["employee"]))
    if (
        private_spread
        or "family_exposed" in f
        or "incitement" in f
        or ("photo" in f and hostile)
        or ("repeated" in f and hostile)
    ):
        refs.append(("strfl_119a", "public", ["employee"]))
    if "offensive_language" in f and "addressed_to_employee" in f:
        refs.append(("strfl_121", "public", ["employee"]))
    if "incitement" in f and spread:
        refs.append(("strfl_136", "public", ["employee"]))
    if "stalking" in phen or ("repeated" in f and "private_details" in f):
        refs.append(("strfl_242", "public", ["employee"]))
    if "recorder_not_party" in f:
        refs.append(("strfl_263", "request", ["everyone_recorded"]))
    if "video_published" in f and "hidden_recording" in f:
        refs.append(("strfl_264a", "request", ["employee"]))
    if private_spread or "family_exposed" in f or "third_party_confidential" in f:
        victims = []
        if private_spread:
            victims.append("employee")
        if "family_exposed" in f:
            victims.append("family")
        if "third_party_confidential" in f:
            victims.append("third_party")
        refs.append(("strfl_264d", "request", victims))
    if "threat" in f:
        refs.append(("strfl_266", "public", ["employee"]))
    if f & {"insulting_description", "abuse_of_power_accusation", "lawbreaking_accusation"} or (
        "offensive_language" in f and "addressed_to_employee" not in f
    ):
        kind = "request" if f & {"lawbreaking_accusation", "abuse_of_power_accusation"} else "private"
        refs.append(("strfl_267_268", kind, ["employee"]))
    gdpr = ("video_published" in f and "video_consent" not in f and spread) or private_spread
    if gdpr:
        refs.append(("gdpr", None, ["employee"]))
    if "third_party_confidential" in f:
        refs.append(("gdpr_breach", None, ["third_party"]))
    codes = [code for code, _, _ in refs]

    # 4.3
    actions = list(ALWAYS)
    if any(code != "gdpr_breach" for code in codes) and hosted:
        actions.append("platform_takedown")
    if level >= 2 and online:
        actions.append("platform_report")
    if "book" in platforms:
        actions.append("contact_publisher")
    police = bool(
        f
        & {"threat", "threat_to_expose", "lawbreaking_accusation", "family_exposed", "incitement", "recorder_not_party"}
        or private_spread
        or "stalking" in phen
        or (f & {"audio_published", "video_published"} and hostile)
    )
    if police:
        actions.append("police_report")
    if gdpr:
        actions.append("datatilsynet_report")
    if "third_party_confidential" in f:
        actions.append("breach_assessment")
    if f & {"threat", "private_details", "family_exposed", "incitement"} or "stalking" in phen:
        actions.append("safety_assessment")
    if "threat" in f:
        actions.append("acute_112")
    distrust = (
        hostile
        or "case_complaint" in phen
        or "hidden_recording" in f
        or "audio_published" in f
        or ("video_published" in f and "video_consent" not in f)
    )
    citizen = relation in ("citizen_own_case", "relative")
    if citizen and distrust:
        actions += ["complaint_system", "bisidder"]
    if citizen and level >= 2:
        actions.append("change_caseworker")
    if f & {"audio_published", "video_published", "hidden_recording", "recorder_not_party"}:
        actions.append("recording_guidelines")
    hurt = absence_days >= 1 or harm
    if hurt and not long_running:
        actions.append("occupational_injury")
    if hurt and long_running:
        actions.append("occupational_disease")
    if ("repeated" in f and level >= 3) or "stalking" in phen:
        actions.append("restraining_order")

    # 4.4
    deadlines = {}
    if request.get("self_report"):
        deadlines["assessment_due"] = _two_working_days(registered)
    if police:
        offence = first.astimezone(discovered.tzinfo) if first is not None else discovered
        deadlines["police_report_72h"] = (offence.astimezone(UTC) + timedelta(hours=72)).astimezone(discovered.tzinfo)
    if any(kind in ("request", "private") for _, kind, _ in refs):
        deadlines["request_6_months"] = _months_later(discovered, 6)
    if "occupational_injury" in actions:
        start = absence_start if absence_days >= 1 and absence_start is not None else discovered.date()
        deadlines["easy_14_days"] = _end_of(start + timedelta(days=14), discovered.tzinfo)
    if "third_party_confidential" in f:
        deadlines["breach_72h"] = (discovered.astimezone(UTC) + timedelta(hours=72)).astimezone(discovered.tzinfo)
    deadlines["follow_up_14_days"] = _days_later(registered, 14)
    if request.get("takedown_requested_at") is not None:
        deadlines["takedown_follow_up_7_days"] = _days_later(request["takedown_requested_at"], 7)
    return {"scope": "udhaengning", "level": level, "references": refs, "actions": actions, "deadlines": deadlines}


def observed(body: dict) -> dict:
    """The same shape, read from an assessment's JSON (``Assessment.to_dict()`` or the API)."""
    return {
        "scope": body["scope"],
        "level": body["severity"]["level"],
        "references": [(i["code"], i["prosecution"], list(i["victim"])) for i in body["legal_references"]],
        "actions": [i["code"] for i in body["actions"]],
        "deadlines": {d["code"]: datetime.fromisoformat(d["due"]) for d in body["deadlines"]},
    }
