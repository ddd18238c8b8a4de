"""Imports every model module so the metadata is complete (Alembic, tests, RLS policies)."""

from sqlalchemy import Table

from shelfwise.accounts import models as accounts_models
from shelfwise.analytics import models as analytics_models
from shelfwise.audit import models as audit_models
from shelfwise.bridge import models as bridge_models
from shelfwise.catalog import models as catalog_models
from shelfwise.events import models as events_models
from shelfwise.ingest import models as ingest_models
from shelfwise.intelligence import models as intelligence_models
from shelfwise.intelligence import score_models
from shelfwise.jobs import models as jobs_models
from shelfwise.market import models as market_models
from shelfwise.platform.db import Base
from shelfwise.vault import models as vault_models

MODEL_MODULES = (
    accounts_models,
    analytics_models,
    audit_models,
    bridge_models,
    catalog_models,
    events_models,
    ingest_models,
    intelligence_models,
    score_models,
    jobs_models,
    market_models,
    vault_models,
)


def tenant_tables() -> list[Table]:
    """Every table whose rows belong to one organization (row-level security applies)."""
    tables = []
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tenant_table__", False):
            table = mapper.local_table
            assert isinstance(table, Table)
            tables.append(table)
    return sorted(tables, key=lambda table: table.name)
