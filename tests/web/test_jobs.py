"""Jobs page actions without a browser (no worker runs here, so a job stays queued)."""

from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, add_member, create_listing, create_user, unique
from tests.web.helpers import dashboard_login


def queued_job(client: TestClient, tenant: Tenant) -> str:
    listing = create_listing(client, tenant)
    response = client.post(
        "/api/ai/batch-optimize", json={"listing_ids": [listing["id"]]}, headers=tenant.headers
    )
    assert response.status_code == 202
    job_id: str = response.json()["id"]
    return job_id


def job_status(client: TestClient, tenant: Tenant, job_id: str) -> str:
    status: str = client.get(f"/api/jobs/{job_id}", headers=tenant.headers).json()["status"]
    return status


def test_cancel_then_retry_a_job_from_the_jobs_page(client: TestClient, tenant: Tenant) -> None:
    job_id = queued_job(client, tenant)
    csrf = dashboard_login(client, tenant.email)
    page = client.get("/dashboard/jobs")
    assert f'data-progress-url="/dashboard/jobs/{job_id}/progress"' in page.text
    progress = client.get(f"/dashboard/jobs/{job_id}/progress").json()
    assert progress == {
        "status": "queued",
        "percent": 0.0,
        "done": 0,
        "total": 1,
        "errors": 0,
        "terminal": False,
    }
    cancelled = client.post(f"/dashboard/jobs/{job_id}/cancel", data={"csrf": csrf})
    assert cancelled.status_code == 200
    assert "Cancellation requested." in cancelled.text
    assert job_status(client, tenant, job_id) == "cancelled"
    retried = client.post(f"/dashboard/jobs/{job_id}/retry", data={"csrf": csrf})
    assert "The job is queued again." in retried.text
    assert job_status(client, tenant, job_id) == "queued"


def test_a_viewer_cannot_cancel_and_nothing_changes(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    job_id = queued_job(client, tenant)
    email = f"{unique('viewer')}@example.com"
    create_user(context, email)
    add_member(context, tenant.organization_id, email, Role.VIEWER)
    csrf = dashboard_login(client, email)
    response = client.post(f"/dashboard/jobs/{job_id}/cancel", data={"csrf": csrf})
    assert response.status_code == 403
    assert job_status(client, tenant, job_id) == "queued"
    assert 'action="/dashboard/jobs/' not in client.get("/dashboard/jobs").text


def test_another_organizations_job_is_not_found(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    job_id = queued_job(client, other_tenant)
    csrf = dashboard_login(client, tenant.email)
    assert client.get(f"/dashboard/jobs/{job_id}/progress").status_code == 404
    response = client.post(f"/dashboard/jobs/{job_id}/cancel", data={"csrf": csrf})
    assert response.status_code == 404
    assert job_status(client, other_tenant, job_id) == "queued"
