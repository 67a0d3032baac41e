"""Number formats for zh-Hans on top of Django's own (which it keeps for everything not here).

Django's zh_Hans formats group digits by four with no separator, so `intcomma` wrote a count
of 2,130 households as "2130" beside areas and amounts written "27,813.40" (those pass through
`floatformat` first, whose text `intcomma` groups by three). The office's tables group every
number by three with commas, as its reports and the fund's ledger do.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
