"""The random draw (随机确定), written so that anyone can re-run it and get the same firm.

The published candidate order is ascending unified social credit code (numbered 1, 2, …); it
depends only on the candidates, never on the order the database returns rows in. At the draw a
seed is generated with Python's `secrets` module and recorded with the witnesses and the time;
the winner then follows from the seed and the published order alone:

    digest = SHA-256 of the UTF-8 text: the seed, a line break, then the credit codes in
             published order joined by line breaks
    index  = the digest read as a hexadecimal integer, modulo the number of candidates
    winner = the candidate at that index (0 is the first published candidate)

The same steps in Python, for the public page and anyone who wants to check:

    import hashlib
    text = seed + "\\n" + "\\n".join(codes)
    index = int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % len(codes)

An order (the resettlement selection order, 选房顺序) is the same draw repeated: the households'
codes are published in ascending order; the first winner drawn among all of them is number 1,
is taken out, the next winner is drawn with the same seed among the codes that remain (still
in published order), and so on until one code is left:

    remaining = sorted(codes)
    order = []
    while remaining:
        order.append(remaining.pop(winner_index(seed, remaining)))
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.utils.translation import gettext as _

ALGORITHM_NAME = "sha256-mod-v1"
SEED_BYTES = 16  # 32 hexadecimal characters

ALGORITHM_PYTHON = (
    "import hashlib\n"
    'text = seed + "\\n" + "\\n".join(codes)\n'
    'index = int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % len(codes)\n'
    "winner = codes[index]"
)


def new_seed() -> str:
    """A fresh, unpredictable seed (hexadecimal)."""
    return secrets.token_hex(SEED_BYTES)


def published_order(codes) -> list[str]:
    """The published candidate order: ascending credit code."""
    return sorted(codes)


def winner_index(seed: str, codes: list[str]) -> int:
    """The index (0-based) of the winner among `codes`, taken in the order given."""
    if not codes:
        raise ValueError("a draw needs at least one candidate")
    text = seed + "\n" + "\n".join(codes)
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % len(codes)


ORDER_ALGORITHM_NAME = "sha256-mod-order-v1"

ORDER_ALGORITHM_PYTHON = (
    "import hashlib\n"
    "def winner_index(seed, codes):\n"
    '    text = seed + "\\n" + "\\n".join(codes)\n'
    '    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % len(codes)\n'
    "remaining = sorted(codes)\n"
    "order = []\n"
    "while remaining:\n"
    "    order.append(remaining.pop(winner_index(seed, remaining)))"
)


def draw_order(seed: str, codes: list[str]) -> list[str]:
    """The whole order drawn from `seed`: `codes` (any order; the published order is ascending)
    with the first drawn first. Each step is `winner_index` over the codes still remaining, in
    published order. Raises ValueError for no codes or a code given twice."""
    remaining = published_order(codes)
    if not remaining:
        raise ValueError("a draw needs at least one candidate")
    if len(set(remaining)) != len(remaining):
        raise ValueError("a code is given twice")
    order = []
    while remaining:
        order.append(remaining.pop(winner_index(seed, remaining)))
    return order


def order_steps() -> list[str]:
    """The order draw in words, for the pages and the order notice."""
    return [
        _("参加选房的被征收户按户号由小到大排列并编号公布。"),
        _(
            "摇号时由系统以密码学安全的随机数生成器（Python secrets 模块）产生随机种子，"
            "当场记录种子、见证人、公证机构和时间。"
        ),
        _(
            "将“随机种子、换行符、按公布顺序以换行符连接的各户户号”按UTF-8编码计算SHA-256摘要，"
            "作为十六进制整数除以户数取余数；余数为0即排在第1位的户，依此类推，该户为1号。"
        ),
        _(
            "取出已抽中的户，其余各户保持原有先后，以同一种子重复上一步，依次得到2号、3号……直至最后一户。"
        ),
    ]


def algorithm_steps() -> list[str]:
    """The algorithm in words, for the pages and the result notice."""
    return [
        _("候选机构按统一社会信用代码由小到大排列并编号公布（第1家、第2家……）。"),
        _(
            "摇号时由系统以密码学安全的随机数生成器（Python secrets 模块）产生随机种子，"
            "当场记录种子、见证人和时间。"
        ),
        _(
            "将“随机种子、换行符、按公布顺序以换行符连接的各候选机构统一社会信用代码”"
            "按UTF-8编码计算SHA-256摘要。"
        ),
        _("将摘要作为十六进制整数，除以候选机构家数取余数；余数为0即第1家，为1即第2家，依此类推。"),
    ]


@dataclass(frozen=True)
class DrawRecord:
    """Everything a verification page needs to show and re-run a draw."""

    selection_id: int
    project_name: str
    seed: str
    drawn_at: object  # datetime
    witnesses: str
    notary: str
    candidates: tuple[tuple[int, str, str], ...]  # (position, credit code, firm name)
    winner_position: int
    winner_code: str
    winner_name: str
    algorithm: str = ALGORITHM_NAME

    @property
    def codes(self) -> list[str]:
        return [code for _position, code, _name in self.candidates]

    def verifies(self) -> bool:
        """Re-run the draw from the record; True when it gives the recorded winner."""
        return self.codes[winner_index(self.seed, self.codes)] == self.winner_code
