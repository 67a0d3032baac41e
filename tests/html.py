"""Reading a page's table in tests as a person reads it."""

import re


def row_cells(html: str, first_cell: str) -> list[str]:
    """The text of each cell (tags stripped, spaces collapsed) of the first table row whose
    first cell reads `first_cell`. AssertionError when no row does."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no table row starts with {first_cell!r}")


def visible_text(html: str) -> str:
    """The text a person reads on the page: tags, and with them attributes such as tooltips,
    removed."""
    return re.sub(r"<[^>]+>", "", html)
