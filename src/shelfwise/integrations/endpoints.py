"""GET /api/usage: the organization's vendor usage today against its daily budget."""

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from shelfwise.accounts.auth import Context, Viewer
from shelfwise.integrations.usage import shared_usage

router = APIRouter(prefix="/api", tags=["integrations"])


class UsageOut(BaseModel):
    day: date
    calls: int
    throttled: int
    quota_used: int
    budget: int  # vendor calls per day; 0 is unlimited


@router.get("/usage", response_model=UsageOut, summary="Vendor calls made today (UTC)")
def read_usage(principal: Viewer, context: Context) -> UsageOut:
    usage = shared_usage(context.settings).today(principal.organization_id)
    return UsageOut(
        day=usage.day,
        calls=usage.calls,
        throttled=usage.throttled,
        quota_used=usage.quota_used,
        budget=context.settings.vendor_daily_call_budget,
    )
