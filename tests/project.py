"""The project's own code, for tests that read it: where it is, and its packages by layer (docs/architecture.md)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The project's packages, from the lowest layer to the highest; packages in one tuple are one layer and may not
#: import each other. A package may import only packages of lower layers (and itself).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("partners",),
    ("recommendations",),
    ("reports", "transfer", "webhooks", "notifications"),
    ("proposals",),  # builds on transfer's import (a sibling may not import it)
    ("config",),
    ("bench", "loadtest"),  # tools that run the whole project
)

#: Every package of the project's code.
APPS = [name for layer in LAYERS for name in layer]
