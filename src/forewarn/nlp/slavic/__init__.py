"""Russian and Ukrainian: the analysis that replaces the English spaCy model (``analysis``) and the
language's side of each forewarn component (``actors``, ``places``, ``dates``, ``events``, ``claims``).

Each component of :mod:`forewarn.nlp.pipeline` keeps its declared contract and calls the functions
here for a Russian or Ukrainian ``Doc``; the records they return are the English ones.
"""

SLAVIC_VERSION = "3"  # part of the extractor version: bump when a module here changes what it extracts
