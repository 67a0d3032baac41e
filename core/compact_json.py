"""A JSON encoder for large JSONField values (kept rows of an import): UTF-8 text without
spaces. Kept in a module of its own because migrations import it by path."""

import json


class CompactJSONEncoder(json.JSONEncoder):
    """Chinese characters written as they are (3 bytes each in UTF-8), not as \\u escapes
    (6 bytes), and no spaces after separators; still the C encoder."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        kwargs["separators"] = (",", ":")
        super().__init__(*args, **kwargs)
