"""The usage plan (sustained rate, burst) of every SP-API operation Shelfwise calls.

Copied from the "Usage plan" tables in the official models (`data/spapi/models/*.json`); a test
reads the models and checks this table against them, so a model update that changes a limit
fails the suite instead of drifting. The orchestrator starts from these and then follows the
`x-amzn-RateLimit-Limit` the answers carry (an account can be granted more).
"""

from shelfwise.integrations.http import UsagePlan

USAGE_PLANS: dict[str, UsagePlan] = {
    # Catalog Items 2022-04-01
    "getCatalogItem": UsagePlan(2.0, 2),
    "searchCatalogItems": UsagePlan(2.0, 2),
    # Product Pricing v0
    "getItemOffers": UsagePlan(0.5, 1),
    "getListingOffers": UsagePlan(1.0, 2),
    "getItemOffersBatch": UsagePlan(0.1, 1),
    "getListingOffersBatch": UsagePlan(0.5, 1),
    "getCompetitivePricing": UsagePlan(0.5, 1),
    # Listings Items 2021-08-01
    "getListingsItem": UsagePlan(5.0, 10),
    "searchListingsItems": UsagePlan(5.0, 5),
    "patchListingsItem": UsagePlan(5.0, 5),
    # Reports 2021-06-30
    "createReport": UsagePlan(0.0167, 15),
    "getReport": UsagePlan(2.0, 15),
    "getReportDocument": UsagePlan(0.0167, 15),
    # Orders 2026-01-01
    "searchOrders": UsagePlan(0.0056, 20),
    # FBA Inventory v1
    "getInventorySummaries": UsagePlan(2.0, 2),
    # Product Fees v0
    "getMyFeesEstimates": UsagePlan(0.5, 1),
    # Product Type Definitions 2020-09-01
    "getDefinitionsProductType": UsagePlan(5.0, 10),
}

# Not SP-API operations, but calls all the same, so they go through the orchestrator too. LWA and
# the report document store (S3) publish no usage plan; these keep a broken loop from hammering.
LWA_TOKEN = "lwa.token"  # noqa: S105 (an operation name)
REPORT_DOWNLOAD = "reports.download"
SCHEMA_DOWNLOAD = "definitions.schema_download"
UNPUBLISHED_PLANS: dict[str, UsagePlan] = {
    LWA_TOKEN: UsagePlan(1.0, 5),
    REPORT_DOWNLOAD: UsagePlan(1.0, 5),
    SCHEMA_DOWNLOAD: UsagePlan(1.0, 5),
}

# Items per call of the batch operations (the models' maxItems).
PRICING_BATCH_SIZE = 20
CATALOG_SEARCH_IDENTIFIERS = 20
FEES_BATCH_SIZE = 20


def plan_of(operation: str) -> UsagePlan:
    return USAGE_PLANS.get(operation) or UNPUBLISHED_PLANS[operation]
