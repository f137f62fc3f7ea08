"""The admins' Users page: parse the form, call one function in console.people, render."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from console import people
from console.forms import PersonasForm, PersonForm
from console.personas import DESCRIPTIONS


def get_person(person_id):
    return get_object_or_404(get_user_model(), pk=person_id)


def _list(request, form, status=200):
    return render(request, "console/people.html", {"people": people.list_people(request.user), "form": form,
                                                  "descriptions": DESCRIPTIONS}, status=status)


@never_cache  # the page that shows a new password must not be kept by any cache
@permission_required("console.manage_users", raise_exception=True)
def person_list(request):
    if request.method != "POST":
        return _list(request, PersonForm())
    form = PersonForm(request.POST)
    if not form.is_valid():
        return _list(request, form, status=400)
    person, password = people.create_person(request.user, username=form.cleaned_data["username"],
                                            email=form.cleaned_data["email"],
                                            personas=form.cleaned_data["personas"], request=request)
    return render(request, "console/password.html", {"person": person, "password": password, "created": True})


@never_cache
@permission_required("console.manage_users", raise_exception=True)
def person_detail(request, person_id):
    person = get_person(person_id)
    current = sorted(person.groups.values_list("name", flat=True))
    form = PersonasForm(initial={"personas": current})
    error, status = None, 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "personas":
                form = PersonasForm(request.POST)
                if form.is_valid():
                    people.set_personas(request.user, person, form.cleaned_data["personas"], request=request)
                    messages.success(request, f"Roles of {person.username} saved.")
                    return redirect("people:detail", person.pk)
                status = 400
            elif action == "reset_password":
                password = people.reset_password(request.user, person, request=request)
                return render(request, "console/password.html", {"person": person, "password": password})
            elif action in ("deactivate", "activate"):
                people.set_active(request.user, person, action == "activate", request=request)
                state = "active again" if action == "activate" else "deactivated"
                messages.success(request, f"{person.username} is {state}.")
                return redirect("people:detail", person.pk)
            else:
                error, status = "Unknown action; nothing was changed.", 400
        except people.PeopleError as refused:
            error, status = str(refused), 400
    return render(request, "console/person.html", {"person": person, "form": form, "error": error,
                                                  "personas": current}, status=status)
