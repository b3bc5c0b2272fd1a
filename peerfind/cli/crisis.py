"""Crisis and help lines: `peerfind crisis` and the footer of every human-readable result."""

from __future__ import annotations

FOOTER = (
    "In crisis? Call or text 988 (US; veterans press 1) · text HOME to 741741 · "
    "emergency 911 · more: peerfind crisis"
)

# (service, how to reach it, who it is for) — reference/crisis-lines.md; re-check when releasing.
LINES: tuple[tuple[str, str, str], ...] = (
    (
        "988 Suicide & Crisis Lifeline",
        "call or text 988; chat at 988lifeline.org",
        "anyone in emotional distress or suicidal crisis, 24/7",
    ),
    (
        # "press 1 for the Veterans Crisis Line, 2 for Spanish"
        # - https://internationalmentalhealth.org/resources/ ; "Press 2 for support in Spanish"
        # - https://www.theinterurbanist.org/safety/2025-09-08-Happy-988-Day
        "988 Lifeline en español",
        "call 988 and press 2 (ayuda en español)",
        "Spanish speakers, 24/7",
    ),
    (
        "Veterans Crisis Line",
        "dial 988 then press 1; text 838255",
        "veterans, service members and their families",
    ),
    ("Crisis Text Line", "text HOME to 741741", "anyone, by text, 24/7"),
    ("The Trevor Project", "call 1-866-488-7386; text START to 678-678", "LGBTQ+ young people"),
    ("Trans Lifeline", "call 1-877-565-8860", "peer support run by and for trans people"),
    (
        "SAMHSA National Helpline",
        "call 1-800-662-4357",
        "treatment referral for mental health and substance use, 24/7, free",
    ),
    (
        # "connects callers to information about critical health and human services available in
        # their community" - http://www.211us.org/faq.htm ; "free and confidential; available 24
        # hours a day, 7 days a week" - https://www.gtcuw.org/story/united-way-2-1-1/
        "211",
        "dial 211 (US)",
        "free, confidential referrals to local health and human services (food, housing, "
        "counseling, support groups), 24/7",
    ),
    (
        "NAMI HelpLine",
        'call 1-800-950-6264; text "helpline" to 62640',
        "information and referrals (not a crisis line; weekdays)",
    ),
)


# Where the lines added for issue 15 are stated (the others: reference/crisis-lines.md).
SOURCES: dict[str, tuple[str, ...]] = {
    "988 Lifeline en español": (
        "https://internationalmentalhealth.org/resources/",
        "https://www.theinterurbanist.org/safety/2025-09-08-Happy-988-Day",
    ),
    "211": ("http://www.211us.org/faq.htm", "https://www.gtcuw.org/story/united-way-2-1-1/"),
}


def footer_lines(width: int) -> list[str]:
    """Return the crisis footer in as few lines of at most `width` columns as its parts allow."""
    parts = FOOTER.split(" · ")
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


def render(width: int = 80) -> str:
    """Return the crisis lines as text for a terminal, wrapped to `width` columns."""
    import textwrap

    lines = textwrap.wrap(
        "If you are in danger now, call 911 (outside the US, your local emergency number).",
        max(20, width),
    ) + [""]
    for name, how, who in LINES:
        lines.append(name)
        for text in (how, f"for {who}"):
            lines += textwrap.wrap(
                text,
                max(20, width),
                initial_indent="  ",
                subsequent_indent="    ",
                break_long_words=False,
                break_on_hyphens=False,
            )
    lines += ["", "Peer support groups complement professional care; they do not replace it."]
    return "\n".join(lines)
