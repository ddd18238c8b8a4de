"""The Creators API fakes answer in the SDK's model shapes: the demo's generated items, the
hand-written examples, and every error the test server sends."""

import httpx
import orjson
import pytest

from shelfwise.integrations.creators.fake import (
    GET_ITEMS_PATH,
    SEARCH_ITEMS_PATH,
    demo_item,
    get_items_answer,
    search_items_answer,
)
from shelfwise.integrations.creators.schemas import RESOURCES
from tests.fakes.creators.examples import ITEMS, LAMP, PARTNER_TAG, PRESS
from tests.fakes.creators.server import (
    Credentials,
    FakeCreatorsApi,
    server_error,
    throttled,
)
from tests.fakes.creators.validation import assert_valid_answer

ASINS = ["B0ABCDEFGH", "B012345678", "B0ZZZZZZZ9", "B0MISSING1", "not-an-asin"]


def request_body(item_ids: list[str]) -> dict[str, object]:
    return {"partnerTag": PARTNER_TAG, "itemIds": item_ids, "resources": list(RESOURCES)}


@pytest.mark.parametrize("locale", ["www.amazon.com", "www.amazon.de", "www.amazon.co.jp"])
def test_generated_items_and_partial_errors_match_the_sdk_model(locale: str) -> None:
    status, document = get_items_answer(request_body(ASINS), locale)
    assert status == 200
    assert_valid_answer(GET_ITEMS_PATH, status, document)
    assert [item["asin"] for item in document["itemsResult"]["items"]] == ASINS[:3]
    assert [error["code"] for error in document["errors"]] == [
        "ItemNotAccessible",
        "InvalidParameterValue",
    ]


def test_the_hand_written_examples_match_the_sdk_model() -> None:
    status, document = get_items_answer(request_body([PRESS, LAMP]), "www.amazon.de", ITEMS)
    assert status == 200
    assert_valid_answer(GET_ITEMS_PATH, status, document)
    assert document["itemsResult"]["items"] == [ITEMS[PRESS], ITEMS[LAMP]]


def test_an_item_answers_only_the_requested_resources() -> None:
    body = {"partnerTag": PARTNER_TAG, "itemIds": [PRESS], "resources": ["itemInfo.title"]}
    _status, document = get_items_answer(body, "www.amazon.de", ITEMS)
    assert document["itemsResult"]["items"] == [
        {
            "asin": PRESS,
            "detailPageURL": ITEMS[PRESS]["detailPageURL"],
            "itemInfo": {"title": ITEMS[PRESS]["itemInfo"]["title"]},
        }
    ]


def test_a_generated_item_is_the_same_every_time() -> None:
    assert demo_item("B0ABCDEFGH", "www.amazon.de", "a-20") == demo_item(
        "B0ABCDEFGH", "www.amazon.de", "a-20"
    )
    assert (
        demo_item("B0ABCDEFGH", "www.amazon.de", "a-20")["offersV2"]["listings"][0]["price"][
            "money"
        ]["currency"]
        == "EUR"
    )


def test_no_item_found_is_a_404_in_the_model_shape() -> None:
    status, document = get_items_answer(request_body(["B0MISSING1"]), "www.amazon.com")
    assert status == 404
    assert_valid_answer(GET_ITEMS_PATH, status, document)


def test_searches_page_through_their_results_in_the_model_shape() -> None:
    body = {"partnerTag": PARTNER_TAG, "keywords": "french press", "resources": list(RESOURCES)}
    status, first = search_items_answer(body, "www.amazon.com")
    assert status == 200
    assert_valid_answer(SEARCH_ITEMS_PATH, status, first)
    total = first["searchResult"]["totalResultCount"]
    last_page = -(-total // 10)
    status, last = search_items_answer(body | {"itemPage": last_page}, "www.amazon.com")
    assert len(last["searchResult"]["items"]) == total - (last_page - 1) * 10
    status, beyond = search_items_answer(body | {"itemPage": last_page + 1}, "www.amazon.com")
    assert status == 404
    assert_valid_answer(SEARCH_ITEMS_PATH, status, beyond)
    status, empty = search_items_answer(body | {"keywords": " "}, "www.amazon.com")
    assert status == 400
    assert_valid_answer(SEARCH_ITEMS_PATH, status, empty)


def token(fake: FakeCreatorsApi) -> str:
    credentials = fake.credentials
    answer = httpx.post(
        fake.lwa_url,
        json={
            "grant_type": "client_credentials",
            "client_id": credentials.credential_id,
            "client_secret": credentials.credential_secret,
            "scope": "creatorsapi::default",
        },
    )
    assert answer.status_code == 200
    value: str = answer.json()["access_token"]
    return value


def get_items(fake: FakeCreatorsApi, bearer: str, item_ids: list[str]) -> httpx.Response:
    return httpx.post(
        fake.url + GET_ITEMS_PATH,
        content=orjson.dumps(request_body(item_ids)),
        headers={"Authorization": f"Bearer {bearer}", "x-marketplace": "www.amazon.com"},
    )


def test_the_server_answers_every_error_in_the_model_shape() -> None:
    with FakeCreatorsApi(rate_per_second=1.0, burst=1) as fake:
        bearer = token(fake)
        answers = [get_items(fake, "Atza|unknown", ["B0ABCDEFGH"])]
        answers.append(get_items(fake, bearer, ["B0ABCDEFGH"]))
        answers.append(get_items(fake, bearer, ["B0ABCDEFGH"]))  # beyond burst 1
        fake.set_limit(1000.0, 1000)
        fake.inject(server_error(500))
        answers.append(get_items(fake, bearer, ["B0ABCDEFGH"]))
        fake.inject(throttled(1, retry_after=2))
        answers.append(get_items(fake, bearer, ["B0ABCDEFGH"]))
        answers.append(get_items(fake, bearer, []))
        fake.expire_tokens()
        answers.append(get_items(fake, bearer, ["B0ABCDEFGH"]))
    assert [answer.status_code for answer in answers] == [401, 200, 429, 500, 429, 400, 401]
    assert answers[4].headers["Retry-After"] == "2"
    assert answers[6].json()["reason"] == "TokenExpired"
    for answer in answers:
        assert_valid_answer(GET_ITEMS_PATH, answer.status_code, answer.json())


def test_the_token_services_refuse_wrong_secrets_as_amazon_does() -> None:
    credentials = Credentials()
    with FakeCreatorsApi(credentials=credentials) as fake:
        form = {
            "grant_type": "client_credentials",
            "client_id": credentials.credential_id,
            "client_secret": "wrong",
            "scope": "creatorsapi/default",
        }
        cognito = httpx.post(fake.cognito_url, data=form)
        lwa = httpx.post(fake.lwa_url, json=form | {"scope": "creatorsapi::default"})
        good = httpx.post(
            fake.cognito_url, data=form | {"client_secret": credentials.credential_secret}
        )
    assert (cognito.status_code, cognito.json()) == (400, {"error": "invalid_client"})
    assert (lwa.status_code, lwa.json()["error"]) == (401, "invalid_client")
    assert good.status_code == 200
    assert good.json()["expires_in"] == 3600
