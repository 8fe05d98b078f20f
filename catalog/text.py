"""Text folding for search: what people type has no tone marks.

Citizens and officers search on phones and on keyboards without a Vietnamese
input method, so "cap lai can cuoc" has to find "Cấp lại thẻ căn cước".
Everything stored for search and every query goes through :func:`fold`.
"""

import unicodedata
from collections.abc import Sequence

from django.db.models import Q

# "đ" is a letter of its own, not "d" with a combining mark, so Unicode
# decomposition leaves it alone; it is mapped by hand.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, strip tone and vowel marks, and collapse whitespace."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.lower().split())


def search_q(query: str, field_name: str) -> Q:
    """Match rows whose folded ``field_name`` contains every word of ``query``.

    Words are matched one by one, in any order, so a query may skip words of
    the name ("cap lai can cuoc" against "cap lai the can cuoc").
    """
    return words_q(fold(query).split(), field_name)


def words_q(words: Sequence[str], field_name: str) -> Q:
    """Match rows whose ``field_name`` contains every one of ``words``, already folded."""
    condition = Q()
    for word in words:
        condition &= Q(**{f"{field_name}__contains": word})
    return condition


# Vietnamese alphabetical order: a ă â b c d đ e ê … o ô ơ … u ư …; the tone marks
# only decide between words spelt with the same letters, in dictionary order.
_VARIANTS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_order(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A sort key that puts names in the order of a Vietnamese dictionary.

    Sorting by code point puts "Đăng ký" after "Xây dựng" and "Chứng thực"
    before "Căn cước"; this key reads each letter as the alphabet does.
    """
    letters: list[int] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", text.lower()):
        if char in _VARIANTS and letters:
            letters[-1] += _VARIANTS[char]
        elif char in _TONES:
            tones.append(_TONES[char])
        elif char == "đ":
            letters.append(ord("d") * 4 + 1)
        elif not unicodedata.combining(char):
            letters.append(ord(char) * 4)
    return tuple(letters), tuple(tones)
