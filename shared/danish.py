"""Danish words and formats for what the platform's APIs answer in codes: dates ("5. december
2026"), time left to a deadline, and the names of roles, routes, statuses and offences.

Shared by the console (its pages) and reporting (the Danish text of each timeline and trace
row, issue 17), so a code reads the same wherever a person meets it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
NOTHING = "\u2013"
"""An en dash: what a page shows where there is no value."""

MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip

ROLES = {
    "tovholder": "SSP-koordinator (tovholder)",
    "team_leader": "Teamleder",
    "caseworker": "Sagsbehandler",
    "school_representative": "Skolerepræsentant",
    "police_coordinator": "Politiets SSP-koordinator",
    "police_ssp_coordinator": "Politiets SSP-koordinator",
    "exit_coordinator": "Exit-koordinator",
    "management": "Ledelse",
    "operations": "Drift",
    "auditor": "Revisor",
}
"""The roles a person logs in with, and the owner roles a municipality profile names."""

LOGIN_ROLES = (
    "tovholder", "team_leader", "caseworker", "school_representative", "police_coordinator",
    "exit_coordinator", "management", "operations", "auditor",
)  # fmt: skip

OWNER_ROLES = (
    "tovholder", "caseworker", "team_leader", "police_ssp_coordinator", "exit_coordinator",
)  # fmt: skip

ROUTES = {
    "tovholder": "SSP-koordinator",
    "caseworker": "Sagsbehandler (aktiv sag)",
    "out_of_scope": "Uden for målgruppen",
}

LETTER_STATUSES = {
    "open": "Åben",
    "overdue": "Overskredet",
    "completed": "Afsluttet",
    "cancelled": "Annulleret",
    "waived": "Frafaldet",
    "sent": "Sendt",
    "awaiting_assessment": "Afventer sagsbehandlerens vurdering",
    "none": "Intet brev",
}

SEND_CHANNELS = {
    "outbox": "lagt i brevbakken til print og post",
    "digital_post": "sendt med Digital Post",
}

LETTER_KINDS = {
    "orientering": "Orienteringsbrev",
    "indkaldelse": "Indkaldelse til samtale",
    "bekymringsbrev": "Bekymringsbrev",
    "akut_standardbrev": "Akut standardbrev",
}

WAIVER_REASONS = {
    "not_in_childs_interest": "Ikke i barnets interesse",
    "already_informed": "Familien er allerede orienteret",
    "police_informs": "Politiet orienterer familien",
}
"""Why a letter is not sent (notifications' `POST /v1/letter-tasks/{id}/waive`)."""

RECIPIENTS = {"parents": "forældrene", "youth": "den unge", "local_staff": "medarbejdere lokalt"}
WITHDRAWAL_REASONS = {
    # Why a decision was withdrawn or a letter task cancelled (in a sentence: small letters).
    "person_removed_from_incident": "personen er ikke længere med i anmeldelsen",
    "person_out_of_scope": "personen er uden for målgruppen",
    "person_not_served": "personen bor i en kommune, platformen ikke betjener",
    "revised_decision": "visiteringen er ændret",
    "case_opened_after_routing": "en sag er åbnet, sagsbehandleren overtager",
}
ASSESSMENT_MEANINGS = {
    "inform": "orientér forældrene (ingen yderligere handling)",
    "summon": "indkald forældre og den unge til samtale",
}
"""What the caseworker's assessment (`ASSESSMENTS`: Orienter, Indkald) means, in a sentence."""
COURSE_OUTCOMES = {
    "completed": "gennemført",
    "dropped": "afbrudt",
    "dropped_out": "faldet fra",
    "handed_to_social_services": "overdraget til socialforvaltningen",
}


INCIDENT_ROLES = {"antruffet": "Antruffet", "sigtet": "Sigtet", "forurettet": "Forurettet"}

OFFENCES = {
    "butikstyveri": "Butikstyveri",
    "tyveri": "Tyveri",
    "indbrud": "Indbrud",
    "haervaerk": "Hærværk",
    "vold": "Vold",
    "trusler": "Trusler",
    "roeveri": "Røveri",
    "narkotika": "Narkotika",
    "vaaben": "Våben",
    "brandstiftelse": "Brandstiftelse",
    "faerdsel": "Færdsel",
    "digital_kraenkelse": "Digital krænkelse",
    "seksualforbrydelse": "Seksualforbrydelse",
    "ordensforstyrrelse": "Ordensforstyrrelse",
    "andet": "Andet",
}

REASONS = {
    "active_case": "Aktiv sag i socialforvaltningen",
    "no_active_case": "Ingen aktiv sag",
    "adult_workflow": "Ung voksen (18-25)",
    "severity_raised_by_flag": "Alvor hævet af en markering",
    "repeat_within_window": "Gentagelse inden for perioden",
    "default_profile": "Standardprofil",
    "exit_referral": "Henvist til exit-koordinator",
    "revision_changed": "Ændret af en ny version af anmeldelsen",
    "case_opened_after_routing": "Sag åbnet efter visiteringen",
    "reached_18_with_open_item": "Fyldt 18 med et åbent punkt",
    "meeting_decision": "Besluttet på ugens møde",
}

SEVERITIES = {"low": "Lav", "medium": "Middel", "high": "Høj"}

CLOCKS = (
    ("registration_to_intake", "Anmeldelse til modtagelse"),
    ("intake_to_routed", "Modtagelse til visitering"),
    ("routed_to_letter", "Visitering til brev"),
    ("total", "I alt"),
)
"""Reporting's clocks (issue 16): police registration → intake → routed → letter sent or
waived, and the whole way, in the order a page shows them."""

COURSE_TYPES = {
    "trivsel_plus": "TRIVSEL+",
    "exit_programme": "Exitforløb",
    "acute_procedure": "Akut hændelse",
}


def course_deadline(flag: str) -> str:
    """A course's overdue flag (`review:goal-1@2026-12-01`, `consent#1`, `month:2026-11`,
    `measure:m1@2026-12-01`) in Danish."""
    kind, _, rest = flag.partition(":")
    on = rest.rpartition("@")[2] if "@" in rest else ""
    if flag.startswith("consent"):
        return "samtykke ikke besvaret"
    if kind == "review":
        return f"opfølgning {danish_date(on)}" if on else "opfølgning"
    if kind == "measure":
        return f"indsats i kontrakten {danish_date(on)}" if on else "indsats i kontrakten"
    if kind == "month":
        return f"månedligt møde {rest}"
    return flag


FOLLOW_UP_KINDS = {
    "bekymringssamtale": "Bekymringssamtale",
    "bekymringsbrev": "Bekymringsbrev",
    "hjemmebesoeg": "Hjemmebesøg",
    "skolebesoeg": "Skolebesøg",
    "gusa_dialog": "GUSA-dialog",
    "politiets_samtale": "Politiets samtale (FNT)",
    "netvaerksmoede": "Netværksmøde",
    "henvisning": "Henvisning til anden indsats",
    "opfoelgningssamtale": "Opfølgningssamtale",
}

FOLLOW_UP_OUTCOMES = {
    "held": "Gennemført",
    "no_show": "Familien eller den unge mødte ikke op",
    "declined": "Familien takkede nej",
    "postponed": "Udsat",
    "referred": "Henvist til anden indsats",
    "concern_resolved": "Bekymringen er afklaret",
}

FOLLOW_UP_REFUSALS = {
    "date_in_future": "Datoen for handlingen ligger efter i dag. Vælg i dag eller tidligere.",
    "due_before_held": "Fristen for næste skridt ligger før handlingen. Vælg samme dag el. senere.",
    "municipality_not_served": "Kommunen bruges ikke på platformen.",
    "course_of_another_person": "Forløbet handler om en anden ung.",
}

ASSESSMENTS = {"inform": "Orienter", "summon": "Indkald"}

ASSESSMENT_REFUSALS = {
    "not_summoned": "Familien er ikke indkaldt: registrér vurderingen »Indkald« først.",
    "not_caseworker_route": "Den unge er ikke på sagsbehandlerens spor.",
    "meeting_date_refused": "Mødets dato kan ikke ligge efter i dag eller før indkaldelsen.",
}
CONCERN_CATEGORIES = {
    "kriminalitet": "Kriminalitet eller risiko for kriminalitet",
    "rusmidler": "Rusmidler",
    "grupperinger": "Grupperinger og uheldige fællesskaber",
    "mistrivsel": "Mistrivsel",
    "skolefravaer": "Skolefravær",
    "radikalisering": "Radikalisering eller ekstremisme",
    "andet": "Andet",
}
"""What a concern that does not come from the police is about (issue 15, part 5)."""

REPORTER_KINDS = {
    "school": "Skolen",
    "ssp_network": "SSP-netværket",
    "parent": "En forælder",
    "night_team": "Natteravnene / natteamet",
}
"""Who worries: the kinds of reporter a concern names."""

SERVICES = {
    "intake": "Modtagelse",
    "triage": "Visitation",
    "notifications": "Breve",
    "reporting": "Rapportering",
    "courses": "Forløb",
}


def label(table: dict[str, str], code: str | None, empty: str = NOTHING) -> str:
    """The Danish word for a code; an unknown code is shown as it is."""
    if code is None or code == "":
        return empty
    return table.get(code, code)


def parse_moment(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def danish_date(value: str | date | datetime | None) -> str:
    """`5. december 2026` (Copenhagen time for a moment)."""
    if value is None or value == "":
        return NOTHING
    day: date
    if isinstance(value, str):
        moment = parse_moment(value)
        if moment is None:
            return value
        day = moment.astimezone(COPENHAGEN).date() if moment.tzinfo else moment.date()
    elif isinstance(value, datetime):
        day = value.astimezone(COPENHAGEN).date() if value.tzinfo else value.date()
    else:
        day = value
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def danish_datetime(value: str | datetime | None) -> str:
    """`5. december 2026 kl. 14.30` in Copenhagen time."""
    moment = parse_moment(value)
    if moment is None:
        return NOTHING
    local = moment.astimezone(COPENHAGEN) if moment.tzinfo else moment
    return f"{danish_date(local)} kl. {local.hour:02d}.{local.minute:02d}"


def short_datetime(value: str | datetime | None) -> str:
    """`05.12.2026 14.30` in Copenhagen time: the Danish numeric form, for narrow columns."""
    moment = parse_moment(value)
    if moment is None:
        return NOTHING
    local = moment.astimezone(COPENHAGEN) if moment.tzinfo else moment
    return f"{local:%d.%m.%Y} {local.hour:02d}.{local.minute:02d}"


def _amount(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def duration(delta: timedelta) -> str:
    """`2 dage og 3 timer`, `5 timer`, `40 minutter`."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = _amount(days, "dag", "dage")
        return f"{text} og {_amount(hours, 'time', 'timer')}" if hours else text
    if hours:
        return _amount(hours, "time", "timer")
    return _amount(minutes, "minut", "minutter")


def clock_duration(seconds: float) -> str:
    """A clock's reading (issue 16): as `duration`, and `under 1 minut` for the platform's own
    steps, which take seconds."""
    if seconds < 60:
        return "under 1 minut"
    return duration(timedelta(seconds=seconds))


def time_left(due: str | datetime | None, now: datetime) -> str:
    moment = parse_moment(due)
    if moment is None:
        return "Ingen frist"
    delta = moment - now
    if delta.total_seconds() < 0:
        return f"Overskredet for {duration(delta)} siden"
    return f"{duration(delta)} tilbage"


def iso_week_label(iso_week: str) -> str:
    """`2026-W49` → `uge 49, 2026`."""
    year, _, week = iso_week.partition("-W")
    return f"uge {int(week)}, {year}" if week.isdigit() else iso_week
