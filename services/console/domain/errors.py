"""What a refusal or failure of another service means, said in Danish to the person at the
screen (the API's codes stay stable; its messages may be English)."""

from __future__ import annotations

from shared.danish import SERVICES

MESSAGES = {
    400: "Formålet med opslaget mangler, så det blev afvist.",
    401: "Dit login er udløbet. Log ind igen.",
    403: "Din rolle eller din kommune giver ikke adgang til dette.",
    404: "Det findes ikke, eller du har ikke adgang til det.",
    409: "Det er allerede afsluttet eller annulleret.",
    413: "Det er for stort.",
    422: "Oplysningerne er ikke gyldige. Ret dem og prøv igen.",
    429: "Der er lavet for mange opslag på kort tid. Prøv igen senere.",
}


def danish_error(service: str, status: int, code: str | None = None) -> str:
    name = SERVICES.get(service, service)
    if code == "unreachable":
        return f"{name} svarer ikke lige nu. Prøv igen om lidt."
    if status in MESSAGES:
        return MESSAGES[status]
    return f"Der opstod en fejl i {name}. Prøv igen om lidt."
