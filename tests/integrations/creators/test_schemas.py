"""The typed Creators API credential and the storefront header of each marketplace."""

import pytest

from shelfwise.integrations.creators.schemas import CreatorsConfig, locale_of


@pytest.mark.parametrize(
    ("marketplace", "locale"),
    [
        ("amazon.com", "www.amazon.com"),
        ("Amazon.co.UK", "www.amazon.co.uk"),
        ("amazon.co.jp", "www.amazon.co.jp"),
        ("demo", "www.amazon.com"),
    ],
)
def test_each_amazon_marketplace_has_its_storefront_header(marketplace: str, locale: str) -> None:
    assert locale_of(marketplace) == locale


@pytest.mark.parametrize("marketplace", ["ebay.de", "kaufland.de", "amazon.example"])
def test_other_marketplaces_have_none(marketplace: str) -> None:
    with pytest.raises(ValueError, match="is not an Amazon marketplace"):
        locale_of(marketplace)


def test_the_secret_never_shows_and_the_version_picks_the_token_service() -> None:
    lwa = CreatorsConfig(
        credential_id="id", credential_secret="s3cret", version="3.3", partner_tag="a-22"
    )
    cognito = lwa.model_copy(update={"version": "2.3"})
    assert "s3cret" not in repr(lwa)
    assert (lwa.uses_login_with_amazon, cognito.uses_login_with_amazon) == (True, False)
    assert lwa.marketplace == "amazon.com"
