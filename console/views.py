from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lake.queries import product_counts


@login_required
def home(request):
    counts = product_counts() if request.user.has_perm("console.use_lake") else None
    return render(request, "console/home.html", {"counts": counts})
