"""Amazon product detail pages parsed into typed results (the scraper's parser, DESIGN 1.4)."""

from shelfwise.integrations.amazon_pages.page import BestSellerRank, Money, PageType, ProductPage
from shelfwise.integrations.amazon_pages.parse import parse_page

__all__ = ["BestSellerRank", "Money", "PageType", "ProductPage", "parse_page"]
