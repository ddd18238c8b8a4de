"""Creating the demo organization, its user and catalog once; remembering the login."""

import json
import secrets
import uuid
from dataclasses import dataclass

from shelfwise.accounts.repository import AccountsRepository
from shelfwise.catalog import service as catalog
from shelfwise.catalog.models import ListingStatus, Platform
from shelfwise.catalog.schemas import ListingCreate, MarketplaceAccountCreate, Money, ProductCreate
from shelfwise.demo.catalog import generate
from shelfwise.platform.actor import Actor
from shelfwise.platform.context import AppContext
from shelfwise.platform.db import set_tenant

DEMO_EMAIL = "demo@shelfwise.local"
DEMO_ORGANIZATION = "Demo Seller"
DEMO_ACTOR = Actor("automation", "demo")


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    organization_id: uuid.UUID


@dataclass(frozen=True)
class DemoWriter:
    """Acts for the demo organization as the `demo` automation (for the audit log)."""

    organization_id: uuid.UUID
    actor: Actor = DEMO_ACTOR


def _remembered(context: AppContext) -> DemoLogin | None:
    path = context.settings.data_dir / "demo-login.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return DemoLogin(data["email"], data["password"], uuid.UUID(data["organization_id"]))


def _remember(context: AppContext, login: DemoLogin) -> None:
    path = context.settings.data_dir / "demo-login.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "email": login.email,
                "password": login.password,
                "organization_id": str(login.organization_id),
            }
        )
    )
    path.chmod(0o600)


def ensure_demo(context: AppContext, *, force: bool = False) -> DemoLogin | None:
    """Create the demo organization unless it exists; None when the install already has users
    and no demo (a real installation is never given a demo account behind its back)."""
    remembered = _remembered(context)
    with context.database.unit_of_work() as session:
        repository = AccountsRepository(session)
        existing = repository.user_by_email(DEMO_EMAIL)
        if existing is not None:
            return remembered
        if not force and repository.all_organization_ids():
            return None
        password = secrets.token_urlsafe(12)
        user = context.accounts.create_user(session, DEMO_EMAIL, password)
        organization = context.accounts.create_organization(session, DEMO_ORGANIZATION, user)
        set_tenant(session, organization.id)
        writer = DemoWriter(organization.id)
        accounts = {
            code: catalog.marketplace_account.create(
                session,
                writer,
                MarketplaceAccountCreate(
                    name=f"Demo store {code}",
                    platform=Platform.AMAZON,
                    marketplace=code,
                    seller_id="ADEMOSELLER",
                ),
            )
            for code in ("amazon.com", "amazon.co.uk", "amazon.de")
        }
        for item in generate():
            product = catalog.product.create(
                session,
                writer,
                ProductCreate(
                    source_platform="demo",
                    source_id=item.source_id,
                    title=item.title,
                    brand=item.brand,
                    gtin=item.gtin,
                    asin=item.asin,
                    category=item.category,
                    attributes=item.attributes,
                    images=item.images,
                    cost=Money(amount=item.cost, currency="USD"),
                ),
            )
            for entry in item.listings:
                listing = catalog.listing.create(
                    session,
                    writer,
                    ListingCreate(
                        product_id=product.id,
                        marketplace_account_id=accounts[entry.marketplace].id,
                        sku=entry.sku,
                        asin=entry.asin,
                        title=entry.title,
                        bullets=entry.bullets,
                        description=entry.description or None,
                        images=entry.images,
                        price=Money(amount=entry.price, currency=entry.currency),
                        quantity=entry.quantity,
                    ),
                )
                listing.status = ListingStatus(entry.status)
        login = DemoLogin(DEMO_EMAIL, password, organization.id)
    _remember(context, login)
    return login
