"""Proposals: made by an optimizer, then approved (a new content version) or rejected.

Services never commit: the request or the job does. Every step is audited; the proposal rows
and the listing's content versions together are the history (DESIGN 1.5).
"""

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.audit.service import ActsForOrganization, audit
from shelfwise.catalog import service as catalog
from shelfwise.catalog.diff import content_diff
from shelfwise.catalog.models import Listing, ListingStatus
from shelfwise.catalog.repository import ListingFilter, ListingRepository, ProductRepository
from shelfwise.catalog.schemas import ListingUpdate
from shelfwise.integrations.llm.client import ChatClient
from shelfwise.intelligence import scorers
from shelfwise.intelligence.content import ContentScorer, ProposedContent, SourceContent
from shelfwise.intelligence.models import ContentProposal, ProposalStatus
from shelfwise.intelligence.repository import ProposalRepository
from shelfwise.intelligence.rewrite import Scope, rewrite
from shelfwise.intelligence.rules import rules_for
from shelfwise.intelligence.schemas import MAX_BATCH, BatchOptimize
from shelfwise.platform.errors import ConflictError, InvalidInputError, NotFoundError
from shelfwise.platform.types import utcnow

DIFFED_FIELDS = ("title", "bullets", "description")
ClientFactory = Callable[[], ChatClient | None]


def _fields(content: ProposedContent) -> dict[str, Any]:
    return {
        "title": content.title,
        "bullets": list(content.bullets),
        "description": content.description,
    }


def source_of(session: Session, who: ActsForOrganization, listing: Listing) -> SourceContent:
    product = ProductRepository(session, who.organization_id).get(listing.product_id)
    return SourceContent(
        title=listing.title,
        bullets=tuple(listing.bullets or ()),
        description=listing.description,
        attributes=dict(listing.attributes or {}),
        brand=product.brand if product is not None else None,
    )


class ProposalService:
    def __init__(self, scorer: ContentScorer | None = None) -> None:
        self._scorer = scorer

    @property
    def scorer(self) -> ContentScorer:
        """This service's scorer, else the quality score (scorers.py)."""
        return self._scorer or scorers.content_scorer

    def get(
        self, session: Session, who: ActsForOrganization, proposal_id: uuid.UUID
    ) -> ContentProposal:
        found = ProposalRepository(session, who.organization_id).get(proposal_id)
        if found is None:
            raise NotFoundError("No such proposal.")
        return found

    def history(
        self, session: Session, who: ActsForOrganization, listing_id: uuid.UUID | None, limit: int
    ) -> list[ContentProposal]:
        if listing_id is not None:
            catalog.listing.get(session, who, listing_id)
        return ProposalRepository(session, who.organization_id).of_listing(listing_id, limit)

    def propose(
        self,
        session: Session,
        who: ActsForOrganization,
        listing_id: uuid.UUID,
        scope: Scope,
        client: ChatClient | None,
    ) -> ContentProposal:
        """A proposal for the listing's current content (the model's, or the offline one)."""
        listing = catalog.listing.get(session, who, listing_id)
        source = source_of(session, who, listing)
        rules = rules_for(listing.marketplace)
        result = rewrite(source, rules, listing.marketplace, scope, client)
        current = ProposedContent(source.title, source.bullets, source.description)
        diff = [
            field.model_dump()
            for field in content_diff(_fields(current), _fields(result.content))
            if field.field in DIFFED_FIELDS
        ]
        scorer = self.scorer
        proposal = ProposalRepository(session, who.organization_id).add(
            ContentProposal(
                listing_id=listing.id,
                scope=scope.value,
                marketplace=listing.marketplace,
                base_version=listing.content_version,
                title=result.content.title,
                bullets=list(result.content.bullets),
                description=result.content.description,
                source=result.source,
                model=result.model,
                prompt_version=result.prompt_version,
                fallback_reason=result.fallback_reason,
                validation_notes=list(result.notes),
                diff=diff,
                score_before=scorer(session, listing, current),
                score_after=scorer(session, listing, result.content),
                status=ProposalStatus.PROPOSED,
                created_by=who.actor.label,
            )
        )
        audit(
            session,
            who,
            "content_proposal.created",
            "content_proposal",
            proposal.id,
            after={
                "listing_id": str(listing.id),
                "scope": scope.value,
                "base_version": listing.content_version,
                "source": result.source,
                "model": result.model,
                "prompt_version": result.prompt_version,
                "fallback_reason": result.fallback_reason,
                "score_before": proposal.score_before,
                "score_after": proposal.score_after,
            },
        )
        return proposal

    def _undecided(
        self, session: Session, who: ActsForOrganization, proposal_id: uuid.UUID
    ) -> ContentProposal:
        proposal = ProposalRepository(session, who.organization_id).get_for_update(proposal_id)
        if proposal is None:
            raise NotFoundError("No such proposal.")
        if proposal.status is not ProposalStatus.PROPOSED:
            raise ConflictError(f"The proposal was already {proposal.status.value}.")
        return proposal

    def approve(
        self,
        session: Session,
        who: ActsForOrganization,
        proposal_id: uuid.UUID,
        note: str | None,
    ) -> ContentProposal:
        """Apply the proposal as the listing's next content version (origin `ai`), moving the
        listing through optimizing to optimized; the publish job is a later step."""
        proposal = self._undecided(session, who, proposal_id)
        listing = catalog.listing.get(session, who, proposal.listing_id)
        if listing.content_version != proposal.base_version:
            # Applying it would silently undo the edits made since: propose again instead.
            raise ConflictError(
                f"The listing is at content version {listing.content_version}, the proposal "
                f"rewrote version {proposal.base_version}: make a new proposal."
            )
        if listing.status is not ListingStatus.OPTIMIZING:
            catalog.listing.change_status(session, who, listing.id, ListingStatus.OPTIMIZING)
        catalog.listing.change_status(session, who, listing.id, ListingStatus.OPTIMIZED)
        updated = catalog.listing.update(
            session,
            who,
            listing.id,
            ListingUpdate(
                title=proposal.title,
                bullets=list(proposal.bullets),
                description=proposal.description,
                note=f"AI proposal {proposal.id} ({proposal.source})",
            ),
            origin="ai",
        )
        self._decide(proposal, who, ProposalStatus.APPROVED, note)
        proposal.applied_version = updated.content_version
        session.flush()
        audit(
            session,
            who,
            "content_proposal.approved",
            "content_proposal",
            proposal.id,
            before={"status": ProposalStatus.PROPOSED.value},
            after={"status": proposal.status.value, "applied_version": updated.content_version},
        )
        return proposal

    def reject(
        self,
        session: Session,
        who: ActsForOrganization,
        proposal_id: uuid.UUID,
        note: str | None,
    ) -> ContentProposal:
        proposal = self._undecided(session, who, proposal_id)
        self._decide(proposal, who, ProposalStatus.REJECTED, note)
        session.flush()
        audit(
            session,
            who,
            "content_proposal.rejected",
            "content_proposal",
            proposal.id,
            before={"status": ProposalStatus.PROPOSED.value},
            after={"status": proposal.status.value, "note": note},
        )
        return proposal

    @staticmethod
    def _decide(
        proposal: ContentProposal,
        who: ActsForOrganization,
        status: ProposalStatus,
        note: str | None,
    ) -> None:
        proposal.status = status
        proposal.decided_by = who.actor.label
        proposal.decided_at = utcnow()
        proposal.decision_note = note

    def batch_targets(
        self, session: Session, who: ActsForOrganization, body: BatchOptimize
    ) -> list[uuid.UUID]:
        """The listings a batch works through, fixed when it is queued (so a rerun of the job
        goes through the same ones)."""
        if body.listing_ids is not None:
            return list(dict.fromkeys(body.listing_ids))
        filters = ListingFilter(
            status=(body.status,) if body.status is not None else (),
            marketplace=body.marketplace,
        )
        listings, more = ListingRepository(session, who.organization_id).page(
            filters, "created_at", None, MAX_BATCH
        )
        if more is not None:
            raise InvalidInputError(
                f"The filter matches more than {MAX_BATCH} listings: narrow it or send ids."
            )
        return [listing.id for listing in listings]


proposal = ProposalService()
