"""RQ jobs of change events. Small wrappers: the work lives in events.delivery.dispatch."""

from events.delivery import dispatch


def dispatch_user(user_id: int):
    """The wake-up after a commit (events.outbox.after_commit)."""
    return dispatch.dispatch_user(user_id)


def dispatch_all():
    """Every minute from the scheduler: whatever a lost wake-up or a dead worker left."""
    return dispatch.dispatch_all()


def prune():
    """Daily: events past EVENTS_RETENTION_DAYS that nothing waits to deliver."""
    return dispatch.prune()
