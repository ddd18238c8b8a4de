"""Column mappings from a file's headers to Shelfwise product and listing fields.

`suggest_mapping` guesses from header names in English, German, Polish, Spanish and French and
from Amazon's flat-file names; the user confirms or edits it, and a `ColumnMapping` (saved per
organization) is validated: known target fields only, each at most once.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator


class Target(StrEnum):
    """A product or listing field a column can fill."""

    SOURCE_ID = "source_id"
    TITLE = "title"
    BRAND = "brand"
    GTIN = "gtin"
    ASIN = "asin"
    SKU = "sku"
    PRICE = "price"
    CURRENCY = "currency"
    QUANTITY = "quantity"
    DESCRIPTION = "description"
    IMAGES = "images"
    CATEGORY = "category"
    COST = "cost"
    BULLETS = "bullets"
    SOURCE_UPDATED_AT = "source_updated_at"


# Names each field goes by, comma-separated, compared with `header_key`.
_SYNONYMS: dict[Target, str] = {
    Target.SOURCE_ID: (
        "source id, id, external id, item id, offer id, listing id, product key, artikel id, "
        "produkt id, angebots id, id produktu, id oferty, identyfikator, id producto, "
        "identificador, id del producto, identifiant, id produit"
    ),
    Target.TITLE: (
        "title, name, product name, product title, item name, item title, titel, produktname, "
        "artikelname, bezeichnung, artikelbezeichnung, produkttitel, nazwa, tytuł, "
        "nazwa produktu, tytuł oferty, nazwa oferty, título, nombre, nombre del producto, "
        "título del producto, titre, nom, nom du produit, désignation, libellé, "
        "titre du produit"
    ),
    Target.BRAND: (
        "brand, brand name, manufacturer, marke, hersteller, markenname, marka, producent, "
        "marca, fabricante, marque, fabricant"
    ),
    Target.GTIN: (
        "gtin, ean, upc, ean13, gtin13, gtin14, isbn, barcode, ean code, product id, "
        "external product id, ean nummer, strichcode, kod ean, kod kreskowy, código ean, "
        "código de barras, code ean, code barre, code barres, code-barres"
    ),
    Target.ASIN: ("asin, asin1, amazon asin"),
    Target.SKU: (
        "sku, seller sku, merchant sku, msku, item sku, artikelnummer, art nr, artikel nr, "
        "sygnatura, kod produktu, numer katalogowy, referencia, referencia del vendedor, "
        "référence, reference, ref, référence vendeur"
    ),
    Target.PRICE: (
        "price, your price, standard price, sale price, selling price, unit price, preis, "
        "verkaufspreis, vk preis, vk, cena, cena brutto, cena sprzedaży, precio, "
        "precio de venta, prix, prix de vente"
    ),
    Target.CURRENCY: ("currency, currency code, währung, waluta, moneda, divisa, devise, monnaie"),
    Target.QUANTITY: (
        "quantity, qty, stock, inventory, available, available quantity, bestand, menge, "
        "anzahl, lagerbestand, verfügbar, ilość, stan, stan magazynowy, liczba sztuk, "
        "cantidad, existencias, inventario, quantité, disponible"
    ),
    Target.DESCRIPTION: (
        "description, item description, product description, long description, beschreibung, "
        "produktbeschreibung, artikelbeschreibung, opis, opis produktu, descripción, "
        "descripción del producto, description du produit"
    ),
    Target.IMAGES: (
        "images, image, image url, image urls, main image url, image link, picture, pictures, "
        "photo, photos, bild, bilder, bild url, bildlink, zdjęcia, zdjęcie, obrazy, imagen, "
        "imágenes, url de imagen, url de l'image"
    ),
    Target.CATEGORY: (
        "category, product type, item type, kategorie, warengruppe, produktkategorie, "
        "kategoria, categoría, categoria, catégorie"
    ),
    Target.COST: (
        "cost, cost price, unit cost, purchase price, cogs, einkaufspreis, ek preis, ek, "
        "kosten, koszt, cena zakupu, coste, costo, precio de compra, coût, prix d'achat"
    ),
    Target.BULLETS: (
        "bullets, bullet points, bullet point, key features, features, highlights, "
        "aufzählungspunkte, stichpunkte, merkmale, punkty, cechy, viñetas, características, "
        "puntos clave, caractéristiques, points clés, puces"
    ),
    Target.SOURCE_UPDATED_AT: (
        "source updated at, updated at, updated, last updated, last modified, modified, "
        "open date, timestamp, zuletzt geändert, aktualisiert, änderungsdatum, "
        "data aktualizacji, zaktualizowano, fecha de actualización, actualizado, "
        "date de mise à jour, mis à jour, modifié le"
    ),
}
_FOLDED = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d"})


def header_key(header: str) -> str:
    """A header ignoring case, accents, spaces and punctuation: "Seller-SKU" is "sellersku"."""
    decomposed = unicodedata.normalize("NFKD", header.translate(_FOLDED).casefold())
    return "".join(char for char in decomposed if char.isalnum() and char.isascii())


_BY_KEY: dict[str, Target] = {}
for _target, _names in _SYNONYMS.items():
    for _name in (_target.value, *_names.split(", ")):
        _BY_KEY.setdefault(header_key(_name), _target)

Column = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ColumnMapping(BaseModel):
    """Which column fills which field, `{"Preis": "price", ...}`; other columns are ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: dict[Column, Target]

    @model_validator(mode="after")
    def _each_target_once(self) -> "ColumnMapping":
        seen: dict[Target, str] = {}
        for column, target in self.columns.items():
            if target in seen:
                raise ValueError(
                    f'"{column}" and "{seen[target]}" are both mapped to {target.value};'
                    " a field takes one column"
                )
            seen[target] = column
        return self

    def missing_columns(self, headers: Iterable[str]) -> list[str]:
        """Mapped columns the file does not have (a saved mapping meeting a changed file)."""
        present = set(headers)
        return [column for column in self.columns if column not in present]

    def apply(self, values: Mapping[str, str]) -> dict[Target, str]:
        """A record's values by target field (columns absent from the record are left out)."""
        return {
            target: values[column] for column, target in self.columns.items() if column in values
        }


def suggest_mapping(headers: Iterable[str]) -> ColumnMapping:
    """A mapping guessed from header names; the first column to claim a field keeps it.

    A name matches as a whole first; failing that, without a bracketed unit ("Preis (EUR)") or a
    trailing number ("asin2", "bullet_point1").
    """
    headers = list(headers)
    columns: dict[str, Target] = {}
    taken: set[Target] = set()
    for simplify in (_whole, _without_unit_or_number):
        for header in headers:
            target = _BY_KEY.get(simplify(header))
            if header not in columns and target is not None and target not in taken:
                columns[header] = target
                taken.add(target)
    return ColumnMapping(
        columns={header: columns[header] for header in headers if header in columns}
    )


def _whole(header: str) -> str:
    return header_key(header)


def _without_unit_or_number(header: str) -> str:
    return header_key(re.sub(r"\s*[(\[].*?[)\]]\s*|[\s_-]*\d+$", "", header))
