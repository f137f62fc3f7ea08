"""The verbs My Activity titles start (or end) with, per language, as data.

A title is "<verb> <subject>" in English and the Romance languages ("Watched
Funny cats", "Vous avez regardé Funny cats"), but German and Dutch put the
participle last ("Funny cats angesehen", "Nach pizza gesucht").  `split_title`
tries every language's table at once: JSON files do not say their language, and
the phrases do not collide.  An unknown verb leaves the action "" and the
subject the whole title.

The English list is what Takeout writes; the others are best knowledge of
Google's translations and are easy to extend: add the phrase to its list.
"""

# Phrases that open a title, per language.
PREFIXES: dict[str, tuple[str, ...]] = {
    "en": (
        "Watched", "Searched for", "Searched", "Visited", "Viewed", "Used", "Listened to", "Subscribed to",
        "Unsubscribed from", "Liked", "Disliked", "Opened", "Installed", "Uninstalled", "Updated", "Read",
        "Prompted", "Asked", "Said", "Saved", "Shared", "Played", "Downloaded", "Purchased", "Bought",
        "Commented on", "Replied to", "Created", "Edited", "Deleted", "Removed", "Added", "Followed",
        "Unfollowed", "Called", "Sent", "Answered", "Dismissed", "Started", "Completed", "Joined", "Rated",
        "Reviewed", "Uploaded", "Streamed", "Explored", "Navigated to", "Requested", "Set", "Checked",
        "Gave feedback on", "Selected", "Clicked", "Tapped", "Browsed", "Booked", "Ordered", "Tracked",
        "Scheduled", "Translated", "Generated", "Converted", "Looked up", "Reacted to",
    ),
    "de": (
        "Angesehen", "Gesucht nach", "Gesucht", "Besucht", "Aufgerufen", "Verwendet", "Genutzt", "Angehört",
        "Abonniert", "Geöffnet", "Installiert", "Gelesen", "Gefällt mir", "Geteilt", "Gespeichert",
        "Heruntergeladen", "Gekauft", "Gestartet", "Prompt eingegeben", "Gefragt",
    ),
    "fr": (
        "Vous avez regardé", "Vous avez recherché", "Vous avez consulté", "Vous avez visité", "Vous avez utilisé",
        "Vous avez écouté", "Vous vous êtes abonné à", "Vous vous êtes abonnée à", "Vous avez aimé",
        "Vous avez ouvert", "Vous avez installé", "Vous avez lu", "Vous avez partagé", "Vous avez enregistré",
        "Vous avez téléchargé", "Vous avez acheté", "Vous avez demandé", "Vous avez envoyé une requête",
        "A regardé", "A recherché", "A consulté", "A visité", "A utilisé", "A écouté",
        "Recherche :", "Recherche",
    ),
    "es": (
        "Has visto", "Has buscado", "Has visitado", "Has usado", "Has utilizado", "Has escuchado",
        "Te has suscrito a", "Te ha gustado", "Has abierto", "Has instalado", "Has leído", "Has compartido",
        "Has guardado", "Has descargado", "Has comprado", "Has preguntado", "Has enviado la petición",
        "Viste", "Buscaste", "Visitaste", "Usaste", "Utilizaste", "Escuchaste", "Te suscribiste a",
        "Abriste", "Instalaste", "Leíste", "Compartiste", "Guardaste", "Descargaste", "Compraste",
        "Preguntaste", "Enviaste la petición",
    ),
    "it": (
        "Hai guardato", "Hai cercato", "Hai visitato", "Hai utilizzato", "Hai usato", "Hai ascoltato",
        "Ti sei iscritto a", "Ti sei iscritta a", "Hai messo Mi piace a", "Hai aperto", "Hai installato",
        "Hai letto", "Hai condiviso", "Hai salvato", "Hai scaricato", "Hai acquistato", "Hai chiesto",
        "Hai inviato il prompt",
    ),
    "nl": (
        "Bekeken", "Gezocht naar", "Gezocht", "Bezocht", "Gebruikt", "Geluisterd naar", "Geabonneerd op",
        "Leuk gevonden", "Geopend", "Geïnstalleerd", "Gelezen", "Gedeeld", "Opgeslagen", "Gedownload",
        "Gekocht", "Gevraagd",
    ),
    "pt": (
        "Assistiu a", "Assistiu", "Assististe a", "Pesquisou por", "Pesquisou", "Pesquisaste", "Visitou",
        "Visitaste", "Usou", "Utilizou", "Utilizaste", "Ouviu", "Ouviste", "Inscreveu-se em", "Gostou de",
        "Abriu", "Abriste", "Instalou", "Instalaste", "Leu", "Leste", "Viu", "Viste", "Compartilhou",
        "Partilhou", "Salvou", "Guardou", "Baixou", "Transferiu", "Comprou", "Perguntou", "Enviou o comando",
    ),
}

# Participles that close a title (German and Dutch word order).
SUFFIXES: dict[str, tuple[str, ...]] = {
    "de": (
        "angesehen", "angeschaut", "besucht", "aufgerufen", "verwendet", "genutzt", "angehört", "abonniert",
        "geöffnet", "installiert", "gelesen", "geteilt", "gespeichert", "heruntergeladen", "gekauft",
        "mit „Mag ich“ bewertet", "gesucht",
    ),
    "nl": ("bekeken", "bezocht", "gebruikt", "beluisterd", "geopend", "geïnstalleerd", "gelezen", "gedeeld",
           "opgeslagen", "gedownload", "gekocht", "gezocht"),
}

# Titles framed on both sides: "Nach pizza gesucht", "Naar pizza gezocht".
CIRCUMFIXES: tuple[tuple[str, str], ...] = (("Nach", "gesucht"), ("Naar", "gezocht"))

# The verbs of AI activity, whose prompt may run over several lines of a page.
PROMPT_VERBS = frozenset({
    "Prompted", "Asked", "Prompt eingegeben", "Gefragt", "Vous avez demandé", "Vous avez envoyé une requête",
    "Has preguntado", "Has enviado la petición", "Preguntaste", "Enviaste la petición", "Hai chiesto",
    "Hai inviato il prompt", "Gevraagd", "Perguntou", "Enviou o comando",
})


def _index_by_first_word(phrases: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for language_phrases in phrases.values():
        for phrase in language_phrases:
            index.setdefault(phrase.split(" ", 1)[0], []).append(phrase)
    # Longest first: "Searched for" before "Searched".
    return {word: tuple(sorted(set(found), key=len, reverse=True)) for word, found in index.items()}


def _index_by_last_word(phrases: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for language_phrases in phrases.values():
        for phrase in language_phrases:
            index.setdefault(phrase.rsplit(" ", 1)[-1], []).append(phrase)
    return {word: tuple(sorted(set(found), key=len, reverse=True)) for word, found in index.items()}


_BY_FIRST = _index_by_first_word(PREFIXES)
_BY_LAST = _index_by_last_word(SUFFIXES)
_CIRCUMFIX = {(first, last) for first, last in CIRCUMFIXES}
_SEPARATORS = " \u00a0:"


def split_title(title: str) -> tuple[str, str]:
    """``"Watched Funny cats"`` -> ``("Watched", "Funny cats")``; unknown verb -> ``("", title)``."""
    first, space, rest = title.partition(" ")
    if not space:
        return ("", title) if title not in _BY_FIRST else (title, "")
    last = title[title.rfind(" ") + 1 :]
    if (first, last) in _CIRCUMFIX and len(title) > len(first) + len(last) + 1:
        return f"{first} … {last}", title[len(first) + 1 : len(title) - len(last) - 1].strip()
    for phrase in _BY_FIRST.get(first, ()):
        if title.startswith(phrase):
            after = title[len(phrase) : len(phrase) + 1]
            if not after or after in _SEPARATORS:
                return phrase, title[len(phrase) :].lstrip(_SEPARATORS)
    for phrase in _BY_LAST.get(last, ()):
        cut = len(title) - len(phrase)
        if cut > 0 and title.endswith(phrase) and title[cut - 1] in _SEPARATORS:
            return phrase, title[: cut - 1].rstrip(_SEPARATORS)
    return "", title
