"""`peerfind report ID` (how to tell an organization a listing is wrong) and `peerfind forget`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from peerfind.cli.common import fail, handled, open_catalog

if TYPE_CHECKING:
    from peerfind.models import Group


def report_text(group: Group) -> str:
    """Return what `peerfind report` prints for one listing."""
    from peerfind import feedback

    chan = feedback.channel(group)
    lines = [f"Report a problem with {group.name!r} (id {group.id})."]
    if chan.kind == "page":
        lines += [
            "The source has a page for reporting changes to its listings:",
            f"  {chan.target}",
        ]
    elif chan.kind in ("email", "contact_email"):
        address = chan.short.removeprefix("mailto:")
        if chan.kind == "email":
            lines.append(f"The source gives a role address for corrections: {address}")
        else:
            lines.append(
                "The source gives no correction channel; the organization's public "
                f"address is {address}"
            )
        lines += [
            "This link opens your mail program with the group's name, day, time and source link "
            "filled in (nothing is sent until you send it):",
            f"  {chan.target}",
        ]
    elif chan.kind == "contact":
        lines += [
            "The source gives no correction channel; the organization's website:",
            f"  {chan.target}",
        ]
    else:
        lines.append(
            "The source gives no way to report a problem with this listing, and no "
            "public contact for the organization."
        )
    if group.source_url:
        lines.append(f"The listing at the source: {group.source_url}")
    lines.append("peerfind itself sends nothing.")
    return "\n".join(lines)


@handled
def report(
    ident: Annotated[str, typer.Argument(metavar="ID", help="A group id from search results.")],
) -> None:
    """Show how to tell the organization that a listing is wrong or the group has closed.

    Prints the source's feedback page, or a mailto: link to its role address with the
    group's name, day, time and source link filled in, or the organization's public
    contact. peerfind sends nothing.

    Example: peerfind report 1a2b3c4d5e6f
    """
    from peerfind.catalog import db as catalog
    from peerfind.clean import terminal_safe

    group = catalog.get_group(open_catalog(), ident.strip())
    if group is None:
        raise fail(f"no group with id {ident!r}; ids are shown in the first column of search.", 2)
    for line in report_text(group).splitlines():
        indent = len(line) - len(line.lstrip(" "))
        print(" " * indent + terminal_safe(line))


@handled
def forget() -> None:
    """Delete what peerfind keeps of your use: the places looked up online and the HTTP cache.

    The online-geocoding cache holds places you looked up with --online; the HTTP cache
    holds feeds fetched by `peerfind scrape`. The catalog of public listings stays. To
    keep no looked-up places at all, set PEERFIND_GEOCODE_CACHE=off.

    Example: peerfind forget
    """
    from peerfind.catalog import privacy

    removed = privacy.forget()
    if not removed:
        print("Nothing to forget: no online-geocoding cache and no HTTP cache.")
    for path in removed:
        print(f"deleted {path}")


def register(app: typer.Typer) -> None:
    """Add the report and forget commands to the app."""
    app.command()(report)
    app.command()(forget)
