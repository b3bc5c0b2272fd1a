"""A resolved place: the point a search measures from and what it stands for."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Place:
    """A resolved point with what it stands for; `note` is a remark to show the user, if any."""

    name: str
    state: str
    lat: float
    lon: float
    population: int | None
    kind: str  # "zip" | "city" | "coords" | "address"
    timezone: str | None
    note: str | None = None
    postal_code: str | None = None

    @property
    def label(self) -> str:
        """Return the place as shown: "Portland, OR", "02139 (Cambridge, MA)", "45.52, -122.68"."""
        if self.kind == "zip":
            return f"{self.postal_code} ({self.name}, {self.state})"
        if self.kind == "coords":
            return f"{self.lat:.2f}, {self.lon:.2f}"
        if self.kind == "address" or not self.state:
            return self.name
        return f"{self.name}, {self.state}"

    @property
    def precision(self) -> str:
        """Return how precise the point is: "postal", "city" or "point"."""
        return {"zip": "postal", "city": "city"}.get(self.kind, "point")

    def with_note(self, note: str | None) -> Place:
        """Return a copy with `note` added after any note already present."""
        if not note:
            return self
        return replace(self, note=f"{self.note}; {note}" if self.note else note)
