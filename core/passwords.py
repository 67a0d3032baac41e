"""A password validator for the weak passwords Chinese users choose (AUTH_PASSWORD_VALIDATORS).

Two rules, each from a well-kept source rather than a list of our own:

- Pinyin and digits. A password whose letters are a few pinyin syllables and whose rest is
  digits or symbols (zhangsan123, wangxiaoming1990, woaini1314, shaoyang2022, Zhang@San1988)
  is a name, a place or a phrase plus a year or a lucky number: it is in every Chinese cracking
  dictionary. The syllable table (core/data/pinyin_syllables.txt) is derived from pypinyin's
  character table (https://github.com/mozillazg/python-pinyin).
- Guessable patterns. zxcvbn (Dropbox's estimator, https://github.com/dwolfhub/zxcvbn-python)
  scores keyboard runs (qwerty, 1qaz2wsx, asdfghjkl), sequences, repeats, dates and words from
  its frequency lists (leaked passwords, names, English words); below score 3 ("safely
  unguessable: moderate protection from offline slow-hash scenario") the password is refused.
"""

import re
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import zxcvbn

SYLLABLES_FILE = Path(__file__).resolve().parent / "data" / "pinyin_syllables.txt"
LONGEST_SYLLABLE = 6  # zhuang, shuang, chuang
# A Chinese name is two to four syllables, "woaini" three: up to this many, with digits or
# symbols around them, the password is refused. Longer pinyin phrases are passphrases.
MAX_SYLLABLES = 4
MIN_ZXCVBN_SCORE = 3


@cache
def pinyin_syllables() -> frozenset[str]:
    lines = SYLLABLES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def pinyin_syllables_from_pypinyin() -> frozenset[str]:
    """The table as pypinyin gives it (what the data file holds; a test keeps them equal)."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    syllables = {
        to_normal(reading).replace("ü", "v")
        for readings in pinyin_dict.values()
        for reading in readings.split(",")
    }
    return frozenset(
        s for s in syllables if s.isascii() and s.isalpha() and any(c in "aeiouv" for c in s)
    )


def fewest_syllables(letters: str) -> int | None:
    """The fewest pinyin syllables `letters` (lower case) splits into, or None if it does not."""
    syllables = pinyin_syllables()
    # best[i]: the fewest syllables letters[:i] splits into (None: it does not split).
    best: list[int | None] = [0] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        counts = [
            best[start] + 1
            for start in range(max(0, end - LONGEST_SYLLABLE), end)
            if best[start] is not None and letters[start:end] in syllables
        ]
        best[end] = min(counts, default=None)
    return best[-1]


def is_pinyin_with_digits(password: str) -> bool:
    lowered = password.lower()
    # A name or phrase is typed in one piece, at most split by symbols (Zhang@San1988,
    # wang.xiao.ming); letters interleaved with digits (Ge4%Ba8*Mi1&) are a generated password,
    # not a word plus a number, and are left to zxcvbn.
    between_letters = re.sub(r"^[^a-z]*|[^a-z]*$", "", lowered)
    if any(char.isdigit() for char in between_letters):
        return False
    letters = "".join(char for char in lowered if "a" <= char <= "z")
    if not letters:
        return False
    count = fewest_syllables(letters)
    return count is not None and count <= MAX_SYLLABLES


class ChineseWeakPasswordValidator:
    """Refuses pinyin names or phrases with digits, keyboard runs and other guessable patterns."""

    def validate(self, password: str, user=None) -> None:
        if is_pinyin_with_digits(password):
            raise ValidationError(
                _("密码只由拼音（如姓名、地名、“woaini”）和数字或符号组成，很容易被猜到。"),
                code="password_pinyin",
            )
        inputs = [getattr(user, name, "") for name in ("username", "email", "name")] if user else []
        if zxcvbn(password[:100], user_inputs=[i for i in inputs if i])["score"] < MIN_ZXCVBN_SCORE:
            raise ValidationError(
                _(
                    "密码含有键盘连续字符（如qwerty、1qaz2wsx）、常见密码、日期或重复字符，很容易被猜到。"
                ),
                code="password_guessable",
            )

    def get_help_text(self) -> str:
        return _("密码不能是拼音姓名加数字（如zhangsan123）、键盘连续字符（如qwerty）或常见密码。")
