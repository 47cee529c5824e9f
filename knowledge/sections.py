"""The knowledge base: an ordered registry of its sections.

Each section is one page, ``/viden/<slug>/``, whose text lives in
``templates/knowledge/<language>/<slug>.html`` (Danish always, English beside it). The
slugs are stable: the assessment engine links its items to them
(``incidents.assessment.ANCHORS``), so a slug is never renamed or removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

DEFAULT_LANGUAGE = "da"
LANGUAGES = ("da", "en")


def localised_templates(name: str, language: str) -> list[str]:
    """``knowledge/<language>/<name>.html``, then the Danish one (for {% include %} or select_template)."""
    names = [f"knowledge/{language}/{name}.html"]
    if language != DEFAULT_LANGUAGE:
        names.append(f"knowledge/{DEFAULT_LANGUAGE}/{name}.html")
    return names


@dataclass(frozen=True)
class Group:
    code: str
    title_da: str
    title_en: str

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_da


@dataclass(frozen=True)
class Section:
    slug: str
    title_da: str
    title_en: str
    group: Group

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_da

    def template_names(self, language: str) -> list[str]:
        """The section's text in ``language``, falling back to Danish."""
        return localised_templates(self.slug, language)

    @property
    def template_name(self) -> str:
        """The Danish text, which every section has."""
        return f"knowledge/{DEFAULT_LANGUAGE}/{self.slug}.html"

    @property
    def url(self) -> str:
        return section_url(self.slug)


ABOUT = Group("about", "Om udhængning", "About being hung out")
EMPLOYER = Group("employer", "Hvad kan arbejdsgiveren gøre", "What the employer can do")
RECORDINGS = Group("recordings", "Optagelser", "Recordings")
LAW = Group("law", "Jura", "The law")
REPORTING = Group("reporting", "Anmeldelse", "Reporting")
EVIDENCE_SUPPORT = Group("evidence_support", "Beviser og støtte", "Evidence and support")

GROUPS: tuple[Group, ...] = (ABOUT, EMPLOYER, RECORDINGS, LAW, REPORTING, EVIDENCE_SUPPORT)

SECTIONS: tuple[Section, ...] = (
    Section("hvad-er-udhaengning", "Hvad er udhængning?", "What is being hung out?", ABOUT),
    Section("hvorfor", "Hvorfor sker det?", "Why does it happen?", ABOUT),
    Section("arbejdsgiveren", "Arbejdsgiverens ansvar og muligheder", "The employer's duties and options", EMPLOYER),
    Section("sikkerhed", "Sikkerhed og akut fare", "Safety and acute danger", EMPLOYER),
    Section(
        "klagesystem",
        "Klagesystem, bisidder og anden sagsbehandler",
        "Complaints, companions and another caseworker",
        EMPLOYER,
    ),
    Section(
        "optagelser", "Optagelser af møder og telefonsamtaler", "Recordings of meetings and phone calls", RECORDINGS
    ),
    Section("jura", "Overblik over reglerne", "Overview of the rules", LAW),
    Section(
        "straffeloven-119",
        "Straffeloven § 119: vold og trusler mod offentligt ansatte",
        "Criminal Code s. 119: violence and threats against public servants",
        LAW,
    ),
    Section(
        "straffeloven-119a",
        "Straffeloven § 119 a: chikane af offentligt ansatte",
        "Criminal Code s. 119 a: harassment of public servants",
        LAW,
    ),
    Section(
        "straffeloven-121",
        "Straffeloven § 121: hån og skældsord mod offentligt ansatte",
        "Criminal Code s. 121: insults addressed to public servants",
        LAW,
    ),
    Section(
        "straffeloven-136",
        "Straffeloven § 136: offentlig tilskyndelse til forbrydelse",
        "Criminal Code s. 136: public incitement to crime",
        LAW,
    ),
    Section("straffeloven-266", "Straffeloven § 266: trusler", "Criminal Code s. 266: threats", LAW),
    Section(
        "straffeloven-267-268", "Straffeloven §§ 267–268: ærekrænkelser", "Criminal Code ss. 267–268: defamation", LAW
    ),
    Section(
        "straffeloven-264a",
        "Straffeloven § 264 a: fotografering på et ikke frit tilgængeligt sted",
        "Criminal Code s. 264 a: photographing people in a place not freely accessible",
        LAW,
    ),
    Section(
        "straffeloven-264d",
        "Straffeloven § 264 d: private oplysninger og billeder",
        "Criminal Code s. 264 d: private information and images",
        LAW,
    ),
    Section(
        "straffeloven-263",
        "Straffeloven § 263, stk. 2: optagelse af andres samtaler",
        "Criminal Code s. 263(2): recording other people's conversations",
        LAW,
    ),
    Section("straffeloven-242", "Straffeloven § 242: forfølgelse (stalking)", "Criminal Code s. 242: stalking", LAW),
    Section("tilhold", "Tilhold", "Restraining orders", LAW),
    Section("hvor-anmelder-man", "Hvor anmelder man?", "Where to report", REPORTING),
    Section("politianmeldelse", "Politianmeldelse", "Reporting to the police", REPORTING),
    Section("datatilsynet", "Datatilsynet", "The Danish Data Protection Agency", REPORTING),
    Section(
        "brud-paa-persondatasikkerheden",
        "Brud på persondatasikkerheden hos arbejdsgiveren",
        "The employer's own personal data breach",
        REPORTING,
    ),
    Section("platforme", "Få indhold fjernet fra platforme", "Getting content removed from platforms", REPORTING),
    Section("easy", "Arbejdsulykke: anmeldelse i EASY", "Occupational accident: reporting in EASY", REPORTING),
    Section("beviser", "Sådan sikrer du beviser", "How to preserve evidence", EVIDENCE_SUPPORT),
    Section("stoette", "Støtte til medarbejderen", "Support for the employee", EVIDENCE_SUPPORT),
)

_BY_SLUG: dict[str, Section] = {section.slug: section for section in SECTIONS}


def get_section(slug: str) -> Section | None:
    return _BY_SLUG.get(slug)


def section_url(slug: str) -> str:
    """The URL of a section page; raises NoReverseMatch for a slug the URLconf rejects."""
    return reverse("knowledge:section", args=[slug])


def language_of(language_code: str | None) -> str:
    """The knowledge base's language for a request's language code ("en-gb" → "en")."""
    base = (language_code or DEFAULT_LANGUAGE).split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def grouped(language: str, current: str = "") -> list[dict]:
    """The sections by group, in order, with titles in ``language`` and their URLs."""
    return [
        {
            "title": group.title(language),
            "sections": [
                {
                    "slug": section.slug,
                    "title": section.title(language),
                    "url": section.url,
                    "current": section.slug == current,
                }
                for section in SECTIONS
                if section.group == group
            ],
        }
        for group in GROUPS
    ]


def neighbours(slug: str) -> tuple[Section | None, Section | None]:
    """The sections before and after ``slug`` in reading order."""
    index = [section.slug for section in SECTIONS].index(slug)
    previous = SECTIONS[index - 1] if index > 0 else None
    following = SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None
    return previous, following
