"""Every closed set of values the project uses, defined once.

The extractor, the annotation files' validation, the JSON Schema, the CSV,
the report and `make eval` all take their allowed values from here; the
definitions of the words are in ANNOTATION_GUIDE.md.
"""

# Quantity kinds, in the order the report and eval list them.
KINDS = ("percentage", "proportion", "count", "timeframe", "frequency", "dose", "money", "measurement", "multiplier")

EVIDENCE = ("study-backed", "anecdotal", "unattributed")

# Annotation status of a claim. Reviewed = anything but "machine"; "rejected"
# claims are gold that must NOT be produced, and are left out of claims.jsonl.
STATUSES = ("machine", "confirmed", "corrected", "rejected", "added")
GOLD_STATUSES = ("confirmed", "corrected", "added")
EXPORTED_STATUSES = ("machine", "confirmed", "corrected", "added")

SOURCE_TYPES = ("journal", "institution", "person", "publication", "study", "narrator")
# What a source is to the figure: who says it, the research it comes from,
# where it was published, or whose experience it is.
SOURCE_ROLES = ("speaker", "research", "publication", "narrator")

SECTIONS = ("article", "comment")
SEGMENT_KINDS = ("title", "article", "comment", "furniture", "references")

QUALIFIERS = ("approx", "at_least", "at_most", "more_than", "less_than", "up_to", "within")
# A quantity's role in a change stated as "from X to Y".
CHANGES = ("from", "to")
