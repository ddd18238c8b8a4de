"""Everything a process builds once at start-up and shares: settings, database, keys, services."""

from dataclasses import dataclass

from shelfwise.accounts.security import TokenCodec
from shelfwise.accounts.service import AccountsService
from shelfwise.jobs.registry import load_task_modules
from shelfwise.platform.db import Database
from shelfwise.platform.settings import Settings
from shelfwise.platform.vault import KeyRing, load_key_ring
from shelfwise.vault.service import VaultService


@dataclass
class AppContext:
    settings: Settings
    database: Database
    key_ring: KeyRing
    accounts: AccountsService
    vault: VaultService

    @classmethod
    def build(cls, settings: Settings, database: Database | None = None) -> "AppContext":
        load_task_modules()  # every process that may queue jobs must know their kinds
        key_ring = load_key_ring(settings)
        return cls(
            settings=settings,
            database=database or Database(settings),
            key_ring=key_ring,
            accounts=AccountsService(settings, key_ring, TokenCodec(settings)),
            vault=VaultService(key_ring),
        )
