"""How to tell an organization that a listing is wrong: role addresses and the report channel.

A correction address is kept only when it belongs to a role, never to a person: either its
local part is a role word (webmaster@, info@, office@, meetings@ … — the idea of RFC 2142,
"Mailbox Names for Common Services, Roles and Functions", https://www.ietf.org/rfc/rfc2142.txt,
extended with the service roles meeting lists use), or it is the very address the source
publishes for the organization itself. Stdlib only: `peerfind show` imports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from peerfind.models import Group

# Whole local parts (lower-cased, with '.', '-' and '_' removed) that name a role, not a person.
ROLE_WORDS = frozenset(
    (
        "webmaster",
        "web",
        "webstuff",
        "website",
        "www",
        "postmaster",
        "hostmaster",
        "info",
        "information",
        "office",
        "centraloffice",
        "intergroup",
        "meetings",
        "meeting",
        "meetinglist",
        "meetinglists",
        "listings",
        "schedule",
        "schedules",
        "contact",
        "contactus",
        "hello",
        "help",
        "helpdesk",
        "support",
        "admin",
        "administrator",
        "feedback",
        "corrections",
        "updates",
        "update",
        "registrar",
        "secretary",
        "service",
        "services",
    )
)
_ADDRESS = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")


def is_role_address(address: str, published: str = "") -> bool:
    """Return True when `address` reaches a role: a role-word mailbox or the organization's own.

    `published` is the address the source publishes for the organization (e.g. Meeting Guide's
    `entity_email`); an address equal to it is the organization's, whatever its local part.
    """
    text = address.strip().lower()
    if not _ADDRESS.match(text):
        return False
    if published and text == published.strip().lower():
        return True
    local = re.sub(r"[.\-_]", "", text.split("@", 1)[0])
    return local in ROLE_WORDS


def role_address(values: object, published: str = "") -> str:
    """Return the first role address among a feed's addresses (a string, list or dict), or ''."""
    if isinstance(values, dict):
        values = list(values.values())
    elif isinstance(values, str):
        values = re.split(r"[,;\s]+", values)
    if not isinstance(values, list):
        return ""
    for value in values:
        if isinstance(value, str) and is_role_address(value, published):
            return value.strip()
    return ""


@dataclass(frozen=True)
class Channel:
    """Where to report a problem with a listing.

    `kind`: page (the source's feedback page), email (the source's correction address),
    contact_email / contact (the organization's public address / website, offered when the
    source gives no correction channel) or none.
    """

    kind: str
    target: str = ""  # a URL (page, contact) or a mailto: link with the message filled in
    label: str = ""  # what the target is, in words
    short: str = ""  # the target without a prefilled message (mailto:address)

    def line(self) -> str:
        """Return the one-line pointer shown under a listing ('' when there is no channel)."""
        if self.kind == "none":
            return ""
        return f"Wrong or closed? Tell the organization: {self.short or self.target}"


def mailto(address: str, g: Group) -> str:
    """Return a mailto: link to `address` with the listing's name, day, time and link filled in."""
    s = g.schedule
    when = s.text or ("by appointment" if s.kind == "appointment" else "")
    subject = f"Correction for the listing: {g.name}"
    lines = [
        "Hello,",
        "",
        "I think this listing is wrong or out of date:",
        "",
        f"Meeting: {g.name}",
    ]
    if when:
        lines.append(f"When: {when}" + (f" ({s.timezone})" if s.timezone else ""))
    where = ", ".join(p for p in (g.venue, g.address, g.city, g.region) if p)
    if where:
        lines.append(f"Where: {where}")
    if g.source_url:
        lines.append(f"Listing: {g.source_url}")
    lines += ["", "What is wrong: ", ""]
    body = "\r\n".join(lines)
    return f"mailto:{address}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def channel(g: Group) -> Channel:
    """Return how to report a problem with a listing: the source's feedback page, a mailto:
    to its role address, the organization's public contact, or none."""
    if g.feedback_url:
        return Channel("page", g.feedback_url, "the source's page for reporting changes")
    if g.feedback_email and is_role_address(g.feedback_email, g.email):
        address = g.feedback_email
        return Channel(
            "email", mailto(address, g), "the source's address for corrections", f"mailto:{address}"
        )
    if g.email and is_role_address(g.email, g.email):
        return Channel(
            "contact_email",
            mailto(g.email, g),
            "the organization's public address",
            f"mailto:{g.email}",
        )
    if g.website:
        return Channel("contact", g.website, "the organization's website")
    return Channel("none")
