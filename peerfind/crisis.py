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
        "NAMI HelpLine",
        'call 1-800-950-6264; text "helpline" to 62640',
        "information and referrals (not a crisis line; weekdays)",
    ),
)


def render() -> str:
    """Return the crisis lines as text for a terminal."""
    lines = [
        "If you are in danger now, call 911 (outside the US, your local emergency number).",
        "",
    ]
    for name, how, who in LINES:
        lines.append(f"{name}\n  {how}\n  for {who}")
    lines += ["", "Peer support groups complement professional care; they do not replace it."]
    return "\n".join(lines)
