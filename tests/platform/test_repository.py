"""The repository rule: tenant scoping is written once, in TenantRepository.scoped().

Any other comparison of a mapped model's `organization_id` column with a value, a
`filter_by(organization_id=...)` or SQL text filtering on organization_id is a query that filters
tenants by hand, and fails the test below (STYLE.md, "Data access").
"""

import ast
import re
from pathlib import Path

import pytest

from shelfwise.platform.db import Base
from shelfwise.platform.registry import MODEL_MODULES

SOURCE = Path(__file__).resolve().parents[2] / "src" / "shelfwise"
# Files allowed to name organization_id in a filter, and why.
ALLOWED = {
    # The one helper every tenant repository builds on.
    "platform/repository.py": "TenantRepository.scoped() is the rule itself",
    # Identity tables (memberships, API keys) are not tenant tables: login and authentication
    # look them up before any organization is chosen, so they are queried by organization id
    # explicitly, without row-level security.
    "accounts/repository.py": "identity-table queries (memberships, API keys)",
    # The row-level security policies are the database's half of the rule.
    "migrations/": "RLS policy predicates",
    # ... and each monthly partition of the time series gets the same policy when it is made.
    "platform/partitions.py": "RLS policy predicate of new partitions",
}
COLUMN_METHODS = frozenset(
    {"in_", "not_in", "notin_", "is_", "is_not", "isnot", "__eq__", "__ne__", "is_distinct_from"}
)
SQL_FILTER = re.compile(r"\borganization_id\s*(=|<>|!=|\bIN\b|\bIS\b)", re.IGNORECASE)


def model_names() -> frozenset[str]:
    assert MODEL_MODULES  # importing the registry maps every model
    return frozenset(mapper.class_.__name__ for mapper in Base.registry.mappers)


def _is_column(node: ast.AST, models: frozenset[str]) -> bool:
    """`Product.title`, `self.model.id`: a mapped column, as opposed to a plain value."""
    if not isinstance(node, ast.Attribute):
        return False
    owner = node.value
    return (isinstance(owner, ast.Name) and owner.id in models) or (
        isinstance(owner, ast.Attribute) and owner.attr == "model"
    )


def _is_tenant_column(node: ast.AST, models: frozenset[str]) -> bool:
    return (
        _is_column(node, models)
        and isinstance(node, ast.Attribute)
        and (node.attr == "organization_id")
    )


def hand_written_tenant_filters(source: str, models: frozenset[str]) -> list[int]:
    """Line numbers where `source` filters rows by organization without TenantRepository."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            # `Listing.organization_id == Product.organization_id` is a join, not a filter.
            if any(_is_tenant_column(o, models) for o in operands) and not all(
                _is_column(o, models) for o in operands
            ):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in COLUMN_METHODS and _is_tenant_column(node.func.value, models):
                lines.append(node.lineno)
            if node.func.attr == "filter_by" and any(
                keyword.arg == "organization_id" for keyword in node.keywords
            ):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL_FILTER.search(node.value)
        ):
            lines.append(node.lineno)
    return sorted(set(lines))


@pytest.mark.parametrize(
    ("snippet", "flagged"),
    [
        ("select(Product).where(Product.organization_id == organization_id)", True),
        ("select(Product).where(organization_id == Product.organization_id)", True),
        ("delete(Listing).where(Listing.organization_id != self.organization_id)", True),
        ("select(Product).where(Product.organization_id.in_(ids))", True),
        ("select(Product).where(self.model.organization_id == org)", True),
        ("session.query(Product).filter_by(organization_id=self.organization_id)", True),
        ("text('SELECT * FROM products WHERE organization_id = :org')", True),
        ("text('DELETE FROM listings WHERE organization_id IN (:a)')", True),
        ("Product(organization_id=who.organization_id, title='t')", False),
        (
            "select(Listing).join(Product, Listing.organization_id == Product.organization_id)",
            False,
        ),
        ("if organization_id != api_key.organization_id: raise Error()", False),
        ("entity.organization_id = self.organization_id", False),
        ("statement = self.scoped(select(Product))", False),
    ],
    ids=[
        "column-equals-value",
        "value-equals-column",
        "column-not-equal",
        "column-in",
        "self-model-column",
        "filter-by-keyword",
        "sql-text-equals",
        "sql-text-in",
        "constructor-keyword",
        "join-on-organization",
        "python-comparison-of-instances",
        "assignment",
        "scoped-helper",
    ],
)
def test_detector_tells_hand_written_filters_from_legitimate_uses(
    snippet: str, flagged: bool
) -> None:
    assert bool(hand_written_tenant_filters(snippet, model_names())) is flagged


def test_only_tenant_repository_filters_tenants_by_hand() -> None:
    for allowed in ALLOWED:
        assert (SOURCE / allowed).exists(), f"stale entry in ALLOWED: {allowed}"
    models = model_names()
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if any(relative == allowed or relative.startswith(allowed) for allowed in ALLOWED):
            continue
        lines = hand_written_tenant_filters(path.read_text(), models)
        if lines:
            found[relative] = lines
    assert found == {}, "scope these queries with TenantRepository (scoped/select) instead"
