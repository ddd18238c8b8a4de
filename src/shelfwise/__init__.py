"""Shelfwise: self-hosted operations platform for marketplace sellers and affiliate publishers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("shelfwise")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
