"""Column mapping: suggestions from headers in five languages and Amazon's names; validation."""

import pytest
from pydantic import ValidationError

from shelfwise.ingest.mapping import _SYNONYMS, ColumnMapping, Target, header_key, suggest_mapping

ACTIVE_LISTINGS_HEADER = [
    "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date",
    "image-url", "item-is-marketplace", "product-id-type", "zshop-shipping-fee", "item-note",
    "item-condition", "zshop-category1", "zshop-browse-path", "zshop-storefront-feature", "asin1",
    "asin2", "asin3", "will-ship-internationally", "expedited-shipping", "zshop-boldface",
    "product-id", "bid-for-featured-placement", "add-delete", "pending-quantity",
    "fulfillment-channel", "Business Price", "Quantity Price Type", "Quantity Lower Bound 1",
    "Quantity Price 1",
]  # fmt: skip


def test_amazon_active_listings_header() -> None:
    assert suggest_mapping(ACTIVE_LISTINGS_HEADER).columns == {
        "item-name": Target.TITLE,
        "item-description": Target.DESCRIPTION,
        "listing-id": Target.SOURCE_ID,
        "seller-sku": Target.SKU,
        "price": Target.PRICE,
        "quantity": Target.QUANTITY,
        "open-date": Target.SOURCE_UPDATED_AT,
        "image-url": Target.IMAGES,
        "asin1": Target.ASIN,
        "product-id": Target.GTIN,
    }


def test_amazon_fba_inventory_header() -> None:
    header = ["sku", "fnsku", "asin", "product-name", "condition", "your-price"]
    header += ["mfn-fulfillable-quantity", "afn-fulfillable-quantity"]

    assert suggest_mapping(header).columns == {
        "sku": Target.SKU,
        "asin": Target.ASIN,
        "product-name": Target.TITLE,
        "your-price": Target.PRICE,
    }


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param(
            [
                "Artikelnummer", "Bezeichnung", "Marke", "EAN", "Preis (EUR)", "Währung",
                "Menge", "Beschreibung", "Bilder", "Kategorie", "Einkaufspreis",
                "Aufzählungspunkte", "Zuletzt geändert",
            ],
            [
                Target.SKU, Target.TITLE, Target.BRAND, Target.GTIN, Target.PRICE,
                Target.CURRENCY, Target.QUANTITY, Target.DESCRIPTION, Target.IMAGES,
                Target.CATEGORY, Target.COST, Target.BULLETS, Target.SOURCE_UPDATED_AT,
            ],
            id="german",
        ),
        pytest.param(
            [
                "ID oferty", "Tytuł oferty", "Marka", "Kod EAN", "Cena", "Waluta", "Ilość",
                "Opis", "Zdjęcia", "Kategoria", "Koszt", "Sygnatura", "Data aktualizacji",
            ],
            [
                Target.SOURCE_ID, Target.TITLE, Target.BRAND, Target.GTIN, Target.PRICE,
                Target.CURRENCY, Target.QUANTITY, Target.DESCRIPTION, Target.IMAGES,
                Target.CATEGORY, Target.COST, Target.SKU, Target.SOURCE_UPDATED_AT,
            ],
            id="polish",
        ),
        pytest.param(
            [
                "Referencia", "Título", "Marca", "Código de barras", "Precio", "Moneda",
                "Cantidad", "Descripción", "Imágenes", "Categoría", "Precio de compra",
                "Viñetas", "Fecha de actualización",
            ],
            [
                Target.SKU, Target.TITLE, Target.BRAND, Target.GTIN, Target.PRICE,
                Target.CURRENCY, Target.QUANTITY, Target.DESCRIPTION, Target.IMAGES,
                Target.CATEGORY, Target.COST, Target.BULLETS, Target.SOURCE_UPDATED_AT,
            ],
            id="spanish",
        ),
        pytest.param(
            [
                "Référence", "Titre", "Marque", "Code EAN", "Prix", "Devise", "Quantité",
                "Description", "Photos", "Catégorie", "Prix d'achat", "Points clés",
                "Date de mise à jour",
            ],
            [
                Target.SKU, Target.TITLE, Target.BRAND, Target.GTIN, Target.PRICE,
                Target.CURRENCY, Target.QUANTITY, Target.DESCRIPTION, Target.IMAGES,
                Target.CATEGORY, Target.COST, Target.BULLETS, Target.SOURCE_UPDATED_AT,
            ],
            id="french",
        ),
        pytest.param(
            ["source_id", "Title", "Brand", "GTIN", "Price", "Currency", "Qty", "Description"],
            [
                Target.SOURCE_ID, Target.TITLE, Target.BRAND, Target.GTIN, Target.PRICE,
                Target.CURRENCY, Target.QUANTITY, Target.DESCRIPTION,
            ],
            id="english",
        ),
    ],
)  # fmt: skip
def test_suggestions_in_five_languages(headers: list[str], expected: list[Target]) -> None:
    assert suggest_mapping(headers).columns == dict(zip(headers, expected, strict=True))


@pytest.mark.parametrize("header", ["seller-sku", " SELLER_SKU ", "Seller Sku", "seller.sku"])
def test_matching_ignores_case_space_and_punctuation(header: str) -> None:
    assert suggest_mapping([header]).columns == {header: Target.SKU}


def test_header_key() -> None:
    assert [header_key(name) for name in ("Seller-SKU", "Ilość", "Währung", "Straße", "ÉAN")] == [
        "sellersku",
        "ilosc",
        "wahrung",
        "strasse",
        "ean",
    ]


def test_first_column_claiming_a_field_keeps_it() -> None:
    mapping = suggest_mapping(["Verkaufspreis", "Preis", "asin1", "asin2", "Bild 1", "Bild 2"])

    assert mapping.columns == {
        "Verkaufspreis": Target.PRICE,
        "asin1": Target.ASIN,
        "Bild 1": Target.IMAGES,
    }


def test_whole_names_win_over_simplified_ones() -> None:
    # "price (EUR)" only matches without its unit, so the exact "preis" later in the row wins.
    assert suggest_mapping(["price (EUR)", "Preis"]).columns == {"Preis": Target.PRICE}


def test_unknown_headers_are_left_unmapped() -> None:
    assert suggest_mapping(["Farbe", "Gewicht", "", "???"]).columns == {}


@pytest.mark.parametrize(
    ("target", "synonym"),
    [(target, name) for target, names in _SYNONYMS.items() for name in names.split(", ")],
)
def test_every_synonym_suggests_its_own_field(target: Target, synonym: str) -> None:
    assert suggest_mapping([synonym]).columns == {synonym: target}


def test_mapping_refuses_a_field_mapped_twice() -> None:
    with pytest.raises(ValidationError) as caught:
        ColumnMapping(columns={"Preis": Target.PRICE, "VK": Target.PRICE})

    assert caught.value.errors()[0]["msg"] == (
        'Value error, "VK" and "Preis" are both mapped to price; a field takes one column'
    )


def test_mapping_refuses_unknown_targets_and_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        ColumnMapping.model_validate({"columns": {"Farbe": "colour"}})
    assert caught.value.errors()[0]["loc"] == ("columns", "Farbe")

    with pytest.raises(ValidationError) as caught:
        ColumnMapping.model_validate({"columns": {}, "delimiter": ";"})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"

    with pytest.raises(ValidationError) as caught:
        ColumnMapping.model_validate({"columns": {"": "title"}})
    assert caught.value.errors()[0]["type"] == "string_too_short"


def test_saved_mapping_round_trips_through_json() -> None:
    mapping = ColumnMapping(columns={"Artikelnummer": Target.SKU, "Preis": Target.PRICE})

    saved = mapping.model_dump_json()

    assert saved == '{"columns":{"Artikelnummer":"sku","Preis":"price"}}'
    assert ColumnMapping.model_validate_json(saved) == mapping


def test_apply_and_missing_columns() -> None:
    mapping = ColumnMapping(columns={"SKU": Target.SKU, "Preis": Target.PRICE, "EAN": Target.GTIN})

    assert mapping.apply({"SKU": "A1", "Preis": "1,50", "Farbe": "rot"}) == {
        Target.SKU: "A1",
        Target.PRICE: "1,50",
    }
    assert mapping.missing_columns(["SKU", "Preis", "Farbe"]) == ["EAN"]
