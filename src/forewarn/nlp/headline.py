"""Headline layout: a paragraph break, or the line break after a title-case line, ends a sentence, and title
case is parsed as ordinary case.

A feed item is "title, blank line, description"; a headline rarely ends with a full stop, so the parser runs it
into the next sentence. Every line that a blank line follows, and every line after a title-case line, is set to
open a sentence before parsing (the parser keeps sentence starts set before it).

Title case: the parser reads "Russian Forces Shell Kharkiv Suburbs Overnight" as a row of proper
nouns and finds no verb. A line in title case is therefore parsed with its common words in lower case
("Russian forces shell Kharkiv suburbs overnight"), and the parsed Doc gets its own words back afterwards.

Which capitalised word is common: its lower-case form (or a plain inflection of it) is an English stop word or
in the lemmatizer's word lists, and it is no word of a country's name or adjective or of the name of a person in
the actor dictionary ("Putin": the lists hold some names). A word that is only a noun in those lists keeps its
capital when it is a sizeable town or a region ("Kharkiv", "Baghdad"). Anything else (names the lists lack:
"Bakhmut"; acronyms: "NATO") keeps its capital. Lower-casing keeps every offset: the text's length and tokens do
not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, SENT_START, TAG
from spacy.tokens import Doc, Token
from thinc.types import Ints2d

from forewarn.geo.gazetteer import Gazetteer
from forewarn.model.extraction import EntityKind
from forewarn.nlp.actors import ActorDictionary

TITLE_SHARE = 0.8  # share of a line's longer words that are capitalised in a title-case line
LONG_WORD = 4  # words of at least this many letters decide whether a line is in title case
MIN_LONG_WORDS = 3
TOWN_POPULATION = 20_000  # a noun that names a town at least this large keeps its capital
WORD_CLASSES = ("noun", "verb", "adj", "adv")  # the lemmatizer's word lists
ORIGINAL_WORDS = "forewarn.headline_words"  # doc.user_data key: the words before re-casing
_ATTRS = [TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]


class Headlines:
    """Sentence starts at line breaks and which words of a title-case line to parse in lower case (see the
    module's docstring)."""

    def __init__(self, words: dict[str, frozenset[str]], stop_words: Iterable[str], actors: ActorDictionary,
                 gazetteer: Gazetteer) -> None:
        stop = frozenset(stop_words)
        self.nouns = words.get("noun", frozenset())
        self.others = frozenset().union(*(v for k, v in words.items() if k != "noun")) | stop
        names = [name for info in actors.countries.values() for name in (*info.all_names, *info.adjectives)]
        names += [alias for entry in actors.entries if entry.entity.kind is EntityKind.PERSON
                  for alias in (entry.entity.name, *entry.entity.aliases)]
        self.names = frozenset(w.lower() for name in names for w in name.split() if w.lower() not in stop)
        self.gazetteer = gazetteer

    def prepared(self, doc: Doc) -> Doc:
        """``doc`` with sentence starts at its line breaks; a new Doc when it has title-case lines, with their
        common words in lower case and its own words kept in ``user_data`` for :func:`restored`."""
        lines = list(_lines(doc))
        titles = [_title_case(words) for _, words in lines]
        lower = {t.i for (_, words), title in zip(lines, titles, strict=True) if title
                 for t in words[1:] if self._common(t)}
        if lower:
            parsed = [t.lower_ if t.i in lower else t.text for t in doc]
            new = Doc(doc.vocab, words=parsed, spaces=[bool(t.whitespace_) for t in doc])
            new.user_data = {**doc.user_data, ORIGINAL_WORDS: [t.text for t in doc]}
            doc = new
        _open_sentences(doc, [words[0].i for n, (gap, words) in enumerate(lines)
                              if words and gap is not None and (gap.text.count("\n") >= 2 or titles[n - 1])])
        return doc

    def _common(self, tok: Token) -> bool:
        if not (tok.is_alpha and tok.text[0].isupper() and not tok.is_upper) or tok.lower_ in self.names:
            return False
        forms = _forms(tok.lower_)
        if any(f in self.others for f in forms):
            return True
        return any(f in self.nouns for f in forms) and not self._place(tok.text)

    def _place(self, word: str) -> bool:
        towns = self.gazetteer.towns(word)
        if any(m.population >= TOWN_POPULATION for m in towns if not m.fuzzy):
            return True
        return bool(self.gazetteer.regions(word, qualified=False))


def restored(doc: Doc) -> Doc:
    """A Doc re-cased by :meth:`Headlines.prepared`, parsed, with its own words back (and every annotation)."""
    words = doc.user_data.get(ORIGINAL_WORDS)
    if words is None:
        return doc
    new = Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
    new.from_array(_ATTRS, cast(Ints2d, doc.to_array(_ATTRS)))
    new.user_data = {k: v for k, v in doc.user_data.items() if k != ORIGINAL_WORDS}
    return new


def _open_sentences(doc: Doc, starts: list[int]) -> None:
    """Make the tokens at ``starts`` open a sentence, all in one go: setting ``Token.is_sent_start`` looks
    through the whole Doc for a parse each time, which over a long text's line breaks is quadratic."""
    if starts:
        values = doc.to_array(SENT_START)
        values[starts] = 1
        doc.from_array([SENT_START], cast(Ints2d, values))


def _lines(doc: Doc) -> Iterator[tuple[Token | None, list[Token]]]:
    """The doc's lines: the line break before each (None for the first) and its words."""
    gap: Token | None = None
    line: list[Token] = []
    for tok in doc:
        if tok.is_space and "\n" in tok.text:
            yield gap, line
            gap, line = tok, []
        elif not tok.is_space:
            line.append(tok)
    yield gap, line


def _title_case(line: list[Token]) -> bool:
    long = [t for t in line[1:] if t.is_alpha and len(t) >= LONG_WORD and not t.is_upper]
    return len(long) >= MIN_LONG_WORDS and sum(t.text[0].isupper() for t in long) >= TITLE_SHARE * len(long)


def _forms(word: str) -> tuple[str, ...]:
    """The word and the plain stems it may inflect ("shells", "moved", "ordering", "supplies")."""
    stems = [word]
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
                         ("d", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stems.append(word[: -len(suffix)] + repl)
    return tuple(stems)
