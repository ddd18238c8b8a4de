"""Image rules: how many images, the main image's size, and the share that can zoom."""

from shelfwise.intelligence import rules as R
from shelfwise.intelligence.scorecard import Image, RuleResult, numbers, share

P = R.RULE_POINTS


def _longest_side(image: Image) -> int | None:
    if image.width is None or image.height is None:
        return None
    return max(image.width, image.height)


def image_rules(images: tuple[Image, ...], limits: R.MarketplaceRules) -> tuple[RuleResult, ...]:
    """The images section's three rule results."""
    return (_image_count(len(images), limits), _main_image(images, limits), _zoom(images, limits))


def _image_count(count: int, limits: R.MarketplaceRules) -> RuleResult:
    possible, wanted = P["images.count"], limits.images_recommended
    if count >= wanted:
        return RuleResult("images.count", possible, possible, f"{count} images.", None)
    return RuleResult(
        "images.count",
        share(possible, count, wanted),
        possible,
        f"{count} images; {wanted} recommended (the main image and six others).",
        f"Add {wanted - count} images: details, scale, in use, packaging.",
    )


def _main_image(images: tuple[Image, ...], limits: R.MarketplaceRules) -> RuleResult:
    possible = P["images.main"]
    if not images:
        return RuleResult(
            "images.main",
            0,
            possible,
            "There is no main image.",
            f"Add a main image on pure white, {limits.image_zoom_side} pixels or more.",
        )
    side = _longest_side(images[0])
    if side is None:
        return RuleResult(
            "images.main",
            possible // 2,
            possible,
            "The main image's dimensions are not declared.",
            "Declare the main image's width and height.",
        )
    if side < limits.image_min_side:
        return RuleResult(
            "images.main",
            0,
            possible,
            f"The main image is {side} pixels on its longest side; Amazon refuses images under"
            f" {limits.image_min_side}.",
            f"Replace the main image with one of {limits.image_zoom_side} pixels or more.",
        )
    if side < limits.image_zoom_side:
        return RuleResult(
            "images.main",
            possible * 2 // 3,
            possible,
            f"The main image is {side} pixels on its longest side: too small to zoom.",
            f"Replace the main image with one of {limits.image_zoom_side} pixels or more.",
        )
    return RuleResult(
        "images.main",
        possible,
        possible,
        f"The main image is {side} pixels on its longest side.",
        None,
    )


def _zoom(images: tuple[Image, ...], limits: R.MarketplaceRules) -> RuleResult:
    possible, side = P["images.resolution"], limits.image_zoom_side
    if not images:
        return RuleResult("images.resolution", 0, possible, "There are no images.", "Add images.")
    small = [number for number, image in enumerate(images, 1) if (_longest_side(image) or 0) < side]
    if not small:
        return RuleResult(
            "images.resolution",
            possible,
            possible,
            f"Every image is {side} pixels or more on its longest side (zoom).",
            None,
        )
    return RuleResult(
        "images.resolution",
        share(possible, len(images) - len(small), len(images)),
        possible,
        f"{len(small)} of {len(images)} images are under {side} pixels or have no declared size.",
        f"Replace or declare images {numbers(small)} at {side} pixels or more.",
    )
