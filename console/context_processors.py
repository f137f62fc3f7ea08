from django.urls import NoReverseMatch, reverse

# (label, url name, permission or None for everyone signed in)
NAVIGATION = [
    ("My lake", "home", "console.use_lake"),
    ("Map", "lake:map", "console.use_lake"),
    ("Timeline", "lake:day_index", "console.use_lake"),
    ("Search", "lake:search", "console.use_lake"),
    ("Stats", "lake:stats", "console.use_lake"),
    ("Places", "lake:places", "console.use_lake"),
    ("Devices", "lake:devices", "console.use_lake"),
    ("Upload", "uploads:new", "console.use_lake"),
    ("Imports", "imports:list", "console.use_lake"),
    ("SQL access", "sqlaccess:page", "console.use_lake"),
    ("Webhooks", "events:webhooks", "console.use_lake"),
    ("API", "developer:tokens", "console.use_lake"),
    ("Health", "monitoring:overview", "console.view_health"),
    ("Extensions", "monitoring:extensions", "console.view_health"),
    ("Users", "people:list", "console.manage_users"),
    ("Lifecycle", "lifecycle:policies", "console.manage_lifecycle"),
    ("Audit log", "audit:events", "console.read_audit"),
]


def _url(name):
    try:
        return reverse(name)
    except NoReverseMatch:  # an app without that page yet keeps it out of the menu
        return None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, permission in NAVIGATION:
        if permission and not user.has_perm(permission):
            continue
        url = _url(name)
        if url:
            active = request.path == url or (url != "/" and request.path.startswith(url))
            items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
