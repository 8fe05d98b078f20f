"""How the board reads a call aloud: "Xin mời số 1023 đến quầy số 3".

The browser speaks the sentence with a Vietnamese voice when it has one;
otherwise it joins short recorded clips (static/audio/vi/), one per word, in
the order ``call_words`` gives. ``static/queueing/board.js`` carries the same
rules in JavaScript; the tests compare the two on many numbers.
"""

from __future__ import annotations

DIGITS = ["khong", "mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin"]

# Clip name -> the word it says, as it is written.
CLIPS: dict[str, str] = {
    "xin_moi_so": "xin mời số",
    "den_quay_so": "đến quầy số",
    "khong": "không",
    "mot": "một",
    "hai": "hai",
    "ba": "ba",
    "bon": "bốn",
    "nam": "năm",
    "sau": "sáu",
    "bay": "bảy",
    "tam": "tám",
    "chin": "chín",
    "muoi": "mười",
    "muoi_": "mươi",
    "mot_": "mốt",
    "lam": "lăm",
    "tu": "tư",
    "linh": "linh",
    "tram": "trăm",
    "nghin": "nghìn",
    "trieu": "triệu",
}


def _below_thousand(n: int, *, full: bool) -> list[str]:
    """Words for 0 < n < 1000; ``full`` reads leading zeros ("không trăm linh năm")."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "tram"]
    if tens == 0:
        if units and words:
            words.append("linh")
        if units:
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("muoi")
        if units == 5:
            words.append("lam")
        elif units:
            words.append(DIGITS[units])
        return words
    words += [DIGITS[tens], "muoi_"]
    if units == 1:
        words.append("mot_")
    elif units == 4:
        words.append("tu")
    elif units == 5:
        words.append("lam")
    elif units:
        words.append(DIGITS[units])
    return words


def number_words(n: int) -> list[str]:
    """Clip names reading ``n`` (0 ≤ n < 10⁹) as Vietnamese speakers do."""
    if n < 0 or n >= 1_000_000_000:
        raise ValueError("out of range")
    if n == 0:
        return ["khong"]
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    words: list[str] = []
    if millions:
        words += [*_below_thousand(millions, full=False), "trieu"]
    if thousands:
        words += [*_below_thousand(thousands, full=bool(words)), "nghin"]
    if units:
        words += _below_thousand(units, full=bool(words))
    return words


def call_words(number: int, counter: int) -> list[str]:
    return ["xin_moi_so", *number_words(number), "den_quay_so", *number_words(counter)]


def call_sentence(number: int, counter: int) -> str:
    return f"Xin mời số {number} đến quầy số {counter}"


def spoken(words: list[str]) -> str:
    return " ".join(CLIPS[w] for w in words)
