"""Versioned prompt templates (`<name>.v<n>.txt`, `string.Template` placeholders).

A template is never edited once released: a change is a new version, and each proposal records
the version it was written with. The system part comes first, then a `---- user ----` line,
then the user message.
"""

from dataclasses import dataclass
from importlib import resources
from string import Template

USER_MARKER = "---- user ----"


@dataclass(frozen=True)
class Prompt:
    version: str  # e.g. rewrite_listing.v1
    system: Template
    user: Template


def load_prompt(version: str) -> Prompt:
    text = resources.files(__package__).joinpath(f"{version}.txt").read_text(encoding="utf-8")
    system, user = text.split(USER_MARKER + "\n", 1)
    return Prompt(version, Template(system.strip()), Template(user.strip()))
