"""Gmail's system labels in the languages of X-Gmail-Labels, mapped to one meaning. Pure.

Takeout writes the system labels in the account's language ("Ouvert", "Non
lus" in French); the header is always kept verbatim, and the labels known here
gain their canonical meaning so that "unread" or "sent" means the same in every
export. User-made labels have no meaning here and stay as written.
"""

_NAMES = {
    "inbox": ("Inbox", "Boîte de réception", "Posteingang", "Recibidos", "Posta in arrivo", "Caixa de entrada"),
    "sent": ("Sent", "Envoyés", "Messages envoyés", "Gesendet", "Enviados", "Posta inviata", "Enviadas"),
    "draft": ("Drafts", "Draft", "Brouillons", "Entwürfe", "Borradores", "Bozze", "Rascunhos"),
    "spam": ("Spam", "Pourriel"),
    "trash": ("Trash", "Bin", "Corbeille", "Papierkorb", "Papelera", "Cestino", "Lixeira"),
    "starred": ("Starred", "Suivis", "Markiert", "Destacados", "Speciali", "Com estrela"),
    "important": ("Important", "Wichtig", "Importante", "Importanti"),
    "unread": ("Unread", "Non lus", "Non lu", "Ungelesen", "No leídos", "Da leggere", "Não lidas"),
    "opened": ("Opened", "Ouvert", "Ouverts", "Geöffnet", "Abierto", "Abiertos", "Aperto", "Aberto"),
    "archived": ("Archived", "Archivé", "Archivés", "Archiviert", "Archivado", "Archivados", "Archiviati",
                 "Arquivados"),
    "chat": ("Chat", "Chats", "Discussions", "Chat-Nachrichten"),
    "category_personal": ("Category Personal", "Catégorie : Principale", "Kategorie Allgemein"),
    "category_social": ("Category Social", "Catégorie : Réseaux sociaux", "Kategorie Soziale Netzwerke"),
    "category_promotions": ("Category Promotions", "Catégorie : Promotions", "Kategorie Werbung"),
    "category_updates": ("Category Updates", "Catégorie : Notifications", "Kategorie Benachrichtigungen"),
    "category_forums": ("Category Forums", "Catégorie : Forums", "Kategorie Foren"),
}

MEANINGS = {name.casefold(): meaning for meaning, names in _NAMES.items() for name in names}


def meanings(labels: list[str]) -> list[str]:
    """The canonical meanings of the labels known, in label order, each once."""
    found = []
    for label in labels:
        meaning = MEANINGS.get(label.casefold())
        if meaning and meaning not in found:
            found.append(meaning)
    return found
