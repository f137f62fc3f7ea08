from core.rls import user_scope


class RowLevelSecurityMiddleware:
    """Run each signed-in request's view, and its template rendering, in a
    transaction scoped to that user.

    Anonymous requests get no scope, so per-user tables show them nothing.
    Views that stream or hold a request open for long (uploads, downloads)
    opt out with @manual_user_scope and open `user_scope` themselves where
    they touch data: a streaming body runs after the view has returned.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(view_func, "manual_user_scope", False):
            return None
        with user_scope(user.pk):
            response = view_func(request, *view_args, **view_kwargs)
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response = response.render()
        return response


def manual_user_scope(view_func):
    view_func.manual_user_scope = True
    return view_func
