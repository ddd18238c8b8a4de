"""Product Fees v0: fee estimates for an ASIN, a SKU, or a batch of either.

The fake's fee schedule is simple and fixed (a 15% referral fee on the price with shipping, and
a flat FBA fee when Amazon fulfils): tests assert against these figures, not Amazon's tables.
"""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from tests.fakes.spapi.handlers import Handler
from tests.fakes.spapi.requests import Answer, SpapiRequest, error_answer
from tests.fakes.spapi.state import MARKETPLACE_CURRENCIES, Document, MarketplaceState

MODEL = "productFeesV0"
REFERRAL_RATE = Decimal("0.15")
FBA_FULFILMENT_FEE = Decimal("3.22")
CENT = Decimal("0.01")


def get_fees_estimate_for_asin(request: SpapiRequest, state: MarketplaceState) -> Answer:
    return _single(request, "ASIN", request.path_parameters["Asin"])


def get_fees_estimate_for_sku(request: SpapiRequest, state: MarketplaceState) -> Answer:
    return _single(request, "SellerSKU", request.path_parameters["SellerSKU"])


def get_fees_estimates(request: SpapiRequest, state: MarketplaceState) -> Answer:
    entries = request.body
    if any(not _is_known_marketplace(entry["FeesEstimateRequest"]) for entry in entries):
        return _bad_marketplace()
    return Answer(
        200,
        [
            _result(request, entry["IdType"], entry["IdValue"], entry["FeesEstimateRequest"])
            for entry in entries
        ],
    )


def _single(request: SpapiRequest, id_type: str, id_value: str) -> Answer:
    estimate_request = request.body["FeesEstimateRequest"]
    if not _is_known_marketplace(estimate_request):
        return _bad_marketplace()
    return Answer(
        200,
        {"payload": {"FeesEstimateResult": _result(request, id_type, id_value, estimate_request)}},
    )


def _result(request: SpapiRequest, id_type: str, id_value: str, estimate: Document) -> Document:
    prices = estimate["PriceToEstimateFees"]
    currency = prices["ListingPrice"]["CurrencyCode"]
    price = Decimal(str(prices["ListingPrice"]["Amount"]))
    shipping = Decimal(str(prices.get("Shipping", {}).get("Amount", 0)))
    fees = [("ReferralFee", (price + shipping) * REFERRAL_RATE)]
    if estimate.get("IsAmazonFulfilled"):
        fees.append(("FBAFees", FBA_FULFILMENT_FEE))
    details = [
        {
            "FeeType": fee_type,
            "FeeAmount": _money(currency, amount),
            "FinalFee": _money(currency, amount),
        }
        for fee_type, amount in fees
    ]
    return {
        "Status": "Success",
        "FeesEstimateIdentifier": {
            "MarketplaceId": estimate["MarketplaceId"],
            "SellerId": request.selling_partner_id,
            "IdType": id_type,
            "IdValue": id_value,
            "IsAmazonFulfilled": bool(estimate.get("IsAmazonFulfilled")),
            "PriceToEstimateFees": prices,
            "SellerInputIdentifier": estimate.get("Identifier", ""),
        },
        "FeesEstimate": {
            "TimeOfFeesEstimation": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "TotalFeesEstimate": _money(currency, sum((amount for _, amount in fees), Decimal(0))),
            "FeeDetailList": details,
        },
    }


def _money(currency: str, amount: Decimal) -> Document:
    return {"CurrencyCode": currency, "Amount": float(amount.quantize(CENT, ROUND_HALF_UP))}


def _is_known_marketplace(estimate: Document) -> bool:
    return estimate.get("MarketplaceId") in MARKETPLACE_CURRENCIES


def _bad_marketplace() -> Answer:
    return error_answer(400, "InvalidInput", "Incorrect Marketplace identifier.")


HANDLERS: dict[str, Handler] = {
    "getMyFeesEstimateForASIN": get_fees_estimate_for_asin,
    "getMyFeesEstimateForSKU": get_fees_estimate_for_sku,
    "getMyFeesEstimates": get_fees_estimates,
}
