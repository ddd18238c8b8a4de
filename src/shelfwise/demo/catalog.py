"""Deterministic generation of a DIY-and-electronics seller's catalog (same seed, same data)."""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from shelfwise.catalog.identifiers import gtin_check_digit

SEED = 369
MARKETPLACES = (
    ("amazon.com", "USD", Decimal("1.00")),
    ("amazon.co.uk", "GBP", Decimal("0.79")),
    ("amazon.de", "EUR", Decimal("0.92")),
)
TOOL_BRANDS = ("Bosch", "Makita", "DeWalt", "Stanley", "Einhell", "Ryobi")
CHARGING_BRANDS = ("Anker", "Ugreen", "Belkin")


@dataclass(frozen=True)
class ProductTemplate:
    brands: tuple[str, ...]
    kind: str
    category: str
    variants: tuple[str, ...]
    features: tuple[str, ...]
    base_price: Decimal


TEMPLATES = (
    ProductTemplate(
        TOOL_BRANDS,
        "Cordless Drill Driver",
        "Tools & Home Improvement",
        ("18V", "12V", "20V Max"),
        ("2 x 2.0Ah batteries", "fast charger", "carry case", "LED work light", "2-speed gearbox"),
        Decimal("89.99"),
    ),
    ProductTemplate(
        TOOL_BRANDS,
        "Impact Driver",
        "Tools & Home Improvement",
        ("18V Brushless", "12V Compact"),
        ("1/4 inch hex chuck", "3 speed settings", "belt clip", "battery gauge"),
        Decimal("119.00"),
    ),
    ProductTemplate(
        ("Bosch", "Leica", "Stanley"),
        "Laser Distance Measure",
        "Tools & Home Improvement",
        ("30 m", "50 m", "100 m"),
        ("±2 mm accuracy", "backlit display", "area and volume", "IP54 rated"),
        Decimal("49.95"),
    ),
    ProductTemplate(
        TOOL_BRANDS,
        "Screwdriver Bit Set",
        "Tools & Home Improvement",
        ("32-Piece", "65-Piece", "100-Piece"),
        ("magnetic holder", "impact rated", "S2 steel", "storage box"),
        Decimal("24.99"),
    ),
    ProductTemplate(
        ("Kärcher", "Einhell", "Makita"),
        "Wet and Dry Vacuum",
        "Tools & Home Improvement",
        ("20 L", "30 L"),
        ("blower function", "1300 W motor", "cartridge filter", "3 m hose"),
        Decimal("99.00"),
    ),
    ProductTemplate(
        CHARGING_BRANDS,
        "USB-C Charger",
        "Electronics",
        ("65W", "100W", "30W"),
        ("GaN technology", "3 ports", "foldable plug", "PD 3.0"),
        Decimal("39.99"),
    ),
    ProductTemplate(
        CHARGING_BRANDS,
        "Power Bank",
        "Electronics",
        ("10000mAh", "20000mAh", "26800mAh"),
        ("USB-C PD", "LED display", "2-way fast charging", "airline safe"),
        Decimal("34.99"),
    ),
    ProductTemplate(
        ("TP-Link", "Netgear", "ASUS"),
        "WiFi 6 Router",
        "Computers & Accessories",
        ("AX1800", "AX3000", "AX5400"),
        ("dual band", "4 gigabit ports", "parental controls", "WPA3 security"),
        Decimal("79.99"),
    ),
    ProductTemplate(
        ("Samsung", "Crucial", "Kingston", "WD"),
        "Internal SSD",
        "Computers & Accessories",
        ("500GB", "1TB", "2TB"),
        ("NVMe PCIe 4.0", "up to 7000 MB/s read", "M.2 2280", "5-year warranty"),
        Decimal("69.99"),
    ),
    ProductTemplate(
        ("Corsair", "Kingston", "Crucial"),
        "DDR5 Memory Kit",
        "Computers & Accessories",
        ("32GB (2x16GB) 6000MHz", "16GB (2x8GB) 5600MHz"),
        ("CL36", "heat spreader", "XMP 3.0", "lifetime warranty"),
        Decimal("109.99"),
    ),
    ProductTemplate(
        ("Logitech", "Razer", "Microsoft"),
        "Wireless Mouse",
        "Computers & Accessories",
        ("Silent", "Ergonomic Vertical", "Gaming"),
        ("2.4 GHz receiver", "Bluetooth", "rechargeable", "adjustable DPI"),
        Decimal("29.99"),
    ),
    ProductTemplate(
        ("Einhell", "Bosch", "Ryobi"),
        "LED Work Light",
        "Tools & Home Improvement",
        ("20W", "50W"),
        ("4000 lumens", "IP65 waterproof", "tripod stand", "5 m cable"),
        Decimal("32.50"),
    ),
)


@dataclass
class DemoListing:
    marketplace: str
    sku: str
    asin: str
    title: str
    bullets: list[str]
    description: str
    images: list[str]
    price: Decimal
    currency: str
    quantity: int
    status: str


@dataclass
class DemoProduct:
    source_id: str
    title: str
    brand: str
    gtin: str
    asin: str
    category: str
    attributes: dict[str, str]
    cost: Decimal
    images: list[str]
    listings: list[DemoListing] = field(default_factory=list)


def _asin(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "B0" + "".join(rng.choice(alphabet) for _ in range(8))


def _ean13(rng: random.Random) -> str:
    body = "40" + "".join(str(rng.randrange(10)) for _ in range(10))
    return body + str(gtin_check_digit(body))


def generate(count: int = 300, seed: int = SEED) -> Iterator[DemoProduct]:
    """`count` products, each listed on one to three Amazon marketplaces."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    for index in range(count):
        template = TEMPLATES[index % len(TEMPLATES)]
        brand = rng.choice(template.brands)
        variant = rng.choice(template.variants)
        features = rng.sample(template.features, k=min(3, len(template.features)))
        model = f"{brand[:2].upper()}-{rng.randrange(100, 999)}"
        feature_text = ", ".join(features)
        feature_text = feature_text[:1].upper() + feature_text[1:]
        title = f"{brand} {template.kind} {variant}, {feature_text} ({model})"
        asin = _asin(rng)
        image = f"https://m.media-amazon.com/images/I/{asin}._AC_SL1500_.jpg"
        price = (template.base_price * Decimal(rng.randrange(80, 131)) / 100).quantize(
            Decimal("0.01")
        )
        product = DemoProduct(
            source_id=f"DEMO-{index + 1:05d}",
            title=title,
            brand=brand,
            gtin=_ean13(rng),
            asin=asin,
            category=template.category,
            attributes={
                "model_number": model,
                "variant": variant,
                "color": rng.choice(("Black", "Blue", "Grey", "White", "Green")),
            },
            cost=(price * Decimal("0.45")).quantize(Decimal("0.01")),
            images=[image],
        )
        for marketplace, currency, rate in rng.sample(MARKETPLACES, k=rng.randint(1, 3)):
            local_price = (price * rate).quantize(Decimal("0.01"))
            # Some listings are deliberately weak (short title, few bullets) so scores vary.
            is_weak = rng.random() < 0.3
            product.listings.append(
                DemoListing(
                    marketplace=marketplace,
                    sku=f"{product.source_id}-{marketplace.split('.')[-1].upper()}",
                    asin=asin,
                    title=f"{brand} {template.kind}" if is_weak else title,
                    bullets=[]
                    if is_weak
                    else [f.capitalize() for f in features] + [f"Model {model}, {variant}"],
                    description=""
                    if is_weak
                    else f"The {brand} {template.kind} {variant} with {', '.join(features)}.",
                    images=[] if is_weak else [image],
                    price=local_price,
                    currency=currency,
                    quantity=rng.randrange(0, 250),
                    status=rng.choice(
                        ("imported", "imported", "published", "published", "optimized")
                    ),
                )
            )
        yield product
