"""Imports end to end: JSON products and batches, CSV and XLSX files with mappings and dry runs,
row errors and their CSV report, refused files (nothing written), tenancy."""

import csv
import io
import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from shelfwise.jobs.models import Job
from shelfwise.jobs.runtime import JobRunner
from shelfwise.platform.context import AppContext
from tests.factories import Tenant

CSV_HEADER = "SKU;Produktname;Marke;Preis;EAN;Bilder;Zuletzt geändert\r\n"


def run_job(context: AppContext, job_id: str) -> Job:
    JobRunner(context.database, context.settings).execute(job_id)
    with context.database.unit_of_work(write=False) as session:
        job = session.get(Job, uuid.UUID(job_id))
        assert job is not None
        return job


def upload(
    client: TestClient,
    tenant: Tenant,
    content: bytes,
    filename: str = "products.csv",
    **form: str,
) -> Any:
    return client.post(
        "/api/import/file",
        headers=tenant.headers,
        files={"file": (filename, content, "text/csv")},
        data=form,
    )


def finished(client: TestClient, context: AppContext, tenant: Tenant, response: Any) -> Any:
    assert response.status_code == 202, response.text
    run = response.json()
    run_job(context, run["job_id"])
    found = client.get(f"/api/import/job/{run['id']}", headers=tenant.headers)
    assert found.status_code == 200, found.text
    return found.json()


def products(client: TestClient, tenant: Tenant) -> dict[str, dict[str, Any]]:
    page = client.get("/api/products?limit=200", headers=tenant.headers).json()
    return {item["source_id"]: item for item in page["items"]}


def csv_file(*rows: str) -> bytes:
    return (CSV_HEADER + "".join(row + "\r\n" for row in rows)).encode("utf-8")


def test_a_csv_file_imports_with_the_suggested_mapping(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    content = csv_file(
        "A-1;Akku-Bohrschrauber 18V;Bosch;1.234,56 €;4006381333931;"
        "https://img.example.com/a.jpg|https://img.example.com/b.jpg;2026-01-02 10:00",
        "A-2;Winkelschleifer;Makita;89,90 €;;;2026-01-02 10:00",
    )

    run = finished(client, context, tenant, upload(client, tenant, content))

    assert run["status"] == "succeeded"
    assert run["counts"] | {} == {
        "rows_total": 2,
        "rows_read": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "stale": 0,
        "duplicates": 0,
        "rejected": 0,
    }
    assert run["progress"]["percent"] == 100.0
    stored = products(client, tenant)
    assert stored["A-1"]["title"] == "Akku-Bohrschrauber 18V"
    assert stored["A-1"]["gtin"] == "4006381333931"
    assert stored["A-1"]["attributes"]["price"] == {"amount": "1234.56", "currency": "EUR"}
    assert stored["A-1"]["images"] == [
        "https://img.example.com/a.jpg",
        "https://img.example.com/b.jpg",
    ]
    assert stored["A-1"]["source_platform"] == "file"


def test_bad_rows_are_reported_and_the_good_ones_imported(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    content = csv_file(
        "B-1;Good row;Bosch;10,00 €;;;",
        "B-2;;Bosch;10,00 €;;;",  # no title
        "B-3;Bad EAN;Bosch;10,00 €;4006381333932;;",  # wrong check digit
        "B-4;Bad price;Bosch;ten euros;;;",
        '=HYPERLINK("http://evil");Formula row;Bosch;1 €;;;',
    )

    run = finished(client, context, tenant, upload(client, tenant, content))

    assert run["status"] == "succeeded"
    assert run["counts"]["created"] == 2
    assert run["counts"]["rejected"] == 3
    errors = client.get(f"/api/import/job/{run['id']}/errors", headers=tenant.headers).json()
    by_row = {(item["row"], item["field"]) for item in errors["items"]}
    assert ("line 3", "Produktname") in by_row
    assert ("line 4", "EAN") in by_row
    assert ("line 5", "Preis") in by_row
    assert set(products(client, tenant)) == {"B-1", '=HYPERLINK("http://evil")'}

    report = client.get(f"/api/import/job/{run['id']}/errors.csv", headers=tenant.headers)
    assert report.status_code == 200
    assert report.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "field", "message"]
    assert {(row[0], row[1]) for row in rows[1:]} == by_row


def test_a_dry_run_counts_but_writes_nothing(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    content = csv_file("C-1;Drill;Bosch;10,00 €;;;", "C-2;Saw;Bosch;20,00 €;;;")
    finished(client, context, tenant, upload(client, tenant, csv_file("C-1;Drill;Bosch;;;;")))

    run = finished(client, context, tenant, upload(client, tenant, content, dry_run="true"))

    assert run["dry_run"] is True
    assert (run["counts"]["created"], run["counts"]["updated"]) == (1, 1)
    price = {"amount": "10.00", "currency": "EUR"}
    assert run["changes"] == [
        {
            "line": 2,
            "source_platform": "file",
            "source_id": "C-1",
            "action": "update",
            "fields": {"attributes": [{"sku": "C-1"}, {"price": price, "sku": "C-1"}]},
        },
        {
            "line": 3,
            "source_platform": "file",
            "source_id": "C-2",
            "action": "create",
            "fields": {
                "title": [None, "Saw"],
                "brand": [None, "Bosch"],
                "attributes": [None, {"price": price | {"amount": "20.00"}, "sku": "C-2"}],
            },
        },
    ]
    assert set(products(client, tenant)) == {"C-1"}
    assert "price" not in products(client, tenant)["C-1"]["attributes"]


def test_newer_source_timestamps_win_and_batches_are_deduplicated(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    content = csv_file(
        "D-1;Old title;Bosch;;;;2026-01-01 10:00",
        "D-1;New title;Bosch;;;;2026-03-01 10:00",
        "D-1;Middle title;Bosch;;;;2026-02-01 10:00",
    )
    run = finished(client, context, tenant, upload(client, tenant, content))
    assert (run["counts"]["created"], run["counts"]["duplicates"]) == (1, 2)
    assert products(client, tenant)["D-1"]["title"] == "New title"

    older = finished(
        client, context, tenant, upload(client, tenant, csv_file("D-1;Older;Bosch;;;;2025-01-01"))
    )
    assert older["counts"]["stale"] == 1
    assert products(client, tenant)["D-1"]["title"] == "New title"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"", "header", id="empty"),
        pytest.param(
            csv_file(*(f"E-{n};Caf\u00e9 {n};X;;;;" for n in range(20_000)))
            + b"E-x;\xff\xfe;X;;;;\r\n",
            "not valid UTF-8",
            id="bad-utf8-far-into-a-utf8-file",
        ),
        pytest.param(b"SKU;SKU\r\n1;2\r\n", "repeats", id="repeated-header"),
    ],
)
def test_a_broken_file_is_refused_whole(
    client: TestClient, context: AppContext, tenant: Tenant, content: bytes, expected: str
) -> None:
    mapping = json.dumps({"SKU": "source_id", "Produktname": "title"})
    response = upload(client, tenant, content, mapping=mapping)
    if response.status_code == 422:  # refused while reading the header: nothing stored
        assert expected.lower() in response.text.lower()
        assert client.get("/api/import/jobs", headers=tenant.headers).json()["items"] == []
        return
    run = response.json()
    job = run_job(context, run["job_id"])
    assert job.status == "failed"
    found = client.get(f"/api/import/job/{run['id']}", headers=tenant.headers).json()
    assert expected.lower() in (found["error"] or "").lower()
    assert products(client, tenant) == {}


def test_a_mapping_must_fill_title_and_source_id(client: TestClient, tenant: Tenant) -> None:
    response = upload(
        client, tenant, csv_file("F-1;T;B;;;;"), mapping=json.dumps({"SKU": "source_id"})
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "mapping", "message": "no column is mapped to title"}
    ]
    unknown = upload(client, tenant, csv_file("F-1;T;B;;;;"), mapping='{"Nope": "title"}')
    assert unknown.status_code == 422
    bad_target = upload(client, tenant, csv_file("F-1;T;B;;;;"), mapping='{"SKU": "colour"}')
    assert bad_target.status_code == 422
    assert bad_target.json()["errors"][0]["field"].startswith("mapping.")


def test_a_saved_mapping_is_used_for_the_same_headers(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    mapping = {"SKU": "source_id", "Marke": "title"}  # deliberately unusual
    first = upload(
        client,
        tenant,
        csv_file("G-1;T;Brand;;;;"),
        mapping=json.dumps(mapping),
        save_mapping="true",
    )
    finished(client, context, tenant, first)
    preview = client.post(
        "/api/import/file/preview",
        headers=tenant.headers,
        files={"file": ("p.csv", csv_file("G-2;T;Other;;;;"), "text/csv")},
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["mapping"] == mapping
    assert preview.json()["rows"][0]["SKU"] == "G-2"
    run = finished(client, context, tenant, upload(client, tenant, csv_file("G-2;T;Other;;;;")))
    assert run["mapping"] == mapping
    assert products(client, tenant)["G-2"]["title"] == "Other"


def test_an_xlsx_file_imports(client: TestClient, context: AppContext, tenant: Tenant) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "title", "brand", "cost", "currency"])
    sheet.append(["X-1", "Jigsaw", "Bosch", 12.5, "EUR"])
    sheet.append(["X-2", None, "Bosch", 3, "EUR"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    run = finished(
        client, context, tenant, upload(client, tenant, buffer.getvalue(), filename="p.xlsx")
    )

    assert run["format"] == "xlsx"
    assert (run["counts"]["created"], run["counts"]["rejected"]) == (1, 1)
    assert products(client, tenant)["X-1"]["title"] == "Jigsaw"
    assert products(client, tenant)["X-1"]["cost"] == {"amount": "12.50", "currency": "EUR"}


def test_json_product_and_batch_imports(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    single = client.post(
        "/api/import/product",
        headers=tenant.headers,
        json={"source_platform": "allegro", "source_id": "J-1", "title": "Drill"},
    )
    assert finished(client, context, tenant, single)["counts"]["created"] == 1
    invalid = client.post("/api/import/product", headers=tenant.headers, json={"source_id": "J-2"})
    assert invalid.status_code == 422

    batch = client.post(
        "/api/import/batch",
        headers=tenant.headers,
        json={
            "products": [
                {"source_id": "J-1", "title": "Drill v2"},
                {"source_id": "J-3", "title": "Saw", "gtin": "123"},
                {
                    "source_id": "J-4",
                    "title": "Sander",
                    "price": {"amount": "9.99", "currency": "EUR"},
                },
            ],
            "source_platform": "allegro",
        },
    )
    run = finished(client, context, tenant, batch)
    assert (run["counts"]["created"], run["counts"]["updated"], run["counts"]["rejected"]) == (
        1,
        1,
        1,
    )
    errors = client.get(f"/api/import/job/{run['id']}/errors", headers=tenant.headers).json()
    assert errors["items"][0]["row"] == "line 2"
    assert errors["items"][0]["field"] == "gtin"
    stored = products(client, tenant)
    assert stored["J-1"]["title"] == "Drill v2"
    assert stored["J-4"]["attributes"]["price"] == {"amount": "9.99", "currency": "EUR"}


def test_another_organization_sees_no_import(
    client: TestClient, context: AppContext, tenant: Tenant, other_tenant: Tenant
) -> None:
    run = finished(client, context, tenant, upload(client, tenant, csv_file("T-1;T;B;;;;")))
    for url in (
        f"/api/import/job/{run['id']}",
        f"/api/import/job/{run['id']}/errors",
        f"/api/import/job/{run['id']}/errors.csv",
    ):
        assert client.get(url, headers=other_tenant.headers).status_code == 404
    assert client.get("/api/import/jobs", headers=other_tenant.headers).json()["items"] == []
    assert products(client, other_tenant) == {}


def test_a_viewer_cannot_import(client: TestClient, context: AppContext) -> None:
    from shelfwise.accounts.models import Role
    from tests.factories import create_tenant

    viewer = create_tenant(context, client, Role.VIEWER)
    assert upload(client, viewer, csv_file("V-1;T;B;;;;")).status_code == 403


def test_an_import_is_audited_when_it_starts_and_when_it_finishes(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    run = finished(client, context, tenant, upload(client, tenant, csv_file("AU-1;T;B;;;;")))

    entries = client.get("/api/audit?limit=200", headers=tenant.headers).json()["items"]
    mine = [entry for entry in entries if entry["entity_id"] == run["id"]]
    assert {entry["action"] for entry in mine} == {"import.started", "import.finished"}
    finish = next(entry for entry in mine if entry["action"] == "import.finished")
    assert finish["after"]["created"] == 1
    assert finish["actor_type"] == "automation"
