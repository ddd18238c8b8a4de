"""Catalog rules: identity keys, content versions, the status lifecycle, and auditing.

Services never commit: the request (or job) does, once.
"""

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.audit.service import ActsForOrganization, audit
from shelfwise.catalog.diff import CONTENT_FIELDS, content_diff
from shelfwise.catalog.marketplaces import marketplace as find_marketplace
from shelfwise.catalog.models import (
    Listing,
    ListingContentVersion,
    ListingStatus,
    MarketplaceAccount,
    Product,
)
from shelfwise.catalog.repository import (
    ContentVersionRepository,
    ListingRepository,
    MarketplaceAccountRepository,
    ProductRepository,
)
from shelfwise.catalog.schemas import (
    ContentDiff,
    ListingCreate,
    ListingUpdate,
    MarketplaceAccountCreate,
    MarketplaceAccountUpdate,
    Money,
    ProductCreate,
    ProductUpdate,
)
from shelfwise.events.service import publish
from shelfwise.platform.errors import ConflictError, InvalidInputError, NotFoundError
from shelfwise.vault.repository import CredentialRepository

LISTING_CONTENT_CHANGED = "listing.content_changed"  # each new content version

# The lifecycle from DESIGN 1.2; a listing can always be sent back to optimization or republished.
STATUS_TRANSITIONS: dict[ListingStatus, frozenset[ListingStatus]] = {
    ListingStatus.IMPORTED: frozenset({ListingStatus.OPTIMIZING, ListingStatus.PUBLISHING}),
    ListingStatus.OPTIMIZING: frozenset({ListingStatus.OPTIMIZED, ListingStatus.FAILED}),
    ListingStatus.OPTIMIZED: frozenset({ListingStatus.PUBLISHING, ListingStatus.OPTIMIZING}),
    ListingStatus.PUBLISHING: frozenset({ListingStatus.PUBLISHED, ListingStatus.FAILED}),
    ListingStatus.PUBLISHED: frozenset({ListingStatus.OPTIMIZING, ListingStatus.PUBLISHING}),
    ListingStatus.FAILED: frozenset({ListingStatus.OPTIMIZING, ListingStatus.PUBLISHING}),
}


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def snapshot(entity: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: _json(getattr(entity, field)) for field in fields}


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def field_error(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(
        f"{field}: {message}", [{"field": f"body.{field}", "message": message}]
    )


def money_fields(money: Money | None) -> tuple[Decimal | None, str | None]:
    return (money.amount, money.currency) if money is not None else (None, None)


PRODUCT_FIELDS = (
    "source_platform",
    "source_id",
    "title",
    "brand",
    "gtin",
    "asin",
    "category",
    "description",
    "images",
    "attributes",
    "cost_amount",
    "cost_currency",
    "source_updated_at",
)
ACCOUNT_FIELDS = (
    "name",
    "platform",
    "marketplace",
    "seller_id",
    "region",
    "credential_id",
    "is_active",
)
LISTING_FIELDS = (
    "product_id",
    "marketplace_account_id",
    "marketplace",
    "sku",
    "asin",
    "title",
    "bullets",
    "description",
    "images",
    "attributes",
    "price_amount",
    "price_currency",
    "quantity",
    "status",
    "content_version",
)


class ProductService:
    def get(self, session: Session, who: ActsForOrganization, product_id: uuid.UUID) -> Product:
        product = ProductRepository(session, who.organization_id).get(product_id)
        if product is None:
            raise NotFoundError("No such product.")
        return product

    def create(self, session: Session, who: ActsForOrganization, body: ProductCreate) -> Product:
        repository = ProductRepository(session, who.organization_id)
        if repository.by_source(body.source_platform, body.source_id) is not None:
            raise ConflictError(
                f"A product from {body.source_platform} with source id {body.source_id} "
                "already exists."
            )
        cost_amount, cost_currency = money_fields(body.cost)
        product = repository.add(
            Product(
                **body.model_dump(exclude={"cost"}),
                cost_amount=cost_amount,
                cost_currency=cost_currency,
            )
        )
        audit(
            session,
            who,
            "product.created",
            "product",
            product.id,
            after=snapshot(product, PRODUCT_FIELDS),
        )
        return product

    def update(
        self, session: Session, who: ActsForOrganization, product_id: uuid.UUID, body: ProductUpdate
    ) -> Product:
        product = self.get(session, who, product_id)
        before = snapshot(product, PRODUCT_FIELDS)
        values = body.model_dump(exclude_unset=True, exclude={"cost"})
        if "title" in values and values["title"] is None:
            raise field_error("title", "cannot be null")
        if "cost" in body.model_fields_set:
            values["cost_amount"], values["cost_currency"] = money_fields(body.cost)
        for field, value in values.items():
            setattr(product, field, value)
        session.flush()
        old, new = changed_fields(before, snapshot(product, PRODUCT_FIELDS))
        if new:
            audit(session, who, "product.updated", "product", product.id, before=old, after=new)
        return product

    def delete(self, session: Session, who: ActsForOrganization, product_id: uuid.UUID) -> None:
        product = self.get(session, who, product_id)
        before = snapshot(product, PRODUCT_FIELDS)
        ProductRepository(session, who.organization_id).delete(product)
        audit(session, who, "product.deleted", "product", product_id, before=before)


class MarketplaceAccountService:
    def get(
        self, session: Session, who: ActsForOrganization, account_id: uuid.UUID
    ) -> MarketplaceAccount:
        account = MarketplaceAccountRepository(session, who.organization_id).get(account_id)
        if account is None:
            raise NotFoundError("No such marketplace account.")
        return account

    def _check_credential(
        self, session: Session, who: ActsForOrganization, credential_id: uuid.UUID | None
    ) -> None:
        if (
            credential_id is not None
            and CredentialRepository(session, who.organization_id).get(credential_id) is None
        ):
            raise field_error("credential_id", "no such credential in this organization")

    def create(
        self, session: Session, who: ActsForOrganization, body: MarketplaceAccountCreate
    ) -> MarketplaceAccount:
        found = find_marketplace(body.marketplace)
        assert found is not None  # validated by the schema
        if found.platform != body.platform:
            raise field_error(
                "marketplace", f"{found.code} is not a {body.platform.value} marketplace"
            )
        self._check_credential(session, who, body.credential_id)
        account = MarketplaceAccountRepository(session, who.organization_id).add(
            MarketplaceAccount(**body.model_dump(), region=found.region)
        )
        audit(
            session,
            who,
            "marketplace_account.created",
            "marketplace_account",
            account.id,
            after=snapshot(account, ACCOUNT_FIELDS),
        )
        return account

    def update(
        self,
        session: Session,
        who: ActsForOrganization,
        account_id: uuid.UUID,
        body: MarketplaceAccountUpdate,
    ) -> MarketplaceAccount:
        account = self.get(session, who, account_id)
        before = snapshot(account, ACCOUNT_FIELDS)
        values = body.model_dump(exclude_unset=True)
        for field in ("name", "is_active"):
            if field in values and values[field] is None:
                raise field_error(field, "cannot be null")
        if "credential_id" in values:
            self._check_credential(session, who, values["credential_id"])
        for field, value in values.items():
            setattr(account, field, value)
        session.flush()
        old, new = changed_fields(before, snapshot(account, ACCOUNT_FIELDS))
        if new:
            audit(
                session,
                who,
                "marketplace_account.updated",
                "marketplace_account",
                account.id,
                before=old,
                after=new,
            )
        return account

    def delete(self, session: Session, who: ActsForOrganization, account_id: uuid.UUID) -> None:
        account = self.get(session, who, account_id)
        before = snapshot(account, ACCOUNT_FIELDS)
        MarketplaceAccountRepository(session, who.organization_id).delete(account)
        audit(
            session,
            who,
            "marketplace_account.deleted",
            "marketplace_account",
            account_id,
            before=before,
        )


class ListingService:
    def get(self, session: Session, who: ActsForOrganization, listing_id: uuid.UUID) -> Listing:
        listing = ListingRepository(session, who.organization_id).get(listing_id)
        if listing is None:
            raise NotFoundError("No such listing.")
        return listing

    def create(self, session: Session, who: ActsForOrganization, body: ListingCreate) -> Listing:
        organization_id = who.organization_id
        if ProductRepository(session, organization_id).get(body.product_id) is None:
            raise field_error("product_id", "no such product in this organization")
        account = MarketplaceAccountRepository(session, organization_id).get(
            body.marketplace_account_id
        )
        if account is None:
            raise field_error(
                "marketplace_account_id", "no such marketplace account in this organization"
            )
        price_amount, price_currency = money_fields(body.price)
        listing = ListingRepository(session, organization_id).add(
            Listing(
                **body.model_dump(exclude={"price"}),
                marketplace=account.marketplace,
                price_amount=price_amount,
                price_currency=price_currency,
                status=ListingStatus.IMPORTED,
                content_version=1,
            )
        )
        self._add_version(session, who, listing, origin="create", note=None)
        audit(
            session,
            who,
            "listing.created",
            "listing",
            listing.id,
            after=snapshot(listing, LISTING_FIELDS),
        )
        return listing

    def update(
        self,
        session: Session,
        who: ActsForOrganization,
        listing_id: uuid.UUID,
        body: ListingUpdate,
        *,
        origin: str = "edit",
    ) -> Listing:
        listing = self.get(session, who, listing_id)
        before = snapshot(listing, LISTING_FIELDS)
        values = body.model_dump(exclude_unset=True, exclude={"price", "note"})
        if "title" in values and values["title"] is None:
            raise field_error("title", "cannot be null")
        for field in ("bullets", "images", "attributes"):
            if field in values and values[field] is None:
                values[field] = [] if field != "attributes" else {}
        if "price" in body.model_fields_set:
            values["price_amount"], values["price_currency"] = money_fields(body.price)
        old_content = snapshot(listing, CONTENT_FIELDS)
        for field, value in values.items():
            setattr(listing, field, value)
        if snapshot(listing, CONTENT_FIELDS) != old_content:
            listing.content_version += 1
            self._add_version(session, who, listing, origin=origin, note=body.note)
        session.flush()
        old, new = changed_fields(before, snapshot(listing, LISTING_FIELDS))
        if new:
            audit(session, who, "listing.updated", "listing", listing.id, before=old, after=new)
        return listing

    def delete(self, session: Session, who: ActsForOrganization, listing_id: uuid.UUID) -> None:
        listing = self.get(session, who, listing_id)
        before = snapshot(listing, LISTING_FIELDS)
        ListingRepository(session, who.organization_id).delete(listing)
        audit(session, who, "listing.deleted", "listing", listing_id, before=before)

    def change_status(
        self,
        session: Session,
        who: ActsForOrganization,
        listing_id: uuid.UUID,
        status: ListingStatus,
    ) -> Listing:
        listing = self.get(session, who, listing_id)
        if status == listing.status:
            return listing
        if status not in STATUS_TRANSITIONS[listing.status]:
            allowed = ", ".join(sorted(s.value for s in STATUS_TRANSITIONS[listing.status]))
            raise ConflictError(
                f"A listing cannot go from {listing.status.value} to {status.value} "
                f"(allowed: {allowed})."
            )
        old = listing.status
        listing.status = status
        session.flush()
        audit(
            session,
            who,
            "listing.status_changed",
            "listing",
            listing.id,
            before={"status": old.value},
            after={"status": status.value},
        )
        return listing

    def versions(
        self, session: Session, who: ActsForOrganization, listing_id: uuid.UUID
    ) -> list[ListingContentVersion]:
        self.get(session, who, listing_id)
        return ContentVersionRepository(session, who.organization_id).of_listing(listing_id)

    def version(
        self, session: Session, who: ActsForOrganization, listing_id: uuid.UUID, version: int
    ) -> ListingContentVersion:
        self.get(session, who, listing_id)
        found = ContentVersionRepository(session, who.organization_id).one(listing_id, version)
        if found is None:
            raise NotFoundError(f"The listing has no version {version}.")
        return found

    def diff(
        self,
        session: Session,
        who: ActsForOrganization,
        listing_id: uuid.UUID,
        from_version: int,
        to_version: int,
    ) -> ContentDiff:
        old = self.version(session, who, listing_id, from_version)
        new = self.version(session, who, listing_id, to_version)
        fields = content_diff(snapshot(old, CONTENT_FIELDS), snapshot(new, CONTENT_FIELDS))
        return ContentDiff(from_version=from_version, to_version=to_version, fields=fields)

    def revert(
        self,
        session: Session,
        who: ActsForOrganization,
        listing_id: uuid.UUID,
        version: int,
        note: str | None,
    ) -> Listing:
        """Restore an earlier version's content as a new version (history is never rewritten)."""
        target = self.version(session, who, listing_id, version)
        listing = self.get(session, who, listing_id)
        before = snapshot(listing, (*CONTENT_FIELDS, "content_version"))
        for field in CONTENT_FIELDS:
            setattr(listing, field, getattr(target, field))
        listing.content_version += 1
        self._add_version(
            session, who, listing, origin="revert", note=note or f"revert to version {version}"
        )
        session.flush()
        audit(
            session,
            who,
            "listing.reverted",
            "listing",
            listing.id,
            before=before,
            after=snapshot(listing, (*CONTENT_FIELDS, "content_version")),
        )
        return listing

    @staticmethod
    def _add_version(
        session: Session,
        who: ActsForOrganization,
        listing: Listing,
        *,
        origin: str,
        note: str | None,
    ) -> None:
        ContentVersionRepository(session, who.organization_id).add(
            ListingContentVersion(
                listing_id=listing.id,
                version=listing.content_version,
                origin=origin,
                note=note,
                created_by=who.actor.label,
                **{field: getattr(listing, field) for field in CONTENT_FIELDS},
            )
        )
        # Subscribers (the quality score) re-read the listing; the event says which and why.
        publish(
            session,
            who.organization_id,
            LISTING_CONTENT_CHANGED,
            {
                "listing_id": str(listing.id),
                "content_version": listing.content_version,
                "origin": origin,
            },
        )


product = ProductService()
marketplace_account = MarketplaceAccountService()
listing = ListingService()
