from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from imports import progress
from imports.access import get_run_for_user
from imports.models import ImportRun
from imports.summary import not_imported_by_product
from sources.registry import product_label


@permission_required("console.use_lake", raise_exception=True)
def run_list(request):
    runs = ImportRun.objects.filter(user=request.user).order_by("-created_at")[:200]
    return render(request, "imports/run_list.html", {"runs": runs})


def _run_context(run: ImportRun) -> dict:
    context = {"run": run, "files": list(run.files.all())}
    if run.is_open:
        context["progress"] = progress.live(run)
    else:
        context["products"] = [(name, product_label(name), stats) for name, stats in sorted(run.products.items())]
        context["rejections"] = sorted(run.rejections.items(), key=lambda item: -item[1]["count"])
        context["not_imported"] = not_imported_by_product(run)
    return context


@permission_required("console.use_lake", raise_exception=True)
def run_detail(request, run_id):
    run = get_run_for_user(request.user, run_id)
    return render(request, "imports/run_detail.html", _run_context(run))


@permission_required("console.use_lake", raise_exception=True)
def run_status(request, run_id):
    """The live part of the run page, polled by htmx every 2 s until the run ends."""
    run = get_run_for_user(request.user, run_id)
    return render(request, "imports/_run_status.html", _run_context(run))
