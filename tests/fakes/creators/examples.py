"""Hand-written Creators API items in the wire format, for tests that assert exact values."""

from typing import Any

PARTNER_TAG = "shelfwise-20"
PRESS = "B0PRESS001"  # every resource Shelfwise asks for, on a deal, two listings
LAMP = "B0LAMP0001"  # the bare minimum: no offers, no reviews, no images, no tag in its URL

ITEMS: dict[str, dict[str, Any]] = {
    PRESS: {
        "asin": PRESS,
        "detailPageURL": f"https://www.amazon.de/dp/{PRESS}?tag={PARTNER_TAG}&linkCode=ogi&th=1",
        "itemInfo": {
            "title": {
                "displayValue": "Kestrel French Press 1 l",
                "label": "Title",
                "locale": "de_DE",
            },
            "byLineInfo": {
                "brand": {"displayValue": "Kestrel", "label": "Brand", "locale": "de_DE"},
                "manufacturer": {"displayValue": "Kestrel GmbH", "label": "Manufacturer"},
            },
            "features": {
                "displayValues": ["Edelstahl, doppelwandig", "Spülmaschinenfest"],
                "label": "Features",
                "locale": "de_DE",
            },
        },
        "images": {
            "primary": {
                "large": {
                    "url": "https://m.media-amazon.com/images/I/press-1.jpg",
                    "height": 500,
                    "width": 500,
                }
            },
            "variants": [
                {
                    "large": {
                        "url": "https://m.media-amazon.com/images/I/press-2.jpg",
                        "height": 500,
                        "width": 375,
                    }
                },
                {
                    "large": {
                        "url": "https://m.media-amazon.com/images/I/press-3.jpg",
                        "height": 500,
                        "width": 500,
                    }
                },
            ],
        },
        "offersV2": {
            "listings": [
                {
                    "availability": {"message": "Nur noch 3 auf Lager", "type": "IN_STOCK_SCARCE"},
                    "isBuyBoxWinner": False,
                    "price": {
                        "money": {"amount": 31.5, "currency": "EUR", "displayAmount": "31,50 €"}
                    },
                },
                {
                    "availability": {
                        "message": "Auf Lager",
                        "type": "IN_STOCK",
                        "minOrderQuantity": 1,
                    },
                    "isBuyBoxWinner": True,
                    "type": "LIGHTNING_DEAL",
                    "dealDetails": {
                        "accessType": "ALL",
                        "badge": "Blitzangebot",
                        "startTime": "2026-12-06T08:00:00Z",
                        "endTime": "2026-12-08T08:00:00Z",
                        "percentClaimed": 42,
                    },
                    "price": {
                        "money": {"amount": 24.99, "currency": "EUR", "displayAmount": "24,99 €"},
                        "savingBasis": {
                            "money": {
                                "amount": 39.9,
                                "currency": "EUR",
                                "displayAmount": "39,90 €",
                            },
                            "savingBasisType": "LIST_PRICE",
                            "savingBasisTypeLabel": "UVP",
                        },
                        "savings": {
                            "money": {
                                "amount": 14.91,
                                "currency": "EUR",
                                "displayAmount": "14,91 €",
                            },
                            "percentage": 37,
                        },
                    },
                },
            ]
        },
        "browseNodeInfo": {
            "browseNodes": [
                {
                    "id": "3597140031",
                    "displayName": "Kaffeebereiter",
                    "contextFreeName": "Kaffeebereiter",
                    "isRoot": False,
                    "salesRank": 12,
                }
            ],
            "websiteSalesRank": {
                "id": "kitchen",
                "displayName": "Küche, Haushalt & Wohnen",
                "contextFreeName": "Küche, Haushalt & Wohnen",
                "salesRank": 4521,
            },
        },
        "customerReviews": {"count": 1873, "starRating": {"value": 4.6}},
    },
    LAMP: {
        "asin": LAMP,
        "detailPageURL": f"https://www.amazon.de/dp/{LAMP}",
        "itemInfo": {"title": {"displayValue": "Schreibtischlampe LED"}},
    },
}
