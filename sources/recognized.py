"""Takeout products the lake recognizes but does not import yet, so a report can say exactly
what of a Takeout is in the lake and what is not. Pure: no Django.

Judged by content like everything else (the JSON's own keys), never by folder
names, which follow the account language. A family that learns to import one of
these takes its product code, and its entry here goes (Photos, Gmail, Calendar,
Contacts, Keep and Fit started here).
"""

from sources.detect import Head

# product code -> (what a person calls it, why it is not in the lake)
NOT_YET = {
    "tasks.lists": ("Google Tasks", "Tasks are not imported yet."),
    "chat.messages": ("Google Chat", "Chat messages are not imported yet."),
}


def detect(head: Head) -> str | None:
    if head.kind == "json" and not head.is_array:
        keys = head.top_keys
        if "kind" in keys and b'"tasks#tasklists"' in head.lowered[:4096]:
            return "tasks.lists"
        if "messages" in keys and head.record_keys("messages.item") & {"creator", "created_date"}:
            return "chat.messages"
    return None


def label(product: str | None) -> str | None:
    found = NOT_YET.get(product or "")
    return found[0] if found else None


def reasons() -> dict[str, str]:
    return {product: why for product, (_label, why) in NOT_YET.items()}
