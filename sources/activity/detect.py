"""PLACEHOLDER until the real signatures land."""


def detect(head):
    if head.kind == "json" and head.is_array and {"time", "title"} <= head.record_keys("item"):
        return "activity.json"
    if head.kind == "html" and b"outer-cell" in head.lowered:
        return "activity.html"
    return None
