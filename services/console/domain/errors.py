"""What a refusal or failure of another service means, said in Danish to the person at the
screen. The APIs' error codes are stable (docs/errors.md) and their messages English; the
console says each code in Danish, and falls back on the status for a code it does not know."""

from __future__ import annotations

from shared.danish import SERVICES

MESSAGES = {
    400: "Formålet med opslaget mangler, så det blev afvist.",
    401: "Dit login er udløbet. Log ind igen.",
    403: "Din rolle eller din kommune giver ikke adgang til dette.",
    404: "Det findes ikke, eller du har ikke adgang til det.",
    405: "Det kan man ikke her.",
    409: "Det er allerede afsluttet eller annulleret.",
    413: "Det er for stort.",
    415: "Oplysningerne blev sendt i et format, tjenesten ikke kan læse.",
    422: "Oplysningerne er ikke gyldige. Ret dem og prøv igen.",
    429: "Der er lavet for mange opslag på kort tid. Prøv igen senere.",
}

CODES = {
    "purpose_required": "Formålet med opslaget mangler, så det blev afvist.",
    "unauthenticated": "Dit login er udløbet. Log ind igen.",
    "role_not_allowed": "Din rolle giver ikke adgang til dette.",
    "municipality_not_allowed": "Det vedrører en kommune, du ikke har adgang til.",
    "school_not_allowed": "Det vedrører en elev på en skole, du ikke har adgang til.",
    "not_found": "Det findes ikke, eller du har ikke adgang til det.",
    "method_not_allowed": "Det kan man ikke her.",
    "too_large": "Det er for stort.",
    "unsupported_media_type": "Oplysningerne blev sendt i et format, tjenesten ikke kan læse.",
    "invalid_request": "Oplysningerne er ikke gyldige. Ret dem og prøv igen.",
    "invalid_incident": "Indberetningen er ikke gyldig og er gemt som afvist.",
    "invalid_police_list": "Politilisten kunne ikke læses; intet blev importeret.",
    "rate_limited": "Der er lavet for mange opslag på kort tid. Prøv igen senere.",
    "conflict": "Det er ændret af en anden imens. Genindlæs siden og prøv igen.",
    "course_not_found": "Forløbet findes ikke, eller du har ikke adgang til det.",
    "unknown_municipality": "Kommunekoden er ikke en dansk kommune.",
}
"""The platform's stable error codes in Danish (every code docs/errors.md lists for people)."""


def danish_error(service: str, status: int, code: str | None = None) -> str:
    name = SERVICES.get(service, service)
    if code == "unreachable":
        return f"{name} svarer ikke lige nu. Prøv igen om lidt."
    if code in {"internal_error", "unavailable"} or status >= 500:
        return f"Der opstod en fejl i {name}. Prøv igen om lidt."
    if code is not None and code in CODES:
        return CODES[code]
    if status in MESSAGES:
        return MESSAGES[status]
    return f"Der opstod en fejl i {name}. Prøv igen om lidt."
