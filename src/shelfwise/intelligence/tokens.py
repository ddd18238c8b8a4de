"""Tokens of listing text per marketplace language, for keyword extraction.

Text is NFKC-normalised (full-width letters, ligatures and compatibility forms become plain ones)
and case-folded (German ß matches ss). A token is a run of letters and digits; one that starts
with a digit keeps its unit and decimal part whole ("18V", "2.0Ah", "1000mAh"), a decimal comma
becomes a point ("2,0Ah" = "2.0Ah") except that in English a comma before exactly three digits
separates thousands ("1,000mAh" = "1000mAh"), and a number followed by a unit word is joined to
it ("18 V" = "18V"). A hyphen inside a word splits it: "Akku-Bohrschrauber" is "akku
bohrschrauber", so it matches the spaced spelling (German compounds written as one word stay
one token: splitting them would need a dictionary).

Text is cut into segments at punctuation and at stop words; terms are the 1- to 3-grams inside
a segment, so no term spans a comma or a "with". A term has a letter in it and more than one
character: bare numbers and single letters say nothing on their own.
"""

import re
import unicodedata
from collections.abc import Iterable

MAX_TERM_WORDS = 3

# Small lists of the words that carry no product meaning (articles, prepositions, pronouns,
# conjunctions, auxiliaries): a big linguistic dependency is not worth the handful of words.
_STOP_WORDS = {
    "en": """a about all also an and any are as at be been but by can for from has have how if
        in into is it its more most my no not of on or our over so than that the their them then
        there these this those to up very was we were what when which while who will with within
        without you your""",
    "de": """ab aber alle als am an auch auf aus bei bin bis bist da damit dann das dass dein dem
        den der des die dies diese diesem diesen dieser dir doch du durch ein eine einem einen
        einer eines er es für hat hier ich ihr im in ist ja jede jeder kann kein man mehr mit
        nach nicht noch nur ob oder ohne sehr sie sind so über um und uns unser vom von vor war
        was wie wir wird zu zum zur""",
    "fr": """à au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur
        mais me même mes mon ne nos notre nous on ou où par pas plus pour qu que qui sa sans se
        ses son sur ta te tes ton tous tout très tu un une vos votre vous""",
    "es": """a al como con de del el ella en entre es esta este esto ha la las le lo los más me
        mi muy no nos o para pero por que se sin sobre su sus también te tu un una uno unos y
        ya""",
    "it": """a ad al alla alle agli ai anche che chi con da dai dal dalla degli dei del della
        delle di e ed gli ha i il in la le lo ma mi nei nel nella non o per più può questo se
        senza si sono su sua sue suo tra tu un una uno""",
}
STOP_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(words.split()) for language, words in _STOP_WORDS.items()
}
# Languages that write decimals with a comma (English reads "1,000" as a thousand).
_DECIMAL_COMMA = frozenset({"de", "fr", "es", "it"})
# Marketplace domain endings and their language; anything else is read as English.
_LANGUAGE_OF_DOMAIN = (
    (".de", "de"), (".at", "de"), (".ch", "de"), (".fr", "fr"), (".com.be", "fr"),
    (".es", "es"), (".com.mx", "es"), (".it", "it"),
)  # fmt: skip
# Unit words a number before them is joined to. Not "in": "2 in 1" is no measurement.
_UNITS = "v ah mah wh w kw mm cm m km g kg mg l ml nm rpm hz khz mhz ghz gb tb mb db lm k x oz lb"
UNITS = frozenset(f"{_UNITS} lbs ft inch zoll".split(" "))
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*[^\W_]*|[^\W\d_][^\W_]*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r",(?=\d{3}(?!\d))")
# Spaces keep a segment going, and so does a hyphen inside a word (also Unicode's hyphen and
# non-breaking hyphen); a dash between spaces ("1500 RPM - 2 gears") separates like a comma.
_JOINING_GAP = re.compile(r"\s*|[\-\u2010\u2011]")


def language_of(marketplace: str) -> str:
    """The language of a marketplace's listings, from its domain (amazon.de: de)."""
    code = marketplace.strip().lower()
    for ending, language in _LANGUAGE_OF_DOMAIN:
        if code.endswith(ending):
            return language
    return "en"


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _number_token(token: str, language: str) -> str:
    if language not in _DECIMAL_COMMA:
        token = _THOUSANDS.sub("", token)
    return token.replace(",", ".")


def segments(text: str, language: str) -> list[list[str]]:
    """The runs of content tokens of `text`, cut at punctuation and stop words."""
    stop_words = STOP_WORDS.get(language, frozenset())
    found: list[list[str]] = []
    current: list[str] = []
    position = 0
    normalised = normalise(text)
    for match in _TOKEN.finditer(normalised):
        gap = normalised[position : match.start()]
        position = match.end()
        token = match.group()
        if token[0].isdigit():
            token = _number_token(token, language)
        if current and not _JOINING_GAP.fullmatch(gap):
            found.append(current)
            current = []
        if token in stop_words:
            if current:
                found.append(current)
            current = []
        elif current and token in UNITS and _NUMBER.fullmatch(current[-1]):
            current[-1] += token
        else:
            current.append(token)
    if current:
        found.append(current)
    return found


def is_term(words: tuple[str, ...]) -> bool:
    text = " ".join(words)
    return len(text) > 1 and any(character.isalpha() for character in text)


def terms(parts: Iterable[list[str]], max_words: int = MAX_TERM_WORDS) -> list[str]:
    """Every 1- to `max_words`-gram of every segment, in text order, repeats kept."""
    found = []
    for part in parts:
        for size in range(1, max_words + 1):
            for start in range(len(part) - size + 1):
                words = tuple(part[start : start + size])
                if is_term(words):
                    found.append(" ".join(words))
    return found


def text_terms(text: str, language: str) -> list[str]:
    return terms(segments(text, language))
