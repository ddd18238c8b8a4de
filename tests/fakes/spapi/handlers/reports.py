"""Reports 2021-06-30: createReport, getReport and getReportDocument.

A created report is DONE once `processing_seconds` of simulated time have passed; its document
is served gzip-compressed from this fake at the URL getReportDocument hands out, with no access
token, like the presigned S3 URL it stands for.
"""

import csv
import io
import itertools
from datetime import UTC, datetime

from tests.fakes.spapi.handlers import Handler
from tests.fakes.spapi.requests import Answer, SpapiRequest, error_answer
from tests.fakes.spapi.state import Document, MarketplaceState

MODEL = "reports_2021-06-30"
DOCUMENT_PATH = "/fake-s3/report-documents/"
MERCHANT_LISTINGS_COLUMNS = (
    "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity",
    "open-date", "image-url", "item-is-marketplace", "product-id-type", "zshop-shipping-fee",
    "item-note", "item-condition", "zshop-category1", "zshop-browse-path",
    "zshop-storefront-feature", "asin1", "asin2", "asin3", "will-ship-internationally",
    "expedited-shipping", "zshop-boldface", "product-id", "bid-for-featured-placement",
    "add-delete", "pending-quantity", "fulfillment-channel", "merchant-shipping-group", "status",
)  # fmt: skip
# The report types the fake can build; any other is refused (400), as an unknown type is.
REPORT_TYPES = {
    "GET_MERCHANT_LISTINGS_ALL_DATA",
    "GET_MERCHANT_LISTINGS_DATA",
    "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
}
_report_ids = itertools.count(50_001)


def create_report(request: SpapiRequest, state: MarketplaceState) -> Answer:
    report_type = request.body["reportType"]
    if report_type not in REPORT_TYPES:
        return error_answer(
            400, "InvalidInput", "Invalid input", f"Unknown reportType {report_type}."
        )
    report_id = str(next(_report_ids))
    content = (
        _merchant_listings(state, request.selling_partner_id) if "LISTINGS" in report_type else b""
    )
    state.add_report(
        {
            "reportId": report_id,
            "reportType": report_type,
            "marketplaceIds": request.body["marketplaceIds"],
            "createdTime": _now(),
            "processingStatus": "IN_QUEUE",
        },
        content,
        ready_at=request.now + state.report_processing_seconds,
    )
    return Answer(202, {"reportId": report_id})


def get_report(request: SpapiRequest, state: MarketplaceState) -> Answer:
    report = state.reports.get(request.path_parameters["reportId"])
    if report is None:
        return error_answer(400, "InvalidInput", "Invalid input", "Unknown reportId.")
    document = report.document
    if document["processingStatus"] == "IN_QUEUE" and request.now >= report.ready_at:
        with state.lock:
            document["processingStatus"] = "DONE"
            document["processingStartTime"] = document["processingEndTime"] = _now()
            document["reportDocumentId"] = f"amzn1.spdoc.1.4.na.{document['reportId']}"
            state.report_documents[document["reportDocumentId"]] = document["reportId"]
    return Answer(200, document)


def get_report_document(request: SpapiRequest, state: MarketplaceState) -> Answer:
    document_id = request.path_parameters["reportDocumentId"]
    if document_id not in state.report_documents:
        return error_answer(400, "InvalidInput", "Invalid input", "Unknown reportDocumentId.")
    body: Document = {
        "reportDocumentId": document_id,
        "url": f"{request.base_url}{DOCUMENT_PATH}{document_id}",
        "compressionAlgorithm": "GZIP",
    }
    return Answer(200, body)


def _merchant_listings(state: MarketplaceState, seller_id: str) -> bytes:
    """GET_MERCHANT_LISTINGS_ALL_DATA: tab-separated, one row per listing of the seller."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, MERCHANT_LISTINGS_COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    for (owner, sku), listing in sorted(state.listings.items()):
        if owner != seller_id:
            continue
        summary = (listing.get("summaries") or [{}])[0]
        offer = (listing.get("offers") or [{"price": {"amount": ""}}])[0]
        quantity = (listing.get("fulfillmentAvailability") or [{}])[0].get("quantity", "")
        writer.writerow(
            {
                "item-name": summary.get("itemName", ""),
                "seller-sku": sku,
                "price": offer["price"]["amount"],
                "quantity": quantity,
                "asin1": summary.get("asin", ""),
                "product-id-type": "1",
                "product-id": summary.get("asin", ""),
                "item-condition": "11",
                "fulfillment-channel": "DEFAULT",
                "status": "Active",
            }
        )
    return buffer.getvalue().encode("utf-8")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


HANDLERS: dict[str, Handler] = {
    "createReport": create_report,
    "getReport": get_report,
    "getReportDocument": get_report_document,
}
